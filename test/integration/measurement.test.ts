/**
 * One run, two reports: the same measured run of our asynchronous producer, reported the way
 * notebook 01 reports it and the way `npm run bench` does, gives the same figures under the same
 * names and units (MB = 10^6 bytes).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { benchRows, benchRunOf, DRIVERS, messageFactory, oursSettings, validateWorkload } from "../../lib/bench";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config";
import { deleteTopic, ensureTopic, freshTopicName } from "../../lib/kafka";
import { producerRunOf, summarizeRun, summaries } from "../../lib/producer-benchmark";
import { AsyncProducer, measureRun, type MeasuredRun } from "../../lib/producers";

const connection = loadConnection({});
const workload = validateWorkload({ records: 5_000, warmupRecords: 500, recordSize: 100, partitions: 2 });
const topic = freshTopicName("test-measurement");
let run: MeasuredRun;

before(async () => {
  await ensureBroker();
  await ensureTopic(connection, { name: topic, partitions: workload.partitions });
  const make = messageFactory(workload);
  try {
    run = await measureRun(new AsyncProducer(connection, topic, oursSettings(workload, "async")), {
      records: workload.records,
      message: make,
      warmupRecords: workload.warmupRecords,
      chunk: 500,
      flushTimeoutMs: 60_000,
    });
  } finally {
    await deleteTopic(connection, topic);
  }
});

test("notebook 01 and the bench report the same figures for the same run", () => {
  assert.equal(run.partial, false, run.stopReason);
  // Notebook 01's view: the per-trial row of its summary (01-producer-benchmark.summary.json "runs").
  const producerRun = producerRunOf(run, { trial: 1, mode: "async", payloadBytes: workload.recordSize });
  const nb = summarizeRun(producerRun);
  // The bench's view: its run and its table row (bench-*.json "runs" and "rows").
  const benchRun = benchRunOf(DRIVERS["ours-async"], { connection, workload, topic }, run);
  const [row] = benchRows([benchRun]);
  for (const name of ["sent", "delivered", "failed", "wall_s", "msgs_per_s", "mb_per_s"] as const) {
    assert.equal(nb[name], benchRun.figures[name], `${name}: notebook 01 ${nb[name]}, bench ${benchRun.figures[name]}`);
  }
  for (const name of ["delivered", "failed", "msgs_per_s", "mb_per_s"] as const) assert.equal(row[name], nb[name], `bench row ${name}`);
  assert.equal(nb.delivered, workload.records);
  assert.ok(Math.abs(nb.mb_per_s - (nb.msgs_per_s * workload.recordSize) / 1e6) < 1e-9, "MB/s is 10^6 bytes per second");
  // The latency summary: one shape, the same numbers.
  const nbLatency = summaries({ runs: [producerRun] })[0].latency;
  assert.deepEqual(nbLatency, benchRun.figures.latency);
  assert.equal(row.latency_p50_ms, nbLatency.p50_ms);
  assert.equal(row.latency_p99_ms, nbLatency.p99_ms);
  assert.equal(row.latency_max_ms, nbLatency.max_ms);
  assert.equal(nbLatency.count, workload.records);
});
