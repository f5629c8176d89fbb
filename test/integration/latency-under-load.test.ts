/** The paced sender and the sweep's steps on the real embedded broker, with the real Java tools. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config";
import { deleteTopic, ensureTopic, freshTopicName, listGroupIds } from "../../lib/kafka/admin";
import { AsyncProducer, SyncProducer, type MeasuredClient } from "../../lib/producers";
import { pacedFigures, pacedRun, type PacedPlan } from "../../lib/producers/paced-run";
import { makePayloads, oursSettings, validateWorkload } from "../../lib/bench";
import { runEndToEndLatency, runPerfToolAt, runStep, sweepWorkload, validateSweep } from "../../lib/latency-under-load";

const connection = loadConnection({});
const workload = validateWorkload({ partitions: 3 });
const pool = makePayloads({ records: 1_000, recordSize: 100 });
const plan = (rate: number, durationMs: number): PacedPlan => ({
  rate,
  durationMs,
  warmupMs: 500,
  message: (i) => ({ key: null, value: pool[i % pool.length] }),
  flushTimeoutMs: 30_000,
});

before(async () => {
  await ensureBroker();
});

async function onFreshTopic<T>(body: (topic: string) => Promise<T>): Promise<T> {
  const topic = freshTopicName("lul-test");
  await ensureTopic(connection, { name: topic, partitions: 3 });
  try {
    return await body(topic);
  } finally {
    await deleteTopic(connection, topic);
  }
}

test("the pacer keeps our asynchronous producer within 2% of an offered rate well below saturation", { timeout: 60_000 }, async () => {
  const run = await onFreshTopic((topic) =>
    pacedRun(new AsyncProducer(connection, topic, oursSettings(workload, "async")), plan(2_000, 3_000)),
  );
  const f = pacedFigures(run);
  assert.equal(run.partial, false, run.stopReason);
  assert.deepEqual([f.scheduled, f.sent, f.delivered, f.missed, f.failed], [6_000, 6_000, 6_000, 0, 0]);
  assert.ok(Math.abs(f.achieved_per_s / 2_000 - 1) <= 0.02, `achieved ${f.achieved_per_s} msgs/s of 2,000`);
  assert.ok(run.groups > 100, `records went out as they came due (${run.groups} send() calls), not all at once`);
  assert.equal(run.warmupRecorder.delivered, 1_000, "half a second of warm-up at the rate");
  assert.equal(f.from_intended.count, 6_000);
  assert.ok(f.from_intended.p50_ms >= f.from_send.p50_ms, "latency from the intended time includes the wait to be sent");
  assert.ok(f.send_lag.p50_ms < 5, `on schedule, the median record is sent within ms of its time (${f.send_lag.p50_ms} ms)`);
});

test(
  "a rate the synchronous producer cannot reach is a result: records missed, how far behind, and the latencies parted",
  { timeout: 60_000 },
  async () => {
    const run = await onFreshTopic((topic) =>
      pacedRun(new SyncProducer(connection, topic, oursSettings(workload, "sync")) as MeasuredClient, plan(50_000, 1_500)),
    );
    const f = pacedFigures(run);
    assert.equal(run.partial, false, run.stopReason);
    assert.ok(f.missed > 0 && f.sent + f.missed === f.scheduled, JSON.stringify({ sent: f.sent, missed: f.missed }));
    assert.ok(f.behind_at_end_ms > 500, `it ended ${f.behind_at_end_ms} ms behind its schedule`);
    assert.ok(f.achieved_per_s < 0.5 * 50_000);
    assert.ok(f.from_intended.p50_ms > 10 * f.from_send.p50_ms, JSON.stringify({ intended: f.from_intended, send: f.from_send }));
    assert.equal(f.failed, 0);
  },
);

test(
  "Java's ProducerPerformance with --throughput stays within 2% of an offered rate well below saturation",
  { timeout: 120_000 },
  async () => {
    const w = { ...workload, records: 10_000, warmupRecords: 2_000 };
    const r = await onFreshTopic((topic) => runPerfToolAt(connection, w, topic, 2_000));
    assert.equal(r.summary.steadyState, true);
    assert.equal(r.summary.records, 10_000);
    assert.ok(Math.abs(r.summary.recordsPerSec / 2_000 - 1) <= 0.02, `achieved ${r.summary.recordsPerSec} records/s of 2,000`);
    assert.ok(r.latency.p99_ms >= r.latency.p50_ms);
  },
);

test(
  "a step with the consumer alongside: every record read back, only the measured ones timed end to end",
  { timeout: 120_000 },
  async () => {
    const params = validateSweep({ rates: "1000", durationS: 2, warmupS: 1, percentiles: "50,99", producers: "ours-async,ours-sync" });
    const ctx = { connection, params, workload: sweepWorkload(params), signal: new AbortController().signal };
    for (const producer of ["ours-async", "ours-sync"] as const) {
      const s = await runStep(producer, 1_000, ctx);
      assert.equal(s.failed, 0, s.errors.join("; "));
      // A synchronous producer on a busy machine may miss a few records at the step's end; whatever was sent is checked.
      assert.ok(s.delivered >= 1_800 && s.delivered === s.sent, `${s.delivered} of ${s.scheduled} delivered (${s.saturation})`);
      assert.ok(s.e2e_read! > s.delivered, "the warm-up's records were read back too");
      assert.equal(s.e2e_lost, 0, "every acknowledged record was read back");
      assert.equal(s.e2e?.count, s.delivered, "only the measured records are timed end to end");
      assert.ok(s.e2e!.p50_ms < 100, `end-to-end p50 ${s.e2e!.p50_ms} ms: no batch accumulation in the consumer`);
      if (producer === "ours-async") assert.equal(s.saturated, false, s.saturation);
    }
  },
);

test("Java's EndToEndLatency runs, its summary is read, and it leaves no consumer group behind", { timeout: 120_000 }, async () => {
  const before = new Set(await listGroupIds(connection));
  const j = await runEndToEndLatency(connection, { records: 300, acks: "all", recordSize: 100, partitions: 1 });
  assert.equal(j.records, 300);
  assert.ok(j.mean_ms > 0 && j.p99_ms >= j.p50_ms && j.rate_per_s > 0, JSON.stringify(j));
  assert.deepEqual(
    (await listGroupIds(connection)).filter((g) => g.startsWith("test-group-") && !before.has(g)),
    [],
  );
});
