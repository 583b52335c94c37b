/**
 * Kubernetes resource quantities ("500m", "2Gi", "1.5", "1e3"), enough to validate plan
 * values and compare them the way the API server does for LimitRange.
 */
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const MULTIPLIERS: Readonly<Record<string, number>> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** The quantity's value as a number (approximate for huge values; fine for comparisons). */
export function parseQuantity(value: string): number {
  const m = QUANTITY.exec(value);
  if (!m) throw new Error(`${JSON.stringify(value)} is not a Kubernetes quantity (e.g. "500m", "2Gi", "4")`);
  const num = Number(m[1]);
  const suffix = m[2] ?? "";
  if (/^[eE][+-]?\d+$/.test(suffix)) return num * 10 ** Number(suffix.slice(1));
  return num * (MULTIPLIERS[suffix] ?? 1);
}
