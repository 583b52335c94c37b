/**
 * The server side of Cognito's SRP sign-in (USER_SRP_AUTH → PASSWORD_VERIFIER), which cognito-local lacks: the
 * same group (RFC 5054's 3072-bit prime, g = 2), hashes and "Caldera Derived Key" HKDF that Cognito's clients
 * (amazon-cognito-identity-js, Amplify, the AWS SDKs' helpers) compute, so an unmodified client signs in
 * against the local cloud as it does against AWS. cognito-local keeps passwords in clear, so the verifier is
 * derived at each sign-in instead of being stored.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const N = BigInt(
  "0x" +
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const g = 2n;

/** Even-length hex, with a leading 00 when the top bit is set (Java's BigInteger.toByteArray, as clients do). */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const hexHash = (hex: string) => sha256(Buffer.from(hex, "hex")).toString("hex").padStart(64, "0");
const toBig = (hex: string) => BigInt(`0x${hex}`);

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const k = toBig(hexHash(`${padHex(N)}${padHex(g)}`));

/** The pool part of a pool id (`us-east-1_AbC` → `AbC`): clients hash it with the user id and password. */
export const poolNameOf = (userPoolId: string) => userPoolId.split("_")[1] ?? userPoolId;

function passwordKey(poolName: string, userId: string, password: string, salt: bigint): bigint {
  const inner = sha256(`${poolName}${userId}:${password}`).toString("hex").padStart(64, "0");
  return toBig(hexHash(padHex(salt) + inner));
}

/** What the server keeps between the challenge and the answer. */
export interface SrpChallenge {
  salt: bigint;
  b: bigint;
  B: bigint;
}

/** A challenge for a user: a random salt (the verifier is derived from the password at each sign-in). */
export function newChallenge(poolName: string, userId: string, password: string): SrpChallenge {
  const salt = toBig(randomBytes(16).toString("hex"));
  const v = modPow(g, passwordKey(poolName, userId, password, salt), N);
  for (;;) {
    const b = toBig(randomBytes(128).toString("hex")) % N;
    const B = (k * v + modPow(g, b, N)) % N;
    if (B !== 0n) return { salt, b, B };
  }
}

/** Cognito's key derivation: HKDF-SHA256 over S with u as salt and the "Caldera Derived Key" info, 16 bytes. */
function hkdf(S: bigint, u: bigint): Buffer {
  const prk = createHmac("sha256", Buffer.from(padHex(u), "hex"))
    .update(Buffer.from(padHex(S), "hex"))
    .digest();
  return createHmac("sha256", prk)
    .update(Buffer.concat([Buffer.from("Caldera Derived Key", "utf8"), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

/**
 * Whether the client's PASSWORD_CLAIM_SIGNATURE proves it knows the password: HMAC(key, poolName ‖ userId ‖
 * secretBlock ‖ timestamp) with the key both sides derive. False for a wrong password or a bad A.
 */
export function verifyClaim(input: {
  poolName: string;
  userId: string;
  password: string;
  challenge: SrpChallenge;
  srpA: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}): boolean {
  const A = toBig(input.srpA);
  if (A % N === 0n) return false;
  const { salt, b, B } = input.challenge;
  const u = toBig(hexHash(padHex(A) + padHex(B)));
  if (u === 0n) return false;
  const v = modPow(g, passwordKey(input.poolName, input.userId, input.password, salt), N);
  const S = modPow(A * modPow(v, u, N), b, N);
  const expected = createHmac("sha256", hkdf(S, u))
    .update(
      Buffer.concat([
        Buffer.from(input.poolName, "utf8"),
        Buffer.from(input.userId, "utf8"),
        Buffer.from(input.secretBlock, "base64"),
        Buffer.from(input.timestamp, "utf8"),
      ]),
    )
    .digest();
  const given = Buffer.from(input.signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
