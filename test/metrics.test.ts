import { test } from "node:test";
import assert from "node:assert/strict";
import { batchBounds, batchesFrame, type BatchTiming, type BenchmarkResult, type ProducerRun } from "../lib/harness";
import { compare, mean, quantile, summarizeRun, summaryFrame } from "../lib/metrics";
import { consoleSummary, resultsMarkdown, runSummary } from "../lib/report";
import { batchTimesFigure, figureHtml, resetPlotlyBundle } from "../lib/charts";
import type { ProducerMode } from "../lib/producers";

function batch(producer: ProducerMode, n: number, elapsed: number, enqueue: number, interval: number): BatchTiming {
  return { producer, batch: n, messages: 500, start_ms: 0, enqueue_ms: enqueue, elapsed_ms: elapsed, ack_interval_ms: interval, delivered: 500, failed: 0 };
}

// Hand-made runs: sync batches of 100/200/300/400 ms (1 s in all), async batches finishing 10 ms apart.
const syncRun: ProducerRun = {
  mode: "sync",
  settings: {},
  batches: [batch("sync", 1, 100, 100, 100), batch("sync", 2, 200, 200, 200), batch("sync", 3, 300, 300, 300), batch("sync", 4, 400, 400, 400)],
  latencyMs: new Float64Array([1, 2]),
  wallMs: 1000,
  delivered: 2000,
  failed: 0,
  queueFullWaits: 0,
  errors: [],
};
const asyncRun: ProducerRun = {
  ...syncRun,
  mode: "async",
  batches: [batch("async", 1, 10, 1, 10), batch("async", 2, 19, 1, 10), batch("async", 3, 28, 1, 10), batch("async", 4, 37, 1, 10)],
  wallMs: 40,
};
const result: BenchmarkResult = {
  params: { numMessages: 2000, batchSize: 500, topic: "t" },
  target: { target: "embedded broker", bootstrap_servers: "127.0.0.1:9092", security_protocol: "PLAINTEXT" },
  client: "@confluentinc/kafka-javascript 1.10.1",
  librdkafka: "2.15.1",
  serializer: "json",
  payloadBytes: { mean: 100, total: 200_000 },
  startedAt: "2026-01-01T00:00:00.000Z",
  runs: [syncRun, asyncRun],
  batches: batchesFrame([syncRun, asyncRun]),
};

test("batchBounds splits into full batches and a shorter last one", () => {
  assert.deepEqual(batchBounds(1200, 500), [
    { first: 0, count: 500 },
    { first: 500, count: 500 },
    { first: 1000, count: 200 },
  ]);
  assert.deepEqual(batchBounds(500, 500), [{ first: 0, count: 500 }]);
  assert.equal(batchBounds(20_000, 500).length, 40);
});

test("quantile interpolates linearly and ignores NaN", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  assert.equal(quantile([10, 20, NaN], 0.5), 15);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.equal(quantile([0, 100], 0.95), 95);
  assert.equal(mean([1, 2, NaN, 3]), 2);
});

test("summarizeRun against hand-computed values", () => {
  const s = summarizeRun(syncRun);
  assert.equal(s.batches, 4);
  assert.equal(s.messages, 2000);
  assert.equal(s.mean_batch_ms, 250);
  assert.equal(s.median_batch_ms, 250);
  assert.equal(s.p95_batch_ms, 385); // 300 + 0.85 * 100
  assert.equal(s.max_batch_ms, 400);
  assert.equal(s.wall_s, 1);
  assert.equal(s.msgs_per_s, 2000);
  const a = summarizeRun(asyncRun);
  assert.equal(a.mean_enqueue_ms, 1);
  assert.equal(a.mean_ack_interval_ms, 10);
  assert.equal(a.msgs_per_s, 50_000);
});

test("compare names the faster producer and the ratios", () => {
  const c = compare(result);
  assert.ok(c);
  assert.equal(c.faster, "async");
  assert.equal(c.wallRatio, 25);
  assert.equal(c.medianIntervalRatio, 250 / 10);
  assert.equal(compare({ ...result, runs: [syncRun] }), null);
});

test("the batches DataFrame and the summary frame", () => {
  assert.deepEqual(result.batches.columns, ["producer", "batch", "messages", "start_ms", "enqueue_ms", "elapsed_ms", "ack_interval_ms", "delivered", "failed"]);
  assert.equal(result.batches.height, 8);
  const f = summaryFrame(result);
  assert.equal(f.height, 2);
  assert.deepEqual(f.getColumn("mean_batch_ms").toArray(), [250, 23.5]);
});

test("texts are computed from the run and flag a contradiction", () => {
  const md = resultsMarkdown(result);
  assert.match(md, /\*\*asynchronous\*\* producer was faster/);
  assert.match(md, /25\.0× sooner/);
  assert.doesNotMatch(md, /contradicts/);
  const flipped = resultsMarkdown({ ...result, runs: [{ ...syncRun, wallMs: 10 }, asyncRun] });
  assert.match(flipped, /\*\*synchronous\*\* producer was faster/);
  assert.match(flipped, /contradicts/);
  const text = consoleSummary(runSummary(result));
  assert.match(text, /2,000 messages in 4 batches of 500 to embedded broker/);
  assert.match(text, /synchronous\s+250\.00 ms\s+250\.0 ms\s+250\.0 ms/);
  assert.match(text, /asynchronous producer delivered the same messages 25\.0× sooner/);
});

test("chart: log scale when the producers differ by more than 20x, and titled with the run", () => {
  const fig = batchTimesFigure(result);
  assert.equal((fig.layout.yaxis as { type: string }).type, "log");
  assert.equal(fig.data.length, 4);
  const title = (fig.layout.title as { text: string }).text;
  assert.match(title, /embedded broker · 2,000 messages · batches of 500 · @confluentinc\/kafka-javascript 1\.10\.1/);
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
