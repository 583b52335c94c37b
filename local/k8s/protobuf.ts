/**
 * Just enough of the apiserver's protobuf wire format to read what kubectl sends that way to the stand-in: a
 * SelfSubjectAccessReview (`kubectl auth can-i`). The body is the magic `k8s\0` and a runtime.Unknown message
 * whose `raw` field holds the object (k8s.io/apimachinery/pkg/runtime/generated.proto, and
 * k8s.io/api/authorization/v1/generated.proto for the review's fields).
 */

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, (Buffer | number)[]>;

/** Splits one protobuf message into its fields: varints as numbers, length-delimited values as bytes. */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw new Error("truncated varint");
      const b = buf[i++] as number;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw new Error("truncated field");
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      value = buf.readDoubleLE(i);
      i += 8;
    } else if (wire === 5) {
      value = buf.readFloatLE(i);
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const text = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
};
const message = (f: Fields, n: number): Fields | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};

/** The object inside a `k8s\0` envelope, and its kind. */
function unwrap(body: Buffer): { kind?: string; apiVersion?: string; raw: Fields } {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new Error("missing the k8s protobuf magic");
  const unknown = fields(body.subarray(4));
  const typeMeta = message(unknown, 1);
  return {
    apiVersion: typeMeta && text(typeMeta, 1),
    kind: typeMeta && text(typeMeta, 2),
    raw: message(unknown, 2) ?? new Map(),
  };
}

const defined = (o: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));

/** A SelfSubjectAccessReview sent as protobuf, as the JSON object it stands for. */
export function decodeSelfSubjectAccessReview(body: Buffer): Record<string, unknown> {
  const { kind, apiVersion, raw } = unwrap(body);
  const spec = message(raw, 2) ?? new Map();
  const res = message(spec, 1);
  const nonRes = message(spec, 2);
  return {
    kind,
    apiVersion,
    spec: {
      ...(res
        ? {
            resourceAttributes: defined({
              namespace: text(res, 1),
              verb: text(res, 2),
              group: text(res, 3),
              version: text(res, 4),
              resource: text(res, 5),
              subresource: text(res, 6),
              name: text(res, 7),
            }),
          }
        : {}),
      ...(nonRes ? { nonResourceAttributes: defined({ path: text(nonRes, 1), verb: text(nonRes, 2) }) } : {}),
    },
  };
}
