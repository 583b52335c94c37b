/**
 * GET /slugs/{slug}: may this slug be used for a new workspace? The same rules as POST /signups (format,
 * length, reserved words), then whether a tenant already holds it. Advisory: the signup's conditional
 * write stays the authority (two people can see "available" for the same slug; one of them gets 409).
 */
import { SlugTakenError } from "./errors.js";
import { validateSlug } from "./slug.js";

export type SlugAvailability =
  | { slug: string; available: true }
  | { slug: string; available: false; reason: "format" | "length" | "reserved" | "taken"; message: string };

export async function slugAvailability(
  slug: string,
  isTaken: (slug: string) => Promise<boolean>,
): Promise<SlugAvailability> {
  const valid = validateSlug(slug);
  if (!valid.ok) return { slug, available: false, reason: valid.reason, message: valid.message };
  if (await isTaken(slug)) {
    // The same message POST /signups answers with for a taken slug.
    return { slug, available: false, reason: "taken", message: new SlugTakenError(slug).message };
  }
  return { slug, available: true };
}
