/** Integration: both producers against the real embedded broker, and everything read back. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config";
import { readTopic } from "../../lib/consumers";
import { ensureTopic } from "../../lib/kafka";
import { loadParams, runBenchmark, type BenchmarkResult } from "../../lib/producer-benchmark";
import { AsyncProducer, generatePurchases, jsonSerializer, Purchase, SyncProducer } from "../../lib/producers";

const connection = loadConnection({});
const N = 1200; // two full batches of 500 and a short one
const purchases = generatePurchases(N, { seed: 7 });
const topic = `test-producers-${Date.now()}`;
let result: BenchmarkResult;

before(async () => {
  await ensureBroker();
  const params = loadParams({ numMessages: N, batchSize: 500, topic, trials: 1, warmupBatches: 1 }, {});
  result = await runBenchmark({ connection, params, purchases });
});

test("both producers deliver every message, in batches of 500", () => {
  assert.deepEqual(
    result.runs.map((r) => r.mode),
    ["sync", "async"],
  );
  for (const run of result.runs) {
    assert.equal(run.figures.delivered, N, `${run.mode} delivered`);
    assert.equal(run.figures.failed, 0, `${run.mode} failed: ${run.errors.join("; ")}`);
    assert.equal(run.figures.sent, N);
    assert.equal(run.partial, false);
    assert.deepEqual(
      run.batches.map((b) => [b.batch, b.warmup, b.messages]),
      [
        [0, true, 500],
        [1, false, 500],
        [2, false, 500],
        [3, false, 200],
      ],
    );
    for (const b of run.batches) {
      assert.ok(b.elapsed_ms > 0 && b.enqueue_ms >= 0, `${run.mode} batch ${b.batch} timed`);
      assert.ok(b.elapsed_ms + 1e-9 >= b.enqueue_ms, `${run.mode} batch ${b.batch}: acks cannot come before the hand-over`);
    }
    const intervals = run.batches.filter((b) => !b.warmup).reduce((s, b) => s + b.ack_interval_ms, 0);
    assert.ok(Math.abs(intervals - run.wallMs) < 1e-6, "ack intervals add up to the wall time");
    assert.equal(run.latencyMs.length, N);
    assert.ok(
      run.latencyMs.every((x) => Number.isFinite(x) && x >= 0),
      "every measured message has a latency",
    );
    const last = run.stats[run.stats.length - 1];
    assert.ok(last.produce_requests >= 1 && last.responses_received >= last.produce_requests, "librdkafka's counters were sampled");
  }
  const [sync, async_] = result.runs.map((r) => r.stats[r.stats.length - 1].produce_requests);
  assert.equal(sync, N, "the synchronous producer sends one produce request per message");
  assert.ok(async_ < N / 10, `the asynchronous producer batches (${async_} requests)`);
  assert.equal(result.batches.height, 8);
});

test("a consumer reads back every message, intact", async () => {
  // Each producer sent all N, plus a warm-up batch re-sending purchases 0..499.
  const expected = 2 * (N + 500);
  const messages = await readTopic(connection, topic, { expected, timeoutMs: 60_000 });
  assert.equal(messages.length, expected);
  const seen = new Map<number, number>();
  for (const m of messages) {
    assert.ok(m.value);
    const p = jsonSerializer.deserialize(m.value);
    assert.ok(p.equals(purchases[p.orderId]), `content of order ${p.orderId}`);
    assert.equal(m.key?.toString(), p.userId, "key is the customer id");
    seen.set(p.orderId, (seen.get(p.orderId) ?? 0) + 1);
  }
  assert.equal(seen.size, N, "no order missing");
  for (let i = 0; i < N; i++) assert.equal(seen.get(i), i < 500 ? 4 : 2, `order ${i}: once per producer (twice if in the warm-up)`);
});

test("the synchronous producer waits for each acknowledgement; the asynchronous one does not", async () => {
  const t = `test-modes-${Date.now()}`;
  await ensureTopic(connection, { name: t, partitions: 1 });
  const msgs = purchases.slice(0, 50).map((p: Purchase) => ({ key: p.userId, value: jsonSerializer.serialize(p) }));
  const sync = new SyncProducer(connection, t);
  const async_ = new AsyncProducer(connection, t);
  try {
    await sync.connect();
    await sync.send(msgs, 0);
    assert.deepEqual(sync.deliveryCounts(), { sent: 50, delivered: 50, failed: 0 }, "all acknowledged when send() returns");
    await async_.connect();
    await async_.send(msgs, 0);
    const c = async_.deliveryCounts();
    assert.equal(c.sent, 50);
    assert.ok(c.delivered < 50, "send() returned before the acknowledgements");
    await async_.flush();
    assert.deepEqual(async_.deliveryCounts(), { sent: 50, delivered: 50, failed: 0 });
  } finally {
    await sync.disconnect();
    await async_.disconnect();
  }
});

test("a full local queue is backpressure, not an error", async () => {
  const t = `test-backpressure-${Date.now()}`;
  await ensureTopic(connection, { name: t, partitions: 1 });
  const value = Buffer.alloc(100, 1);
  const msgs = Array.from({ length: 5000 }, () => ({ key: null, value }));
  const p = new AsyncProducer(connection, t, { "queue.buffering.max.messages": 100, "linger.ms": 1 });
  try {
    await p.connect();
    await p.send(msgs, 0);
    await p.flush();
    assert.ok(p.queueFullWaits > 0, "the queue filled at least once");
    assert.deepEqual(p.deliveryCounts(), { sent: 5000, delivered: 5000, failed: 0 });
  } finally {
    await p.disconnect();
  }
});

test("an aborted run stops early, keeps what it measured, and accounts for every message", async () => {
  const controller = new AbortController();
  const params = loadParams({ numMessages: 5000, batchSize: 100, topic: `test-abort-${Date.now()}`, trials: 2, warmupBatches: 0 }, {});
  const r = await runBenchmark({
    connection,
    params,
    modes: ["sync", "async"],
    signal: controller.signal,
    onProgress: (e) => {
      if (e.mode === "sync" && e.batch === 3) controller.abort();
    },
  });
  assert.equal(r.partial, true);
  assert.equal(r.stopReason, "interrupted");
  assert.equal(r.runs.length, 1, "no further producer or trial after the abort");
  const run = r.runs[0];
  assert.ok(run.partial);
  assert.ok(run.figures.sent >= 300 && run.figures.sent < 5000, `sent ${run.figures.sent}`);
  assert.equal(run.figures.delivered + run.figures.failed, run.figures.sent);
});
