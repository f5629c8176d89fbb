/**
 * Fault scenarios 3 and 4 on a broker of their own (ports 29192-29194, a temporary folder), so
 * that killing it disturbs nobody else's tests:
 * 3. the broker dies in the middle of a run: the run ends in bounded time, every message is
 *    counted as delivered or failed, the partial results are kept and marked partial;
 * 4. the broker restarts in the middle of an idempotent run: reading the topic back finds every
 *    message exactly once (no duplicate, no gap), in order per partition.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { loadParams } from "../../lib/producer-benchmark";
import { readTopic } from "../../lib/consumers";
import { scratchBroker, type ScratchBroker } from "../support/faults";
import { runBenchmark, type BenchmarkResult, type ProgressEvent } from "../../lib/producer-benchmark";
import { createProducer, type OutgoingMessage } from "../../lib/producers";
import { writeResults } from "../../lib/producer-benchmark";
import { ensureTopic } from "../../lib/kafka";

const BASE_PORT = 29192;
const DELIVERY_TIMEOUT_MS = 5_000;
let broker: ScratchBroker;
const reports = fs.mkdtempSync(path.join(os.tmpdir(), "fault-broker-"));

before(async () => {
  broker = await scratchBroker(BASE_PORT, { sasl: false, log: (l) => console.log(`# broker: ${l}`) });
});

after(async () => {
  await broker?.dispose();
  fs.rmSync(reports, { recursive: true, force: true });
});

/** Runs the benchmark and SIGKILLs the broker once `killWhen` says so; returns the result and timings. */
async function runAndKill(mode: "sync" | "async", numMessages: number, killWhen: (e: ProgressEvent) => boolean) {
  const topic = `fault-stop-${mode}-${Date.now()}`;
  const params = { ...loadParams({ numMessages, batchSize: 500, topic, trials: 1, warmupBatches: 0 }, {}) };
  let killedAt: number | undefined;
  let killing: Promise<void> | undefined;
  const t0 = performance.now();
  const result: BenchmarkResult = await runBenchmark({
    connection: broker.plain(),
    params,
    modes: [mode],
    partitions: 1,
    deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
    onProgress: (e) => {
      if (killing === undefined && killWhen(e)) {
        killedAt = performance.now();
        killing = broker.kill();
      }
    },
  });
  const endedAt = performance.now();
  await killing;
  return { result, killedAt, endedAt, t0 };
}

for (const [mode, n, when] of [
  ["sync", 20_000, (e: ProgressEvent) => e.acknowledged >= 1_000],
  ["async", 400_000, (e: ProgressEvent) => e.batch >= 20],
] as const) {
  test(
    `scenario 3 (${mode}): broker killed mid-run: bounded end, delivered + failed = sent, partial kept`,
    { timeout: 120_000 },
    async () => {
      await broker.restart(); // returns at once when it runs
      const { result, killedAt, endedAt, t0 } = await runAndKill(mode, n, when);
      assert.ok(killedAt !== undefined, "the broker was killed during the run");
      const run = result.runs[0];
      const afterKillMs = endedAt - killedAt!;
      console.log(
        `# scenario 3 (${mode}): killed ${((killedAt! - t0) / 1000).toFixed(1)} s into the run; the run returned ` +
          `${(afterKillMs / 1000).toFixed(1)} s later; sent ${run.figures.sent}, delivered ${run.figures.delivered}, failed ${run.figures.failed}, ` +
          `not sent ${n - run.figures.sent}; stopReason: ${run.stopReason}`,
      );
      // message.timeout.ms 5 s + a 5 s flush margin + up to 10 s to disconnect, not librdkafka's 300 s.
      assert.ok(afterKillMs < DELIVERY_TIMEOUT_MS + 20_000, `the run took ${afterKillMs} ms after the kill`);
      assert.equal(run.figures.delivered + run.figures.failed, run.figures.sent, "every sent message is delivered or failed");
      assert.ok(run.figures.failed > 0, "some messages failed");
      assert.ok(run.figures.sent < n, "the run stopped sending");
      assert.equal(run.partial, true);
      assert.equal(result.partial, true);
      assert.ok(run.stopReason, "the run says why it stopped");

      const written = writeResults(result, `fault-stop-${mode}`, reports);
      const summary = JSON.parse(fs.readFileSync(written.json, "utf8"));
      assert.equal(summary.partial, true, "the JSON summary is marked partial");
      assert.ok(fs.statSync(written.batches).size > 0, "the batch timings so far are kept");
      await broker.restart();
    },
  );
}

/** Values that carry their sequence number, so a read-back can find gaps and duplicates. */
function numbered(n: number): OutgoingMessage[] {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i % 7}`, value: Buffer.from(JSON.stringify({ seq: i, pad: "x".repeat(80) })) }));
}

test("scenario 4: broker restarted mid-run with idempotence on: no duplicate, no gap", { timeout: 240_000 }, async () => {
  await broker.restart(); // returns at once when it runs
  const conn = broker.plain();
  const topic = `fault-restart-${Date.now()}`;
  await ensureTopic(conn, { name: topic, partitions: 3 });
  const N = 60_000;
  const messages = numbered(N);
  const producer = createProducer("async", conn, topic, {
    "enable.idempotence": true,
    "message.timeout.ms": 120_000,
    // Small queue: sending keeps going (and waiting) while the broker is away.
    "queue.buffering.max.messages": 5_000,
  });
  let restart: Promise<unknown> | undefined;
  let downAt = 0;
  let upAt = 0;
  let killedAfter = { sent: 0, delivered: 0, failed: 0 };
  try {
    await producer.connect();
    for (let first = 0; first < N; first += 1_000) {
      await producer.send(messages.slice(first, first + 1_000), first);
      // Paced, so that the restart falls in the middle: a quarter sent before, the rest during and after.
      await new Promise((r) => setTimeout(r, 20));
      if (!restart && first + 1_000 >= N / 4) {
        downAt = performance.now();
        killedAfter = producer.deliveryCounts();
        restart = (async () => {
          await broker.kill();
          await broker.restart();
          upAt = performance.now();
        })();
      }
    }
    await restart;
    await producer.flush(150_000);
  } finally {
    await producer.disconnect();
  }
  const counts = producer.deliveryCounts();
  console.log(
    `# scenario 4: broker killed after ${killedAfter.sent} sent / ${killedAfter.delivered} acknowledged, back ${((upAt - downAt) / 1000).toFixed(1)} s later; ` +
      `sent ${counts.sent}, delivered ${counts.delivered}, failed ${counts.failed}`,
  );
  assert.ok(restart, "the broker was restarted during the run");
  assert.equal(counts.sent, N);
  assert.equal(counts.failed, 0);
  assert.equal(counts.delivered, N);

  // Until the topic stays idle for 5 s (not just N messages), so a duplicate past the N-th would show too.
  const read = await readTopic(conn, topic, { idleMs: 5_000, timeoutMs: 90_000 });
  const seen = new Uint8Array(N);
  let duplicates = 0;
  const lastSeqByPartition = new Map<number, number>();
  let outOfOrder = 0;
  for (const m of read) {
    const seq = (JSON.parse(m.value!.toString()) as { seq: number }).seq;
    if (seen[seq]++) duplicates++;
    // One key's messages share a partition; across keys a partition is still in send order.
    const last = lastSeqByPartition.get(m.partition) ?? -1;
    if (seq < last) outOfOrder++;
    lastSeqByPartition.set(m.partition, seq);
  }
  const gaps = seen.reduce((s, v) => s + (v === 0 ? 1 : 0), 0);
  console.log(`# scenario 4: read back ${read.length} messages: ${duplicates} duplicates, ${gaps} missing, ${outOfOrder} out of order`);
  assert.equal(duplicates, 0, "no duplicate");
  assert.equal(gaps, 0, "no gap");
  assert.equal(outOfOrder, 0, "in send order per partition");
  assert.equal(read.length, N);
});
