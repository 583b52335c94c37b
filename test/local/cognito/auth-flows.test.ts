/** The password rules of the local Cognito additions: AWS's policy messages and conforming temporary passwords. */
import { describe, expect, it } from "vitest";
import { temporaryPassword } from "../../../local/cognito/additions.js";
import { policyViolation } from "../../../local/cognito/auth-flows.js";
import type { LocalUserPool } from "../../../local/cognito/services.js";

const pool = {
  options: {
    Id: "local_abc",
    Policies: {
      PasswordPolicy: {
        MinimumLength: 12,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      },
    },
  },
} as LocalUserPool;

describe("the pool's password policy", () => {
  it.each([
    ["Short-1!", "Password not long enough"],
    ["all-lower-case-1!", "Password must have uppercase characters"],
    ["ALL-UPPER-CASE-1!", "Password must have lowercase characters"],
    ["No-digits-here!", "Password must have numeric characters"],
    ["NoSymbolsHere123", "Password must have symbol characters"],
  ])("%s: %s", (password, message) => {
    expect(policyViolation(pool, password)).toBe(message);
  });

  it("accepts a conforming password, and every temporary password it generates", () => {
    expect(policyViolation(pool, "Fresh-Start-2026!")).toBeUndefined();
    for (let i = 0; i < 200; i++) expect(policyViolation(pool, temporaryPassword())).toBeUndefined();
  });
});
