/** Notebook 01's numbers, charts and texts from hand-made runs whose every figure is known. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { latencySummary } from "../../lib/core/latency";
import type { StatsSample } from "../../lib/core/statistics";
import { throughput } from "../../lib/core/units";
import { figureHtml, resetPlotlyBundle } from "../../lib/notebook";
import type { ProducerMode } from "../../lib/producers";
import {
  batchDistributionFigure,
  batchesFrame,
  batchTimesFigure,
  compare,
  consoleSummary,
  cumulativeAcks,
  cumulativeFigure,
  latencyFigure,
  ratesFigure,
  reportSummary,
  requestRate,
  requestRateView,
  responseBinMs,
  responseRate,
  resultsMarkdown,
  settingsFrame,
  summaries,
  summaryFrame,
  writeResults,
  type BatchTiming,
  type BenchmarkResult,
  type ProducerRun,
} from "../../lib/producer-benchmark";

function batch(producer: ProducerMode, n: number, elapsed: number, enqueue: number, interval: number, warmup = false): BatchTiming {
  return {
    trial: 1,
    producer,
    batch: n,
    warmup,
    messages: 500,
    start_ms: 0,
    enqueue_ms: enqueue,
    elapsed_ms: elapsed,
    ack_interval_ms: interval,
    delivered: 500,
    failed: 0,
  };
}

function stats(t: number, produce: number): StatsSample {
  return { t_ms: t, requests_sent: produce, responses_received: produce, produce_requests: produce, queued_messages: 0, rtt_avg_us: 100 };
}

type Counts = { sent: number; delivered: number; failed: number };

/**
 * A run's figures from its own fields, payloads of 100 bytes: what the harness computes from its
 * recorder. The counts are given, or kept from the run it is made from.
 */
function withFigures(r: Omit<ProducerRun, "figures"> & (Counts | { figures: Counts })): ProducerRun {
  const { sent, delivered, failed } = "figures" in r ? r.figures : r;
  const {
    sent: _s,
    delivered: _d,
    failed: _f,
    figures: _old,
    ...run
  } = r as Omit<ProducerRun, "figures"> & Partial<Counts> & { figures?: Counts };
  const figures = {
    sent,
    delivered,
    failed,
    wall_s: r.wallMs / 1000,
    ...throughput(delivered, delivered * 100, r.wallMs),
    latency: latencySummary([r.latencyMs]),
  };
  return { ...run, figures };
}

// Hand-made runs. Sync: batches of 100/200/300/400 ms (1 s in all), one warm-up batch of 999 ms
// that must not count, latencies 1 ms and 3 ms, one produce request per message.
const syncRun: ProducerRun = withFigures({
  trial: 1,
  mode: "sync",
  settings: {},
  batches: [
    batch("sync", 0, 999, 999, NaN, true),
    batch("sync", 1, 100, 100, 100),
    batch("sync", 2, 200, 200, 200),
    batch("sync", 3, 300, 300, 300),
    batch("sync", 4, 400, 400, 400),
  ],
  latencyMs: new Float64Array([1, 3]),
  ackAtMs: new Float64Array([250, 500, 750, 1000]),
  wallMs: 1000,
  sent: 2000,
  delivered: 2000,
  failed: 0,
  partial: false,
  extra: { wait: "poll loop", attribution: "send order" },
  errors: [],
  stats: [stats(0, 0), stats(500, 1000), stats(1000, 2000)],
});
// Async: batches finishing 10 ms apart (40 ms in all), 4 produce requests.
const asyncRun: ProducerRun = withFigures({
  ...syncRun,
  mode: "async",
  batches: [batch("async", 1, 10, 1, 10), batch("async", 2, 19, 1, 10), batch("async", 3, 28, 1, 10), batch("async", 4, 37, 1, 10)],
  latencyMs: new Float64Array([10, 20, 30, 40]),
  ackAtMs: new Float64Array([10, 20, 30, 40]),
  wallMs: 40,
  extra: { window: 10_000, attribution: "opaque" },
  stats: [stats(0, 0), stats(40, 4)],
});
const result: BenchmarkResult = {
  params: { numMessages: 2000, batchSize: 500, topic: "t", trials: 1, warmupBatches: 1, serializer: "json" },
  target: { target: "embedded broker", bootstrap_servers: "127.0.0.1:9092", security_protocol: "PLAINTEXT" },
  client: "@confluentinc/kafka-javascript 1.10.1",
  librdkafka: "2.15.1",
  serializer: "json",
  payloadBytes: { mean: 100, total: 200_000 },
  startedAt: "2026-01-01T00:00:00.000Z",
  runs: [syncRun, asyncRun],
  batches: batchesFrame([...syncRun.batches, ...asyncRun.batches]),
  partial: false,
};

test("producer summaries against hand-computed values (warm-up excluded)", () => {
  const [s, a] = summaries(result);
  assert.equal(s.batches, 4);
  assert.equal(s.messages, 2000);
  assert.equal(s.mean_batch_ms, 250);
  assert.equal(s.median_batch_ms, 250);
  assert.equal(s.p95_batch_ms, 385); // 300 + 0.85 * 100
  assert.equal(s.p99_batch_ms, 397); // 300 + 0.97 * 100
  assert.equal(s.max_batch_ms, 400);
  assert.equal(s.wall_s, 1);
  assert.equal(s.msgs_per_s, 2000);
  assert.equal(s.response_rate, s.msgs_per_s, "the Appendix's response rate is the same figure");
  assert.equal(s.mb_per_s, 0.2); // 2000 messages × 100 bytes per second
  assert.equal(s.request_rate, 2000);
  assert.equal(s.requests_per_message, 1);
  assert.equal(a.mean_enqueue_ms, 1);
  assert.equal(a.median_ack_interval_ms, 10);
  assert.equal(a.msgs_per_s, 50_000);
  assert.equal(a.request_rate, 100);
  assert.equal(a.requests_per_message, 0.002);
  assert.equal(a.latency.count, 4);
});

test("response rate, request rate and cumulative acknowledgements over time", () => {
  // Acks at 250, 500, 750 and 1000 ms: one in [0, 500), three in [500, 1000] (the end belongs to the last bin).
  assert.deepEqual(responseRate(syncRun, 500), [
    { t_s: 0.25, acks_per_s: 2 },
    { t_s: 0.75, acks_per_s: 6 },
  ]);
  assert.deepEqual(requestRate(syncRun), [
    { t_s: 0.5, requests_per_s: 2000, responses_per_s: 2000, produce_per_s: 2000 },
    { t_s: 1, requests_per_s: 2000, responses_per_s: 2000, produce_per_s: 2000 },
  ]);
  assert.deepEqual(cumulativeAcks(asyncRun, 2), [
    { t_s: 0.02, acknowledged: 2 },
    { t_s: 0.04, acknowledged: 4 },
  ]);
});

test("compare names the faster producer and the ratios", () => {
  const c = compare(result);
  assert.ok(c);
  assert.equal(c.faster, "async");
  assert.equal(c.wallRatio, 25);
  assert.equal(c.medianIntervalRatio, 250 / 10);
  assert.deepEqual([c.trialsWon, c.trials], [1, 1]);
  assert.equal(compare({ ...result, runs: [syncRun] }), null);
});

test("the batches DataFrame and the summary frame", () => {
  assert.deepEqual(result.batches.columns, [
    "trial",
    "producer",
    "batch",
    "warmup",
    "messages",
    "start_ms",
    "enqueue_ms",
    "elapsed_ms",
    "ack_interval_ms",
    "delivered",
    "failed",
  ]);
  assert.equal(result.batches.height, 9);
  const f = summaryFrame(result);
  assert.equal(f.height, 2);
  assert.deepEqual(f.getColumn("mean_batch_ms").toArray(), [250, 23.5]);
});

test("texts are computed from the run and flag a contradiction", () => {
  const md = resultsMarkdown(result);
  assert.match(md, /\*\*asynchronous\*\* producer was faster/);
  assert.match(md, /25\.0× sooner \(faster in 1 of 1 trials\)/);
  assert.match(md, /synchronous 1\.000, asynchronous 0\.0020 \(about 500 messages per produce request\)/);
  assert.doesNotMatch(md, /contradicts|Partial/);
  const flipped = resultsMarkdown({ ...result, runs: [withFigures({ ...syncRun, wallMs: 10 }), asyncRun] });
  assert.match(flipped, /\*\*synchronous\*\* producer was faster/);
  assert.match(flipped, /contradicts/);
  assert.match(resultsMarkdown({ ...result, partial: true, stopReason: "interrupted" }), /Partial run\*\*: interrupted/);
  assert.match(md, /Requests per message, pooled over the 1 trial \(all produce requests ÷ all delivered messages, not a median\)/);
  // No statistics.interval.ms in these runs' settings: no sentence about their samples.
  assert.doesNotMatch(md, /librdkafka's statistics/);
  const sampled = { ...result, runs: result.runs.map((r) => ({ ...r, settings: { "statistics.interval.ms": 100 } })) };
  assert.match(
    resultsMarkdown(sampled),
    /the synchronous producer's 1 run got a median 3 samples each, one every 500 ms; the asynchronous producer's 1 run got a median 2 samples each, one every 40 ms\. librdkafka's CONFIGURATION\.md gives this setting a granularity of 1000 ms, but librdkafka 2\.15\.1 starts/,
  );
  // Spacings of 500 and 40 ms are not the configured 100 ms: the text names the measured median instead of claiming it.
  assert.match(resultsMarkdown(sampled), /src\/rdkafka\.c\); the samples measured here came a median 270 ms apart, not 100 ms\. /);
  const text = consoleSummary(reportSummary(result));
  assert.match(text, /2,000 messages in 4 batches of 500, 1 trial\(s\), to embedded broker/);
  assert.match(text, /synchronous\s+250\.00 ms\s+250\.0 ms\s+250\.0 ms/);
  assert.match(text, /asynchronous producer delivered the same messages 25\.0× sooner/);
});

test("the statistics sentence says the measured spacing shows the configured interval only when it is within 10% of it", () => {
  const spaced = (interval: number, gap: number, samples = 3): BenchmarkResult => ({
    ...result,
    runs: result.runs.map((r) => ({
      ...r,
      settings: { "statistics.interval.ms": interval },
      stats: Array.from({ length: samples }, (_, i) => stats(i * gap, 2 * i)),
    })),
  });
  const shows =
    /starts its statistics timer at exactly the configured interval \(`rd_kafka_thread_main\(\)` in src\/rdkafka\.c\), as the spacing measured here shows\. /;
  assert.match(resultsMarkdown(spaced(100, 100)), shows);
  assert.match(resultsMarkdown(spaced(100, 109)), shows, "within 10%");
  assert.match(resultsMarkdown(spaced(100, 91)), shows, "within 10%");
  const far = resultsMarkdown(spaced(100, 250));
  assert.doesNotMatch(far, /as the spacing measured here shows/);
  assert.match(
    far,
    /starts its statistics timer at exactly the configured interval \(`rd_kafka_thread_main\(\)` in src\/rdkafka\.c\); the samples measured here came a median 250 ms apart, not 100 ms\. The rate chart/,
  );
  assert.match(resultsMarkdown(spaced(100, 115)), /came a median 115 ms apart, not 100 ms/, "more than 10% off");
  const single = resultsMarkdown(spaced(100, 100, 1));
  assert.doesNotMatch(single, /as the spacing measured here shows/);
  assert.match(single, /src\/rdkafka\.c\)\. No run here got two samples, so the spacing could not be measured\. /);
});

test("writeResults writes the data behind every chart", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-results-"));
  const out = writeResults(result, "x", dir);
  for (const f of Object.values(out)) assert.ok(fs.statSync(f).size > 0, f);
  assert.equal(fs.readFileSync(out.batches, "utf8").trim().split("\n").length, 10);
  const json = JSON.parse(fs.readFileSync(out.json, "utf8"));
  assert.equal(json.comparison.faster, "async");
  assert.equal(json.partial, false);
  // One line in the run history, whose series are each producer's trials; written again, still one.
  writeResults(result, "x", dir);
  const history = fs.readFileSync(path.join(dir, "history.jsonl"), "utf8").trim().split("\n");
  assert.equal(history.length, 1);
  const entry = JSON.parse(history[0]);
  assert.equal(entry.kind, "notebook-01");
  assert.deepEqual(
    entry.series.map((s: { key: string }) => s.key),
    ["sync · msgs/s", "sync · p50 ms", "async · msgs/s", "async · p50 ms"],
  );
  fs.rmSync(dir, { recursive: true });
});

test("every chart is titled with the run and has axis units", () => {
  for (const fig of [
    batchTimesFigure(result),
    batchDistributionFigure(result),
    cumulativeFigure(result),
    latencyFigure(result),
    ratesFigure(result),
  ]) {
    const title = (fig.layout.title as { text: string }).text;
    assert.match(title, /embedded broker · 2,000 messages · batches of 500 · json · @confluentinc\/kafka-javascript 1\.10\.1/);
    assert.match(JSON.stringify(fig.layout.yaxis), /\((ms|%)|ms per batch|per second|messages/);
    assert.ok(fig.data.length >= 2);
  }
});

test("chart: log scale when the producers differ by more than 20x, and titled with the run", () => {
  const fig = batchTimesFigure(result);
  assert.equal((fig.layout.yaxis as { type: string }).type, "log");
  assert.equal(fig.data.length, 4);
  assert.deepEqual((fig.data[0] as { x: number[] }).x, [0, 1, 2, 3, 4], "warm-up batch 0 drawn, shaded");
  const title = (fig.layout.title as { text: string }).text;
  assert.match(title, /embedded broker · 2,000 messages · batches of 500 · json · @confluentinc\/kafka-javascript 1\.10\.1/);
  const close = batchTimesFigure({ ...result, runs: [syncRun] });
  assert.equal((close.layout.yaxis as { type: string }).type, "linear");
});

test("chart HTML: bundle once per session, data cannot close the script element", () => {
  resetPlotlyBundle();
  const fig = { data: [{ type: "scatter", x: [1], y: [2], name: "</script><b>x" }], layout: {} };
  const first = figureHtml(fig);
  const second = figureHtml(fig);
  assert.ok(first.length > 1_000_000, "first chart inlines plotly.min.js");
  assert.ok(second.length < 5_000, "later charts do not");
  assert.equal(second.match(/<\/script>/g)?.length, 1);
  assert.ok(!second.includes("</script><b>"));
});

test("rates and summaries work for runs far larger than a spread argument allows", () => {
  const n = 300_000;
  const big: ProducerRun = withFigures({
    ...asyncRun,
    latencyMs: new Float64Array(n).fill(1),
    ackAtMs: Float64Array.from({ length: n }, (_, i) => i / 10),
    wallMs: n / 10,
  });
  const bins = responseRate(big, big.wallMs / 10);
  assert.equal(bins.length, 10);
  assert.equal(
    bins.reduce((s, b) => s + (b.acks_per_s * big.wallMs) / 10 / 1000, 0),
    n,
  );
  assert.equal(cumulativeAcks(big).at(-1)?.acknowledged, n);
});

test("a run too short for a request rate over time shows the rate over the whole run, and says so", () => {
  const view = requestRateView(asyncRun);
  assert.equal(view.overTime, false, "one statistics window is too few");
  assert.equal(view.wholeRun, 100, "4 produce requests in 40 ms");
  assert.equal(responseBinMs(asyncRun), 1, "a 40th of 40 ms, at least 1 ms");
  const fig = ratesFigure(result);
  const names = fig.data.map((d) => String(d.name));
  assert.ok(
    names.some((n) => /asynchronous: request rate over the whole run \(produce requests\/s; too short for a rate over time\)/.test(n)),
    names.join(" | "),
  );
  assert.ok(
    names.some((n) => /asynchronous: response rate \(acks\/s, 1\.0 ms windows\)/.test(n)),
    names.join(" | "),
  );
  const withInterval = { ...result, runs: result.runs.map((r) => ({ ...r, settings: { "statistics.interval.ms": 100 } })) };
  assert.match(
    resultsMarkdown(withInterval),
    /too few for a request rate over time, so the chart shows the rate over the whole run \(100 produce requests\/s\)/,
  );
});

test("the settings table says how each producer waits and matches its reports, from the run", () => {
  const rows = settingsFrame(result).toRecords() as Record<string, string>[];
  const row = (name: string) => rows.find((r) => r.setting === name);
  assert.equal(row("(ours) waits")?.synchronous, "for each acknowledgement, by poll loop");
  assert.match(String(row("(ours) waits")?.asynchronous), /at most 10,000 messages ahead of the reports/);
  assert.match(String(row("(ours) reports matched by")?.synchronous), /^send order per partition/);
  assert.match(String(row("(ours) reports matched by")?.asynchronous), /^the opaque/, "the run fell back to the opaque: the table says so");
  const before = settingsFrame().toRecords() as Record<string, string>[];
  assert.match(
    String(before.find((r) => r.setting === "(ours) reports matched by")?.asynchronous),
    /^send order/,
    "before a run: the defaults",
  );
});
