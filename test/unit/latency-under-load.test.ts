/** Latency under load without a broker: the pacer's schedule, saturation, the search, where the latencies part, the parameters
 *  and their errors, the Java tools' output, the analysis. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, NO_LATENCY, type LatencySummary } from "../../lib/core";
import { dueCount, intendedOffset, intendedTimes, scheduledRecords, SEND_GRACE_MIN_MS, sendWindowMs } from "../../lib/producers/paced-run";
import {
  analysisMarkdown,
  bracket,
  commonRate,
  divergence,
  diverged,
  DEFAULT_SWEEP,
  divergenceMarkdown,
  isSaturated,
  nextProbe,
  parseEndToEndLatency,
  roundRate,
  runPerfToolAt,
  samplesNeeded,
  saturation,
  searchSustainable,
  sustains,
  sweepCommand,
  validateSweep,
  OPTION_KEYS,
  type StepResult,
  type Sustainable,
  type SweepProducer,
  type SweepResult,
} from "../../lib/latency-under-load";
import { perfToolArgs, PerfToolError, validateWorkload } from "../../lib/bench";
import type { KafkaConnection } from "../../lib/config";

test("a step's schedule holds floor(rate × duration) records, the first due at once, evenly spaced", () => {
  assert.equal(scheduledRecords(1_000, 2_000), 2_000);
  assert.equal(scheduledRecords(0.1, 30_000), 3, "0.1/s for 30 s is 3 records, not 2 by rounding");
  assert.equal(scheduledRecords(3, 1_000), 3);
  assert.equal(scheduledRecords(7, 500), 3);
  assert.equal(scheduledRecords(0, 1_000), 0);
  const t = intendedTimes(100, 4, 4);
  assert.deepEqual([...t], [100, 350, 600, 850]);
  assert.ok(Math.abs(intendedOffset(1_000_000 / 3, 3) - 0.009) < 1e-12, "3 µs apart at 333,333/s");
});

test("dueCount agrees with the intended times for awkward rates, never passes the step's records, and is 0 before t0", () => {
  for (const rate of [3, 7, 333, 1_000_000 / 3, 99_999]) {
    const count = 500;
    for (let i = 0; i < count; i++) {
      const at = intendedOffset(rate, i);
      assert.ok(dueCount(rate, at, count) >= i + 1, `rate ${rate}: record ${i} is due at its intended time`);
      assert.ok(dueCount(rate, at - 1e-7, count) <= i, `rate ${rate}: record ${i} is not due before it`);
    }
    assert.equal(dueCount(rate, 1e12, count), count);
  }
  assert.equal(dueCount(1_000, -0.5, 10), 0);
  assert.equal(dueCount(1_000, Number.NaN, 10), 0);
  assert.equal(dueCount(1_000, 0, 10), 1, "the first record is due at t0");
});

test("a paced step may run over by 2% of its length (at least 20 ms) to finish its schedule; rate 0 gets no grace", () => {
  assert.equal(sendWindowMs(1_000, 10_000), 10_200);
  assert.equal(sendWindowMs(1_000, 500), 500 + SEND_GRACE_MIN_MS);
  assert.equal(sendWindowMs(0, 10_000), 10_000);
});

const lat = (p50: number, p99: number): LatencySummary => ({
  count: 1,
  p50_ms: p50,
  p95_ms: p99,
  p99_ms: p99,
  p999_ms: p99,
  max_ms: p99,
  mean_ms: p50,
});

function step(producer: SweepProducer, offered: number, o: Partial<StepResult> = {}): StepResult {
  return {
    producer,
    probe: "grid",
    offered_per_s: offered,
    achieved_per_s: offered,
    missed: 0,
    behind_at_end_ms: 0,
    from_intended: lat(2, 5),
    from_send: lat(1.5, 4),
    send_lag: lat(0.5, 1),
    failed: 0,
    scheduled: offered * 10,
    sent: offered * 10,
    delivered: offered * 10,
    wall_s: 10,
    saturation: "",
    saturated: false,
    e2e: lat(3, 8),
    errors: [],
    ...o,
  };
}

test("saturation: less than 98% of the offered rate delivered, or records left unsent, each said in words", () => {
  assert.equal(saturation({ offered_per_s: 1_000, achieved_per_s: 985, missed: 0, behind_at_end_ms: 0 }), "");
  assert.match(
    saturation({ offered_per_s: 1_000, achieved_per_s: 970, missed: 0, behind_at_end_ms: 0 }),
    /achieved 97\.0 % of the offered rate/,
  );
  const both = saturation({ offered_per_s: 8_000, achieved_per_s: 3_500, missed: 8_932, behind_at_end_ms: 1_116 });
  assert.match(both, /43\.8 %.*8,932 records never sent \(1\.12 s behind at the end\)/);
  assert.ok(
    isSaturated({ offered_per_s: 1_000, achieved_per_s: Number.NaN, missed: 0, behind_at_end_ms: 0 }),
    "nothing delivered is saturated",
  );
});

test("sustained: kept up, nothing failed, and p99 publish (from the intended time, else from the send) within the bound", () => {
  assert.ok(sustains(step("ours-async", 1_000), 5));
  assert.ok(!sustains(step("ours-async", 1_000), 4.9));
  assert.ok(!sustains(step("ours-async", 1_000, { achieved_per_s: 900 }), 50));
  assert.ok(!sustains(step("ours-async", 1_000, { failed: 1 }), 50));
  const java = step("perf-tool", 1_000, { from_intended: { ...NO_LATENCY }, from_send: lat(3, 9) });
  assert.ok(sustains(java, 9) && !sustains(java, 8), "Java's tool is judged on its own send-time p99");
});

test("the search's bracket, its rounded geometric probes, and when it stops", () => {
  const at = (...xs: [number, boolean][]) => xs.map(([rate, ok]) => ({ rate, ok }));
  assert.deepEqual(bracket(at([1_000, true], [2_000, true], [5_000, false], [10_000, false])), { lo: 2_000, hi: 5_000, below: [] });
  assert.deepEqual(
    bracket(at([1_000, false], [2_000, true], [5_000, true], [10_000, false])),
    { lo: 5_000, hi: 10_000, below: [1_000] },
    "a failure below rates that sustained is a disturbance, not the limit",
  );
  assert.deepEqual(bracket(at([1_000, false])), { lo: undefined, hi: 1_000, below: [] });
  assert.equal(roundRate(12_345), 12_000);
  assert.equal(roundRate(3_162.3), 3_200);
  assert.equal(roundRate(7), 7);
  assert.equal(nextProbe(2_000, 5_000), 3_200);
  assert.equal(nextProbe(1_000, 1_090), undefined, "within 10% there is nothing left to search");
  assert.equal(nextProbe(10, 12, 0.01), 11);
});

test("searchSustainable narrows the bracket with at most maxProbes steps and says how to read an unbracketed answer", async () => {
  const capacity = 3_456;
  const tried: number[] = [];
  const probe = async (rate: number) => {
    tried.push(rate);
    return rate <= capacity;
  };
  const grid = [1_000, 2_000, 5_000, 10_000].map((rate) => ({ rate, ok: rate <= capacity }));
  const s = await searchSustainable("ours-sync", 50, grid, probe, 3);
  assert.deepEqual(tried, [3_200, 4_000, 3_600]);
  assert.deepEqual([s.rate, s.fails_at, s.note], [3_200, 3_600, ""]);
  const none = await searchSustainable("ours-sync", 50, [{ rate: 1_000, ok: false }], probe, 3);
  assert.ok(Number.isNaN(none.rate));
  assert.match(none.note, /below 1,000 msgs\/s/);
  const all = await searchSustainable("ours-async", 50, [{ rate: 1_000, ok: true }], probe, 3);
  assert.equal(all.rate, 1_000);
  assert.match(all.note, /at least 1,000 msgs\/s/);
  const noisy = await searchSustainable("perf-tool", 50, [{ rate: 1_000, ok: false }, ...grid.slice(1)], probe, 0);
  assert.deepEqual([noisy.rate, noisy.fails_at], [2_000, 5_000]);
  assert.match(noisy.note, /^1,000 msgs\/s failed below rates that sustained it: a disturbance of the run, not the limit$/);
});

test("the latencies part where the median record waits ≥ 10 ms and ≥ half its send latency to be sent; a p99-only gap (a stall) is not parting", () => {
  const ok = step("ours-sync", 1_000, { from_intended: lat(1.4, 32), from_send: lat(0.3, 1.3) });
  const behind = step("ours-sync", 5_000, { from_intended: lat(577, 1_108), from_send: lat(0.25, 0.9), saturated: true });
  const queued = step("ours-async", 200_000, { from_intended: lat(850, 2_000), from_send: lat(600, 700) });
  assert.ok(!diverged(ok) && diverged(behind) && !diverged(queued));
  assert.equal(divergence([behind, ok], "ours-sync"), behind);
  assert.equal(divergence([ok], "ours-sync"), undefined);
  const md = divergenceMarkdown(result([ok, behind]));
  assert.match(md, /from \*\*5,000 msgs\/s\*\* the two latencies part/);
  assert.match(
    md,
    /Below that, at 1,000 msgs\/s, p99 from the intended time is 32 ms against 1\.30 ms from the send while the medians stay together/,
  );
});

function result(steps: StepResult[], producers: SweepProducer[] = ["ours-sync", "ours-async", "perf-tool"]): SweepResult {
  return {
    params: { ...DEFAULT_SWEEP, rates: [...new Set(steps.map((s) => s.offered_per_s))] },
    target: { target: "embedded broker" } as SweepResult["target"],
    environment: {},
    client: "test",
    javaTool: "test",
    startedAt: "",
    producers,
    steps,
    sustainable: [],
    failedSteps: [],
    elapsed_s: 60,
    partial: false,
  };
}

test("the common rate is the highest grid rate every producer kept up with", () => {
  const steps = [
    step("ours-sync", 1_000),
    step("ours-async", 1_000),
    step("ours-sync", 2_000),
    step("ours-async", 2_000),
    step("ours-sync", 5_000, { achieved_per_s: 3_000 }),
    step("ours-async", 5_000),
  ];
  assert.equal(commonRate(steps, ["ours-sync", "ours-async"]), 2_000);
  assert.equal(commonRate(steps, ["ours-async"]), 5_000);
  assert.ok(Number.isNaN(commonRate(steps.slice(4, 5), ["ours-sync"])));
});

test("the answer to 'when is the synchronous producer better?' quotes the run's own figures", () => {
  const steps = [
    step("ours-sync", 1_000, { from_intended: lat(0.9, 3.3) }),
    step("ours-async", 1_000, { from_intended: lat(5.2, 8.2) }),
    step("ours-sync", 2_000, { from_intended: lat(0.8, 2.5) }),
    step("ours-async", 2_000, { from_intended: lat(5.1, 8.9) }),
    step("ours-sync", 5_000, {
      achieved_per_s: 3_100,
      missed: 9_000,
      behind_at_end_ms: 3_800,
      saturation: "achieved 62.0 %",
      saturated: true,
    }),
    step("ours-async", 5_000),
  ];
  const md = analysisMarkdown(result(steps, ["ours-sync", "ours-async"]));
  assert.match(md, /kept up with 2 rates of the grid, up to 2,000 msgs\/s/);
  assert.match(md, /\| 1,000 \| 0\.90 ms \| 5\.20 ms \| 3\.30 ms \| 8\.20 ms \|/);
  assert.match(md, /median is lower at 2 of 2/);
  assert.match(md, /From 5,000 msgs\/s it cannot keep up: achieved 62\.0 %; it delivered 3,100 msgs\/s/);
  assert.match(
    md,
    /better choice for a record's own latency at rates up to about 2,000 msgs\/s: its median from the intended time was 0\.80 ms–0\.90 ms against 5\.10 ms–5\.20 ms, and its p99 was lower too/,
  );
  // A new sentence after "before the next is sent.": it starts with a capital.
  assert.match(md, /before the next is sent\. From 5,000 msgs\/s it cannot keep up at all/);
});

function sustained(producer: SweepProducer, rate: number): Sustainable {
  return { producer, bound_ms: 50, rate, fails_at: NaN, probes: [], note: "" };
}

test("a synchronous producer that never saturated kept up at every rate tried; the sustainable rates' ratio keeps a decimal below 10", () => {
  const steps = [
    step("ours-sync", 1_000, { from_intended: lat(0.9, 3.3) }),
    step("ours-async", 1_000, { from_intended: lat(5.2, 8.2) }),
    step("ours-sync", 2_000, { from_intended: lat(6.0, 9.5) }),
    step("ours-async", 2_000, { from_intended: lat(5.1, 8.9) }),
  ];
  const r = { ...result(steps, ["ours-sync", "ours-async"]), sustainable: [sustained("ours-sync", 2_000), sustained("ours-async", 2_800)] };
  const md = analysisMarkdown(r);
  assert.doesNotMatch(md, /cannot keep up|by far/);
  assert.match(md, /2,000 msgs\/s synchronous, 2,800 msgs\/s asynchronous \(1\.4×\)/);
  assert.match(
    md,
    /at rates up to about 1,000 msgs\/s: .*From 2,000 msgs\/s its median is no longer lower; it kept up at every rate tried, up to 2,000 msgs\/s, so this run does not show where it stops keeping up\./,
  );
  // Its median not lower even at the lowest rate: the other closing sentence, again without a rate it could not keep up with.
  const notLower = analysisMarkdown(result(steps.slice(2), ["ours-sync", "ours-async"]));
  assert.doesNotMatch(notLower, /cannot keep up|only below/);
  assert.match(
    notLower,
    /not lower even at the lowest rate tried, 2,000 msgs\/s; it is the better choice only when each record must be acknowledged before the next is sent \(it kept up at every rate tried, up to 2,000 msgs\/s\)\./,
  );
  // Where it saturated, the asynchronous producer is the better choice by the ratio computed, not "by far".
  const saturated = step("ours-sync", 5_000, { achieved_per_s: 3_100, saturation: "achieved 62.0 %", saturated: true });
  const past = analysisMarkdown({
    ...result([...steps, saturated, step("ours-async", 5_000)], ["ours-sync", "ours-async"]),
    sustainable: [sustained("ours-sync", 2_000), sustained("ours-async", 25_000)],
  });
  assert.match(past, /\(13×\)/);
  assert.match(
    past,
    /from 5,000 msgs\/s it cannot keep up at all, and the asynchronous producer is the better choice \(it sustained 13× the synchronous producer's rate with p99 ≤ 50 ms\)\./,
  );
});

test("parameters: rates and percentiles are checked, and a duration too short for the percentiles says how many records they need", () => {
  assert.equal(samplesNeeded(99), 1_000);
  assert.equal(samplesNeeded(99.9), 10_000);
  assert.equal(samplesNeeded(50), 20);
  assert.deepEqual(validateSweep({ rates: "5000, 1000,1000" }).rates, [1_000, 5_000]);
  assert.throws(
    () => validateSweep({ rates: "1000,-5" }),
    (e: Error) => e instanceof ConfigError && /SWEEP_RATES: '-5' is negative; use offered rates/.test(e.message),
  );
  assert.throws(() => validateSweep({ rates: "fast" }), /SWEEP_RATES: 'fast' is not a number/);
  assert.throws(() => validateSweep({ rates: "0" }), /Rate 0, as fast as possible, is the closed loop of `npm run bench`/);
  assert.throws(() => validateSweep({ rates: "" }), /SWEEP_RATES: is empty/);
  assert.throws(() => validateSweep({ percentiles: "50,100" }), /SWEEP_PERCENTILES: '100' is not a percentile/);
  assert.throws(
    () => validateSweep({ rates: "500,1000", durationS: 5 }),
    (e: Error) =>
      e instanceof ConfigError &&
      e.key === "SWEEP_DURATION_S" &&
      /gives 2,500 records per step, but p99\.9 needs at least 10,000 .*Hold each step at least 20 s, raise the lowest rate in SWEEP_RATES to 2,000/.test(
        e.message,
      ),
  );
  assert.doesNotThrow(() => validateSweep({ rates: "500,1000", durationS: 5, percentiles: "50,99" }));
  assert.throws(() => validateSweep({ durationS: 0.5 }, OPTION_KEYS), /--duration: '0\.5' is not allowed/);
  assert.throws(() => validateSweep({ rates: "10000000", durationS: 10 }), /records in one step; at most 20,000,000 fit/);
});

test("npm run bench -- --sweep rejects a bad rate before connecting, naming its option", async () => {
  await assert.rejects(sweepCommand(["--sweep", "--rates", "1000,abc"]), (e: Error) => e instanceof ConfigError && e.key === "--rates");
  await assert.rejects(sweepCommand(["--sweep", "--bogus", "1"]), /Unknown option '--bogus'/);
});

test("Java's tools: ProducerPerformance's arguments at a rate, EndToEndLatency's summary parsed, secured targets refused", async () => {
  const args = perfToolArgs(validateWorkload({ records: 1_000, warmupRecords: 100 }), "t", "127.0.0.1:9092", { throughput: 2_500 });
  assert.equal(args[args.indexOf("--throughput") + 1], "2500");
  assert.equal(args.filter((a) => a === "--throughput").length, 1);
  const out = "0\t131.35\n1000\t1.61\nAvg latency: 2.4651 ms\nPercentiles: 50th = 1, 99th = 10, 99.9th = 43\n";
  assert.deepEqual(parseEndToEndLatency(out), { mean_ms: 2.4651, p50_ms: 1, p99_ms: 10, p999_ms: 43 });
  assert.equal(parseEndToEndLatency("Avg latency: 2 ms\n"), undefined);
  // The bench's check, with its message: nothing is started for a secured target.
  const secured = { securityProtocol: "SASL_SSL", bootstrapServers: "host:9092" } as KafkaConnection;
  await assert.rejects(
    runPerfToolAt(secured, validateWorkload({ records: 1_000 }), "t", 2_500),
    (e: Error) =>
      e instanceof PerfToolError &&
      e.securedTarget &&
      /^The Java tools are run only against PLAINTEXT brokers \(this target is SASL_SSL: they would need its password on a command line\)/.test(
        e.message,
      ),
  );
});
