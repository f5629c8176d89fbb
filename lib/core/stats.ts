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

/**
 * The item whose value is the median one (the lower middle for an even count), items with a
 * non-finite value skipped; undefined when none has a finite value. For when the median must be
 * an actual item (a run, a batch) whose other figures go with it, not an interpolated number.
 */
export function medianBy<T>(items: readonly T[], value: (item: T) => number): T | undefined {
  const ok = items.map((item) => ({ item, v: value(item) })).filter((x) => Number.isFinite(x.v));
  ok.sort((a, b) => a.v - b.v);
  return ok.length ? ok[Math.floor((ok.length - 1) / 2)].item : undefined;
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

/**
 * A point estimate with a distribution-free confidence interval. `confidence` is the interval's
 * exact coverage, which is at least the level asked for, or, when the sample is too small to
 * reach it (a median of 5 values: at most 93.75%), the widest interval's, which is less.
 */
export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
  confidence: number;
  n: number;
}

const NO_INTERVAL: Readonly<Interval> = Object.freeze({ estimate: NaN, lo: NaN, hi: NaN, confidence: NaN, n: 0 });

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  let term = 0.5 ** n;
  let sum = 0;
  for (let i = 0; i <= Math.min(k, n); i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return Math.min(1, sum);
}

/**
 * The rank k (1-based) of the narrowest symmetric interval [x(k), x(N+1−k)] whose coverage
 * 1 − 2·cdf(k − 1) reaches `level`, and that coverage; k = 1 when none does.
 */
function symmetricRank(cdf: (k: number) => number, total: number, level: number): { k: number; confidence: number } {
  let k = 1;
  while (k + 1 <= (total + 1) / 2 && 1 - 2 * cdf(k) >= level) k++;
  return { k, confidence: total > 1 ? 1 - 2 * cdf(k - 1) : 0 };
}

/**
 * The median with its order-statistic confidence interval: [x(k), x(n+1−k)] of the sorted values,
 * k from the Binomial(n, ½) distribution of how many values fall below the true median (no
 * assumption about the distribution's shape). n = 6 gives [min, max] at 96.9%; n = 10, [x(2), x(9)] at 97.9%.
 */
export function medianCI(values: ArrayLike<number>, level = 0.95): Interval {
  const xs = finiteSorted(values);
  const n = xs.length;
  if (n === 0) return { ...NO_INTERVAL };
  const { k, confidence } = symmetricRank((j) => binomialHalfCdf(j, n), n, level);
  return { estimate: quantile(xs, 0.5), lo: xs[k - 1], hi: xs[n - k], confidence, n };
}

/**
 * P(U = u), u = 0 … m·n, for the Mann–Whitney U of samples of sizes m and n under the null
 * hypothesis (every arrangement of the m + n ranks equally likely, no ties): the count of
 * arrangements, by the recurrence f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u), over C(m + n, m).
 */
export function mannWhitneyDistribution(m: number, n: number): number[] {
  // row[j][u]: arrangements of i values of the first sample and j of the second with U = u.
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      for (let u = 0; u < size; u++) row[u] = (prev[j][u - j] ?? 0) + (cur[j - 1][u] ?? 0);
      cur.push(row);
    }
    prev = cur;
  }
  const counts = prev[n];
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => c / total);
}

export interface MannWhitney {
  /** Pairs (a, b) with a > b, ties counting ½: m·n/2 when neither sample tends to be larger. */
  u: number;
  /** Two-sided p-value: how often samples this far apart arise when both come from one distribution. */
  p: number;
  /** Exact (no ties, m + n ≤ 40) or the normal approximation with tie and continuity corrections. */
  exact: boolean;
  n1: number;
  n2: number;
}

/** The Mann–Whitney U test (Wilcoxon rank-sum) of a against b; p NaN when either sample is empty. */
export function mannWhitney(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitney {
  const xs = finiteSorted(a);
  const ys = finiteSorted(b);
  const m = xs.length;
  const n = ys.length;
  if (m === 0 || n === 0) return { u: NaN, p: NaN, exact: false, n1: m, n2: n };
  let u = 0;
  for (const x of xs) for (const y of ys) u += x > y ? 1 : x === y ? 0.5 : 0;
  const all = [...xs, ...ys].sort((p, q) => p - q);
  const tieGroups: number[] = [];
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    if (j - i > 1) tieGroups.push(j - i);
    i = j;
  }
  if (tieGroups.length === 0 && m + n <= 40) {
    const dist = mannWhitneyDistribution(m, n);
    const below = dist.slice(0, u + 1).reduce((s, x) => s + x, 0);
    const above = dist.slice(u).reduce((s, x) => s + x, 0);
    return { u, p: Math.min(1, 2 * Math.min(below, above)), exact: true, n1: m, n2: n };
  }
  const N = m + n;
  const tieTerm = tieGroups.reduce((s, t) => s + t ** 3 - t, 0);
  const sd = Math.sqrt(((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
  const z = sd > 0 ? Math.max(0, Math.abs(u - (m * n) / 2) - 0.5) / sd : 0;
  return { u, p: Math.min(1, 2 * (1 - normalCdf(z))), exact: false, n1: m, n2: n };
}

/** Φ(z), the standard normal CDF (Abramowitz & Stegun 7.1.26, error < 1.5·10⁻⁷). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * How many times larger a's values are than b's, with a distribution-free confidence interval:
 * the Hodges–Lehmann estimate (the median of the m·n pairwise ratios a_i / b_j) and the interval
 * [D(k), D(m·n+1−k)] of the sorted ratios, k from the exact Mann–Whitney distribution (the
 * interval is the set of ratios the test at 1 − level would not reject). Positive values only.
 */
export function ratioCI(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): Interval {
  const xs = finiteSorted(a).filter((x) => x > 0);
  const ys = finiteSorted(b).filter((y) => y > 0);
  if (xs.length === 0 || ys.length === 0) return { ...NO_INTERVAL };
  const ratios: number[] = [];
  for (const x of xs) for (const y of ys) ratios.push(x / y);
  ratios.sort((p, q) => p - q);
  const N = ratios.length;
  const dist = xs.length + ys.length <= 40 ? mannWhitneyDistribution(xs.length, ys.length) : undefined;
  const cdf = (k: number) =>
    dist
      ? dist.slice(0, Math.max(0, k + 1)).reduce((s, x) => s + x, 0)
      : normalCdf((k + 0.5 - N / 2) / Math.sqrt((N * (xs.length + ys.length + 1)) / 12));
  const { k, confidence } = symmetricRank(cdf, N, level);
  return { estimate: quantile(ratios, 0.5), lo: ratios[k - 1], hi: ratios[N - k], confidence, n: Math.min(xs.length, ys.length) };
}

/** Two samples set side by side: which is larger, by how much, and whether that is beyond the noise. */
export interface SampleComparison {
  /** median(a) / median(b). */
  ratio: number;
  /** The ratio's distribution-free interval (ratioCI). */
  ci: Interval;
  /** Mann–Whitney's two-sided p. */
  p: number;
  /** The smallest p these sample sizes can give (2 / C(m + n, m)): at or above alpha, no difference can show. */
  minP: number;
  /** "higher"/"lower": a is larger/smaller than b beyond the noise (p < alpha); "same": within it; "too few": minP ≥ alpha. */
  verdict: "higher" | "lower" | "same" | "too few";
}

export function compareSamples(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 0.05, level = 0.95): SampleComparison {
  const mw = mannWhitney(a, b);
  let minP = 2;
  for (let i = 1; i <= mw.n1; i++) minP = (minP * i) / (mw.n2 + i);
  minP = Math.min(1, minP);
  const ratio = median(a) / median(b);
  const verdict = !(minP < alpha) ? "too few" : mw.p < alpha ? (ratio > 1 ? "higher" : "lower") : "same";
  return { ratio, ci: ratioCI(a, b, level), p: mw.p, minP, verdict };
}

/**
 * The order of repeat `rep` (1-based): forward on odd repeats, backward on even ones, so that
 * what is compared takes turns and no side always runs first (or last) on a machine whose state drifts.
 */
export function repeatOrder<T>(items: readonly T[], rep: number): T[] {
  return rep % 2 === 1 ? [...items] : [...items].reverse();
}
