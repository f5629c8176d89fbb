/** The pure core: the recorders, latency summary, statistics, units, validation, errors, waiting and formatting. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConfigError,
  DeliveryError,
  DeliveryRecorder,
  errorText,
  EXIT_CODES,
  exitCodeOf,
  fmt,
  fmtMs,
  fmtPct,
  InterruptedError,
  KppError,
  latencyCdf,
  latencySummary,
  mean,
  Notifier,
  OUTCOME,
  quantile,
  settleWithin,
  sleep,
  spread,
  StatisticsRecorder,
  textTable,
  throughput,
  UsageError,
  wholeNumber,
  withTimeout,
  oneOf,
  flag,
} from "../../lib/core";

test("the recorder counts, keeps per-record times and the first distinct errors", () => {
  const r = new DeliveryRecorder({ capacity: 4 });
  r.markSent(0, 10);
  r.markSent(0, 11); // a retry after a full queue: the first attempt counts
  r.markSent(1, 12);
  r.markSent(2, 13);
  r.record(1, true, 20);
  r.record(0, true, 19);
  r.record(2, false, 25, "Local: Message timed out");
  r.record(3, false, 26, "Local: Message timed out");
  assert.deepEqual([r.delivered, r.failed, r.acknowledged], [2, 2, 4]);
  assert.equal(r.lastAckAt, 26, "the latest acknowledgement, whatever the order reports came in");
  assert.deepEqual(r.errors, ["Local: Message timed out"], "a repeated error is kept once");
  assert.deepEqual([...r.outcome], [OUTCOME.delivered, OUTCOME.delivered, OUTCOME.failed, OUTCOME.failed]);
  const lat = r.latencies();
  assert.deepEqual([lat[0], lat[1], lat[2]], [9, 8, 12]);
  assert.ok(Number.isNaN(lat[3]), "no send time, no latency");
});

test("a counts-only recorder keeps no per-record arrays and ignores sequence numbers beyond its capacity", () => {
  const r = new DeliveryRecorder({ capacity: 1_000_000, perRecord: false });
  assert.equal(r.ackAt.length, 0);
  r.markSent(5, 1);
  r.record(5, true, 2);
  r.record(2_000_000, true, 3);
  assert.equal(r.delivered, 2);
  assert.equal(r.latencySummary().count, 0);
});

test("latency percentiles from the HDR histogram, in ms", () => {
  const xs = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) / 10); // 0.1 ms .. 100 ms
  const l = latencySummary([xs, new Float64Array([NaN, -1])]);
  assert.equal(l.count, 1000);
  const near = (x: number, want: number) => assert.ok(Math.abs(x - want) / want < 0.002, `${x} vs ${want}`);
  near(l.p50_ms, 50);
  near(l.p95_ms, 95);
  near(l.p99_ms, 99);
  near(l.p999_ms, 99.9);
  near(l.max_ms, 100);
  near(l.mean_ms, 50.05);
  assert.ok(l.p999_ms <= l.max_ms, "a percentile never passes the maximum");
  assert.ok(Number.isNaN(latencySummary([]).p50_ms));
  const cdf = latencyCdf([xs], [0, 50, 100]);
  assert.deepEqual(
    cdf.map((p) => p.percentile),
    [0, 50, 100],
  );
  near(cdf[2].latency_ms, 100);
});

const statsJson = (tx: number, rx: number, produce: number, rtt: { p50: number; avg: number; cnt: number }) =>
  JSON.stringify({
    ts: 0,
    tx,
    rx,
    txmsgs: 0,
    msg_cnt: 7,
    brokers: {
      bootstrap: { nodeid: -1, tx: 1, rx: 1, rtt: { min: 0, max: 0, avg: 9_999, p50: 9_999, p99: 0, cnt: 5 } },
      "1": {
        nodeid: 1,
        tx,
        rx,
        req: { Produce: produce },
        rtt: { min: 0, max: 0, p99: 0, ...rtt },
        int_latency: { min: 0, max: 0, avg: 0, p50: 50, p99: 0, cnt: rtt.cnt },
      },
    },
  });

test("librdkafka statistics: counters from the baseline, request-weighted rtt, bootstrap connection left out", () => {
  const s = new StatisticsRecorder();
  s.add(statsJson(10, 10, 4, { p50: 100, avg: 100, cnt: 1 }), 0); // before timing: the baseline
  s.start(1_000);
  s.add(statsJson(110, 105, 104, { p50: 200, avg: 250, cnt: 100 }), 1_100);
  s.add(statsJson(410, 405, 404, { p50: 400, avg: 450, cnt: 300 }), 1_200);
  s.add("{ not json", 1_300);
  assert.equal(s.malformed, 1);
  assert.deepEqual(s.last, {
    t_ms: 200,
    requests_sent: 400,
    responses_received: 395,
    produce_requests: 400,
    queued_messages: 7,
    rtt_avg_us: 450,
  });
  assert.equal(s.samples.length, 3, "the baseline sample and two emissions");
  // (100 · 0.2 + 300 · 0.4) / 400 = 0.35 ms; means (100 · 0.25 + 300 · 0.45) / 400 = 0.4 ms
  const rtt = s.rtt();
  assert.equal(rtt.requests, 400);
  assert.ok(Math.abs(rtt.p50_ms - 0.35) < 1e-9 && Math.abs(rtt.avg_ms - 0.4) < 1e-9, JSON.stringify(rtt));
  assert.ok(Math.abs(s.queueMedians().int_latency_p50_ms - 0.05) < 1e-9);
});

test("one unit of data rate: MB = 10^6 bytes", () => {
  assert.deepEqual(throughput(2_000, 200_000, 1_000), { msgs_per_s: 2_000, mb_per_s: 0.2 });
  assert.ok(Number.isNaN(throughput(1, 1, 0).msgs_per_s));
});

test("stats: quantile interpolates and skips NaN; spread gives median, min and max", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([10, 20, NaN], 0.5), 15);
  assert.equal(quantile([0, 100], 0.95), 95);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.equal(mean([1, 2, NaN, 3]), 2);
  assert.deepEqual(spread([3, NaN, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
});

test("validation names the key and what is allowed", () => {
  assert.equal(wholeNumber("N", "20_000", { min: 1 }), 20_000);
  assert.equal(wholeNumber("N", 0, { min: 0 }), 0);
  const bad: [() => unknown, RegExp][] = [
    [() => wholeNumber("NUM", "lots", { min: 1 }), /^NUM: 'lots' is not allowed; use a whole number greater than 0\.$/],
    [() => wholeNumber("W", "-1", { min: 0 }), /^W: '-1' is not allowed; use a whole number, 0 or more\.$/],
    [() => wholeNumber("--repeats", "99", { min: 1, max: 50 }), /^--repeats: '99' is not allowed; use a whole number from 1 to 50\.$/],
    [() => wholeNumber("X", "", { min: 1 }), /^X: '' is not allowed/],
    [() => oneOf("acks", "2", ["0", "1", "all"] as const), /^acks: '2' is not allowed; use one of 0, 1, all\.$/],
    [() => flag("keyed", "maybe"), /^keyed: 'maybe' is not allowed; use true or false\.$/],
  ];
  for (const [fn, re] of bad) assert.throws(fn, (e: unknown) => e instanceof ConfigError && re.test(e.message));
  assert.equal(oneOf("acks", "-1", ["0", "1", "all"] as const, { "-1": "all" }), "all");
  assert.equal(oneOf("SERIALIZER", "AVRO", ["json", "avro"] as const), "avro");
  assert.equal(flag("keyed", "yes"), true);
});

test("every user-facing error is a KppError whose kind decides the exit code", () => {
  assert.equal(exitCodeOf(new ConfigError("K", "bad")), EXIT_CODES.config);
  assert.equal(exitCodeOf(new UsageError("bad")), 2);
  assert.equal(exitCodeOf(new KppError("connection", "down")), 3);
  assert.equal(exitCodeOf(new DeliveryError("failed")), 4);
  assert.equal(exitCodeOf(new InterruptedError()), 130);
  assert.equal(exitCodeOf(new Error("bug")), 1);
  assert.equal(new ConfigError("K", "bad").name, "ConfigError");
  assert.equal(errorText(new ConfigError("K", "bad")), "Error: K: bad");
  assert.match(errorText(new Error("bug")), /^Error: bug\n\s+at /, "a bug keeps its stack");
});

test("waiting is bounded: withTimeout rejects, settleWithin resolves, sleep ends on abort", async () => {
  await assert.rejects(
    withTimeout(new Promise(() => undefined), 10, () => new Error("late")),
    /late/,
  );
  assert.equal(await withTimeout(Promise.resolve(3), 1_000, () => new Error("late")), 3);
  await settleWithin(Promise.reject(new Error("ignored")), 10);
  await settleWithin(new Promise(() => undefined), 10);
  const abort = new AbortController();
  const t0 = Date.now();
  setTimeout(() => abort.abort(), 10);
  await sleep(10_000, abort.signal);
  assert.ok(Date.now() - t0 < 1_000);
  const n = new Notifier();
  const next = n.next(10_000);
  n.notify();
  await next;
  await n.next(5); // nobody notifies: it ends by itself
});

test("one formatter: grouping, fixed digits, n/a for missing values", () => {
  assert.equal(fmt(1234.5), "1,235");
  assert.equal(fmt(1234.5, 2), "1,234.50");
  assert.equal(fmt(NaN), "n/a");
  assert.equal(fmtMs(0.1234, 3), "0.123 ms");
  assert.equal(fmtPct(0.0123), "1.23%");
  assert.deepEqual(
    textTable(
      [
        ["a", "bb"],
        ["ccc", "1"],
      ],
      { rule: true },
    ),
    ["a    bb", "---  --", "ccc   1"],
  );
});
