/** The statistics every comparison is reported with, against values computed by hand. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  binomialHalfCdf,
  compareSamples,
  mannWhitney,
  mannWhitneyDistribution,
  medianBy,
  medianCI,
  normalCdf,
  ratioCI,
} from "../../lib/core/stats";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test("Binomial(n, ½) CDF: P(X ≤ 0) = 1/32 and P(X ≤ 2) = 16/32 for n = 5; 0 below 0, 1 from n on", () => {
  close(binomialHalfCdf(0, 5), 1 / 32);
  close(binomialHalfCdf(2, 5), 16 / 32);
  assert.equal(binomialHalfCdf(-1, 5), 0);
  close(binomialHalfCdf(5, 5), 1);
});

test("median CI: 6 values give [min, max] at 1 − 2/64; 10 values [x(2), x(9)] at 1 − 22/1024; 5 values cannot reach 95%", () => {
  assert.deepEqual(medianCI([5, 1, 4, 2, 6, 3]), { estimate: 3.5, lo: 1, hi: 6, confidence: 1 - 2 / 64, n: 6 });
  assert.deepEqual(medianCI([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), { estimate: 5.5, lo: 2, hi: 9, confidence: 1 - 22 / 1024, n: 10 });
  const five = medianCI([3, 1, 2, 5, 4]);
  assert.deepEqual([five.lo, five.hi, five.estimate], [1, 5, 3]);
  close(five.confidence, 1 - 2 / 32);
  assert.ok(five.confidence < 0.95, "the widest interval of 5 values is a 93.75% one");
  assert.equal(medianCI([NaN, 7]).n, 1, "non-finite values are skipped");
  assert.ok(Number.isNaN(medianCI([]).estimate));
});

test("Mann–Whitney null distribution: sizes 2 and 2 give counts 1,1,2,1,1 of 6; sizes 3 and 3 give 1,1,2,3,3,3,3,2,1,1 of 20", () => {
  assert.deepEqual(
    mannWhitneyDistribution(2, 2).map((p) => Math.round(p * 6)),
    [1, 1, 2, 1, 1],
  );
  assert.deepEqual(
    mannWhitneyDistribution(3, 3).map((p) => Math.round(p * 20)),
    [1, 1, 2, 3, 3, 3, 3, 2, 1, 1],
  );
  close(
    mannWhitneyDistribution(4, 3).reduce((s, p) => s + p, 0),
    1,
  );
});

test("Mann–Whitney U: exact two-sided p for separated and interleaved samples, either way round", () => {
  assert.deepEqual(mannWhitney([1, 2, 3], [4, 5, 6]), { u: 0, p: 0.1, exact: true, n1: 3, n2: 3 });
  assert.deepEqual(mannWhitney([4, 5, 6], [1, 2, 3]), { u: 9, p: 0.1, exact: true, n1: 3, n2: 3 });
  const one = mannWhitney([1, 2, 4], [3, 5, 6]);
  assert.equal(one.u, 1);
  close(one.p, 0.2);
  const six = mannWhitney([11, 12, 13, 14, 15, 16], [1, 2, 3, 4, 5, 6]);
  close(six.p, 2 / 924);
  const interleaved = mannWhitney([1, 3, 5, 7, 9, 11], [2, 4, 6, 8, 10, 12]);
  assert.equal(interleaved.u, 15, "0 + 1 + 2 + 3 + 4 + 5 pairs");
  assert.ok(interleaved.p > 0.5, String(interleaved.p));
});

test("Mann–Whitney U with ties: the normal approximation with tie and continuity corrections (U = 2.5, z = 1.4884)", () => {
  const r = mannWhitney([1, 2, 2, 3], [2, 3, 4, 5]);
  assert.equal(r.u, 2.5);
  assert.equal(r.exact, false);
  // var = (16/12)(9 − 30/56) = 11.2857; z = (|2.5 − 8| − 0.5)/√var = 1.48835; p = 2(1 − Φ(z)).
  close(r.p, 2 * (1 - normalCdf(5 / Math.sqrt((16 / 12) * (9 - 30 / 56)))), 1e-12);
  close(r.p, 0.13666, 1e-4);
});

test("Φ: 0.5 at 0, 0.975 at 1.96, symmetric", () => {
  close(normalCdf(0), 0.5, 1e-7);
  close(normalCdf(1.959964), 0.975, 1e-6);
  close(normalCdf(-1) + normalCdf(1), 1, 1e-7);
});

test("ratio CI: the median of the pairwise ratios, and the order statistics the Mann–Whitney distribution picks", () => {
  // 3 against 3: nine ratios 0.67, 1, 1.33, 2, 2, 2, 3, 4, 6; only the widest interval exists, at 1 − 2/20.
  const small = ratioCI([2, 4, 6], [1, 2, 3]);
  close(small.estimate, 2);
  close(small.lo, 2 / 3);
  close(small.hi, 6);
  close(small.confidence, 0.9);
  // 5 against 5: ratios 2^(i−j+1) with multiplicities 1,2,3,4,5,4,3,2,1 for 2^−3 … 2^5; P(U ≤ 2) = 4/252 → [D(3), D(23)].
  const five = ratioCI([2, 4, 8, 16, 32], [1, 2, 4, 8, 16]);
  assert.deepEqual([five.estimate, five.lo, five.hi], [2, 0.25, 16]);
  close(five.confidence, 1 - 8 / 252);
});

test("comparing samples: beyond the noise only when p < 0.05, and 'too few' when the sizes cannot get there", () => {
  const faster = compareSamples([11, 12, 13, 14, 15, 16], [1, 2, 3, 4, 5, 6]);
  assert.equal(faster.verdict, "higher");
  close(faster.ratio, 13.5 / 3.5);
  close(faster.minP, 2 / 924);
  assert.equal(compareSamples([1, 2, 3, 4, 5, 6], [11, 12, 13, 14, 15, 16]).verdict, "lower");
  assert.equal(compareSamples([1, 3, 5, 7, 9, 11], [2, 4, 6, 8, 10, 12]).verdict, "same");
  const three = compareSamples([1, 2, 3], [4, 5, 6]);
  assert.equal(three.verdict, "too few");
  close(three.minP, 0.1);
});

test("the median item: the middle one by value, the lower middle for an even count, non-finite values skipped", () => {
  const runs = [
    { id: "a", rate: 30 },
    { id: "b", rate: NaN },
    { id: "c", rate: 10 },
    { id: "d", rate: 20 },
    { id: "e", rate: Infinity },
  ];
  const rate = (r: { rate: number }) => r.rate;
  assert.equal(medianBy(runs, rate)?.id, "d", "20 is the middle of 10, 20, 30");
  assert.equal(medianBy([...runs, { id: "f", rate: 40 }], rate)?.id, "d", "10, 20, 30, 40: the lower middle");
  assert.equal(medianBy([runs[2]], rate)?.id, "c");
  assert.equal(medianBy([runs[1], runs[4]], rate), undefined, "no finite value");
  assert.equal(medianBy([], rate), undefined);
  assert.deepEqual(
    runs.map((r) => r.id),
    ["a", "b", "c", "d", "e"],
    "the items are left in their order",
  );
});
