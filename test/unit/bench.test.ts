/** The producer comparison without a broker: ProducerPerformance's output parser (real lines),
 *  workload validation, the settings mapping, and the results table's arithmetic. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  benchRows,
  bookkeepingMs,
  buildReport,
  checkTargets,
  makePayloads,
  messagesPerSend,
  parsePerfToolLine,
  parsePerfToolOutput,
  perfToolArgs,
  validateWorkload,
  writeBenchReport,
  type BenchRun,
} from "../../lib/bench";
import { batchNumMessages } from "../../lib/bench/workload";
import { ConfigError } from "../../lib/core";
import { latencySummary } from "../../lib/core/latency";
import { throughput } from "../../lib/core/units";

// Lines printed by kafka-tools 4.3.1's ProducerPerformance on this project's broker.
const TOTAL =
  "30000 records sent, 32573.289902 records/sec (3.11 MB/sec), 123.39 ms avg latency, 440.00 ms max latency, 146 ms 50th, 180 ms 95th, 184 ms 99th, 185 ms 99.9th.";
const STEADY =
  "25000 steady state records sent, 60827.250608 records/sec (5.80 MB/sec), 139.45 ms avg latency, 186.00 ms max latency, 150 ms 50th, 181 ms 95th, 184 ms 99th, 185 ms 99.9th.";
const PROGRESS = "87373 records sent, 17474.6 records/sec (1.67 MB/sec), 1522.5 ms avg latency, 2293.0 ms max latency.";

test("parses ProducerPerformance's summary line", () => {
  assert.deepEqual(parsePerfToolLine(TOTAL), {
    records: 30000,
    steadyState: false,
    recordsPerSec: 32573.289902,
    mibPerSec: 3.11,
    avgMs: 123.39,
    maxMs: 440,
    p50Ms: 146,
    p95Ms: 180,
    p99Ms: 184,
    p999Ms: 185,
  });
  assert.equal(parsePerfToolLine(STEADY)?.steadyState, true);
  assert.equal(parsePerfToolLine(STEADY)?.records, 25000);
  assert.equal(parsePerfToolLine(PROGRESS), undefined, "progress lines have no percentiles");
  assert.equal(parsePerfToolLine("Warmup first 5000 records. Steady state results will print after the complete test summary."), undefined);
  const out = parsePerfToolOutput(["Warmup first 5000 records.", PROGRESS, TOTAL, STEADY, ""].join("\n"));
  assert.equal(out.total?.records, 30000);
  assert.equal(out.steady?.recordsPerSec, 60827.250608);
});

test("ProducerPerformance gets the workload's settings and warm-up", () => {
  const w = validateWorkload({ records: 1000, warmupRecords: 100, acks: "1", lingerMs: 10, batchSize: 32768, compression: "lz4" });
  const args = perfToolArgs(w, "t", "127.0.0.1:9092");
  const at = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(at("--num-records"), "1100");
  assert.equal(at("--warmup-records"), "100");
  assert.equal(at("--throughput"), "-1");
  const props = args.slice(args.indexOf("--command-property") + 1);
  assert.deepEqual(props, ["acks=1", "linger.ms=10", "batch.size=32768", "compression.type=lz4", "enable.idempotence=false"]);
});

test("workload validation names the option and the fix", () => {
  const w = validateWorkload({ records: "2_000", acks: "-1", compression: "ZSTD", keyed: "true" });
  assert.equal(w.records, 2000);
  assert.equal(w.acks, "all");
  assert.equal(w.compression, "zstd");
  assert.equal(w.keyed, true);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ records: "0" }, /^records: '0' is not allowed; use a whole number from 1/],
    [{ records: "ten" }, /^records:/],
    [{ recordSize: 1.5 }, /^record-size:/],
    [{ acks: "2" }, /^acks: '2' is not allowed; use one of 0, 1, all/],
    [{ compression: "brotli" }, /^compression: 'brotli' is not allowed; use one of none, gzip, snappy, lz4, zstd/],
    [{ lingerMs: -1 }, /^linger-ms:/],
    [{ partitions: "" }, /^partitions:/],
    [{ idempotence: true, acks: "1" }, /^idempotence: needs acks=all/],
    [{ colour: "red" }, /^colour: is not a workload option/],
  ];
  for (const [input, re] of bad) {
    assert.throws(
      () => validateWorkload(input as never),
      (e: unknown) => e instanceof ConfigError && re.test((e as Error).message),
      JSON.stringify(input),
    );
  }
});

test("settings mapping: bytes decide a librdkafka batch, KafkaJS sends batch.size / record size records", () => {
  assert.equal(batchNumMessages({ batchSize: 65536, recordSize: 100 }), 10000);
  assert.equal(batchNumMessages({ batchSize: 4_000_000, recordSize: 100 }), 40000);
  assert.equal(messagesPerSend({ batchSize: 65536, recordSize: 100 }), 655);
  assert.equal(messagesPerSend({ batchSize: 100, recordSize: 1000 }), 1);
  const p = makePayloads({ records: 10, recordSize: 50 });
  assert.equal(p.length, 10);
  assert.ok(
    p.every((b) => b.length === 50 && [...b].every((c) => c >= 65 && c <= 90)),
    "upper-case letters like Java's tool",
  );
});

test("the direct measurement of the recorder's per-record bookkeeping runs", () => {
  assert.ok(Number.isFinite(bookkeepingMs(1000)));
});

function fakeRun(producer: BenchRun["producer"], msgsPerSec: number, extra: BenchRun["extra"] = {}): BenchRun {
  return {
    producer,
    label: producer,
    client: "x",
    topic: "t",
    records: 1000,
    recordSize: 100,
    figures: {
      sent: 1000,
      delivered: 1000,
      failed: 0,
      wall_s: 1000 / msgsPerSec,
      ...throughput(1000, 1000 * 100, 1e6 / msgsPerSec),
      msgs_per_s: msgsPerSec,
      latency: latencySummary([[1, 1, 1, 2, 3]]),
    },
    errorSamples: [],
    timing: "",
    settings: {},
    extra,
  };
}

test("rows: median over repeats, ratios against the reference, targets checked", () => {
  const runs = [
    fakeRun("perf-tool", 100_000),
    fakeRun("perf-tool", 120_000),
    fakeRun("perf-tool", 80_000),
    fakeRun("ours-async", 95_000),
    fakeRun("kafkajs", 40_000),
    fakeRun("ours-sync", 2000, { median_over_rtt: 1.1, median_per_message_ms: 0.44, rtt_p50_ms: 0.4, rtt_requests: 10 }),
  ];
  const rows = benchRows(runs);
  assert.deepEqual(
    rows.map((r) => r.producer),
    ["perf-tool", "ours-async", "ours-sync", "kafkajs"],
  );
  assert.equal(rows[0].msgs_per_s, 100_000);
  assert.equal(rows[0].msgs_per_s_min, 80_000);
  assert.equal(rows[0].msgs_per_s_max, 120_000);
  assert.equal(rows[0].repeats, 3);
  assert.equal(rows[1].vs_perf_tool, 0.95);
  const t = checkTargets(rows, runs, {
    records: 1000,
    pairs: 2,
    directMs: 1,
    directFraction: 0.005,
    abOverhead: 0.01,
    abNoise: 0.05,
    wallWithMs: [],
    wallWithoutMs: [],
  });
  assert.deepEqual(
    t.map((x) => x.met),
    [true, false, true, true],
  );
  assert.ok(Math.abs(t[1].measured - 95 / 40) < 1e-9);
  assert.deepEqual(
    checkTargets(benchRows([fakeRun("ours-async", 1)]), []).map((x) => x.met),
    [null, null, null, null],
  );
});

test("the report is written as JSON and CSV", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-bench-"));
  const report = buildReport({
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "x",
    environment: {},
    workload: validateWorkload({ records: 1000 }),
    runs: [fakeRun("perf-tool", 1000), fakeRun("ours-async", 2000)],
    load: [0, 0, 0],
  });
  const files = writeBenchReport(report, dir);
  assert.match(path.basename(files.json), /^bench-2026-01-01T00-00-00-000Z\.json$/);
  const csv = fs.readFileSync(files.csv, "utf8").trim().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[2], /^ours-async,ours-async,x,1,1000,1000,0,2000,2000,2000,/);
  const json = JSON.parse(fs.readFileSync(files.json, "utf8")) as { rows: { vs_perf_tool: number }[] };
  assert.equal(json.rows[1].vs_perf_tool, 2);
});
