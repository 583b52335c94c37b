/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * How the signup page's script calls the API. The page is served at the API's root (any stage prefix
 * included), so every call is relative to where the page is.
 */
import type { SignupError } from "../../../core/signup/request.js";

/**
 * The error body every Embark endpoint answers with (`problem()` in core/http/response.ts), as the browser
 * receives it: nothing in it is relied on.
 */
export type ApiError = { error?: Partial<SignupError> };

const apiBase = location.pathname.replace(/\/+$/, "");

/** Calls the API and reads its JSON answer; a body that is not JSON reads as `{}`. */
export async function getJson<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${apiBase}${path}`, { headers: { accept: "application/json" }, ...init });
  let body: unknown = {};
  try {
    body = await res.json();
  } catch {
    // API Gateway's own errors are JSON too; anything else is reported by status.
  }
  return { status: res.status, body: body as T };
}
