/** Unit: the attribution ladder's arithmetic and reading (lib/bench/ladder.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { repeatOrder } from "../../lib/core/stats";
import { ladderCells, ladderMarkdown, ladderSteps, RUNGS, type Ladder } from "../../lib/bench/ladder";
import { DEFAULT_WORKLOAD } from "../../lib/bench/workload";

const at = (rate: number, p50 = NaN) => ({ msgs_per_s: rate, p50_ms: p50 });

test("ladder: µs per message from the median rate, Δ to the rung above, marked when within the spread", () => {
  const steps = ladderSteps({
    produce: [at(1_000_000), at(1_000_000), at(1_000_000)],
    reports: [at(400_000), at(500_000), at(250_000)],
    opaque: [at(400_000), at(390_000), at(410_000)],
    bookkeeping: [at(300_000, 20), at(300_000, 22), at(300_000, 30)],
    "send-order": [at(400_000, 10), at(400_000, 12), at(400_000, 11)],
    window: [at(400_000, 5), at(400_000, 4), at(400_000, 6)],
  });
  assert.deepEqual(
    steps.map((s) => s.id),
    RUNGS.map((r) => r.id),
  );
  const [produce, reports, opaque, bookkeeping, sendOrder, window] = steps;
  assert.equal(produce.us_per_msg, 1);
  assert.ok(Number.isNaN(produce.delta_us));
  assert.equal(reports.us_per_msg, 2.5);
  assert.equal(reports.delta_us, 1.5);
  assert.equal(reports.noise_us, 4 - 2);
  assert.equal(reports.beyond_noise, false, "1.5 µs is inside a 2 µs spread");
  assert.equal(opaque.beyond_noise, false, "0 µs");
  assert.ok(Math.abs(bookkeeping.delta_us - (1e6 / 300_000 - 2.5)) < 1e-9);
  assert.equal(bookkeeping.p50_ms, 22);
  assert.ok(sendOrder.delta_us < 0 && sendOrder.beyond_noise, "matching by send order saves time, beyond the noise");
  assert.equal(window.delta_us, 0);
  assert.ok(Number.isNaN(produce.p50_ms), "no per-record times, no latency");
});

test("ladder: rungs alternate their order between repeats", () => {
  assert.deepEqual(
    repeatOrder(RUNGS, 1).map((r) => r.id),
    RUNGS.map((r) => r.id),
  );
  assert.deepEqual(
    repeatOrder(RUNGS, 2).map((r) => r.id),
    [...RUNGS].reverse().map((r) => r.id),
  );
});

test("ladder: the table and its reading name the largest cost beyond the noise", () => {
  const steps = ladderSteps({
    produce: [at(800_000), at(810_000)],
    reports: [at(320_000), at(330_000)],
    opaque: [at(250_000), at(255_000)],
    bookkeeping: [at(240_000, 200), at(245_000, 210)],
    "send-order": [at(300_000, 150), at(305_000, 160)],
    window: [at(299_000, 20), at(306_000, 22)],
  });
  const ladder: Ladder = { workload: DEFAULT_WORKLOAD, repeats: 2, steps };
  const md = ladderMarkdown(ladder);
  assert.match(md, /\| produce only \| 805,000 \| 800,000–810,000 \| 1\.24 \|/);
  assert.match(md, /The largest cost is "\+ delivery reports"/);
  assert.match(md, /"send order instead of opaque" saves/);
  assert.match(md, /"\+ window: our producer as it ships"[^.]*within the run-to-run spread/);
  const cells = ladderCells(ladder);
  assert.equal(cells.length, RUNGS.length + 1, "a header and a row per rung");
  assert.equal(cells[6][5], "21.0", "the shipped rung's median latency");
  assert.equal(cells[1][5], "n/a", "produce only keeps no per-record times");
});
