/** The reconcile function's event and its settings: defaults, overrides, clear errors. */
import { describe, expect, it } from "vitest";
import { parseReconcileEvent } from "../../../core/reconcile/request.js";
import { DEFAULT_SETTINGS, settingsWith } from "../../../core/reconcile/settings.js";

describe("parseReconcileEvent", () => {
  it("takes the schedule's empty event as a full pass", () => {
    expect(parseReconcileEvent({})).toEqual({});
    expect(parseReconcileEvent(undefined)).toEqual({});
  });

  it("takes a targeted dry run with settings", () => {
    expect(
      parseReconcileEvent({ dryRun: true, tenants: ["acme"], settings: { staleAfterMinutes: 0 } }),
    ).toEqual({
      dryRun: true,
      tenants: ["acme"],
      settings: { staleAfterMinutes: 0 },
    });
  });

  it.each([
    [{ dryrun: true }, /Unrecognized key.*dryrun/],
    [{ tenants: [] }, /tenants/],
    [{ settings: { staleAfterMinutes: -1 } }, /settings\.staleAfterMinutes/],
    [{ settings: { perStatus: { ACTIVE: 5000 } } }, /settings\.perStatus\.ACTIVE/],
  ])("refuses %j with a message naming the field", (event, message) => {
    expect(() => parseReconcileEvent(event)).toThrow(
      expect.objectContaining({
        name: "InvalidReconcileRequestError",
        message: expect.stringMatching(message),
      }),
    );
  });
});

describe("settingsWith", () => {
  it("merges overrides into the defaults, nested budgets included", () => {
    const s = settingsWith({ perStatus: { ACTIVE: 3 }, sweep: { deadLetters: 0 } });
    expect(s.perStatus).toEqual({ ...DEFAULT_SETTINGS.perStatus, ACTIVE: 3 });
    expect(s.sweep).toEqual({ ...DEFAULT_SETTINGS.sweep, deadLetters: 0 });
    expect(s.staleAfterMinutes).toBe(DEFAULT_SETTINGS.staleAfterMinutes);
  });
});
