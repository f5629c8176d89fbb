/** Summary statistics of plain number lists; non-finite values (NaN = "no value") are skipped. */

function finiteSorted(values: ArrayLike<number>): number[] {
  return Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for no values. The median is quantile(xs, 0.5). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const xs = finiteSorted(values);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

export function mean(values: ArrayLike<number>): number {
  const xs = finiteSorted(values);
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** Largest finite value (-Infinity for none); a loop, not a spread, so any length works. */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] > m) m = values[i];
  return m;
}

/** Smallest finite value (Infinity for none). */
export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] < m) m = values[i];
  return m;
}

/** Median with the spread: what a repeated measurement is reported as. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: ArrayLike<number>): Spread {
  const xs = finiteSorted(values);
  return { median: quantile(xs, 0.5), min: xs.length ? xs[0] : NaN, max: xs.length ? xs[xs.length - 1] : NaN, n: xs.length };
}
