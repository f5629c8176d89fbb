/** The producer comparison: ProducerPerformance's output parser (real lines), workload validation,
 *  the results table's arithmetic, and a tiny real run of every runner on the embedded broker. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBroker } from "../lib/broker";
import { loadConnection } from "../lib/config";
import {
  BenchConfigError,
  batchNumMessages,
  benchRows,
  bookkeepingMs,
  buildReport,
  checkTargets,
  latencyStats,
  makePayloads,
  messagesPerSend,
  parsePerfToolLine,
  parsePerfToolOutput,
  perfToolArgs,
  PRODUCER_IDS,
  runOne,
  summarizeRtt,
  validateWorkload,
  writeBenchReport,
  type BenchRun,
} from "../lib/bench";

// Lines printed by kafka-tools 4.3.1's ProducerPerformance on this project's broker.
const TOTAL = "30000 records sent, 32573.289902 records/sec (3.11 MB/sec), 123.39 ms avg latency, 440.00 ms max latency, 146 ms 50th, 180 ms 95th, 184 ms 99th, 185 ms 99.9th.";
const STEADY = "25000 steady state records sent, 60827.250608 records/sec (5.80 MB/sec), 139.45 ms avg latency, 186.00 ms max latency, 150 ms 50th, 181 ms 95th, 184 ms 99th, 185 ms 99.9th.";
const PROGRESS = "87373 records sent, 17474.6 records/sec (1.67 MB/sec), 1522.5 ms avg latency, 2293.0 ms max latency.";

test("parses ProducerPerformance's summary line", () => {
  assert.deepEqual(parsePerfToolLine(TOTAL), {
    records: 30000,
    steadyState: false,
    recordsPerSec: 32573.289902,
    mbPerSec: 3.11,
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
    assert.throws(() => validateWorkload(input as never), (e: unknown) => e instanceof BenchConfigError && re.test((e as Error).message), JSON.stringify(input));
  }
});

test("settings mapping: bytes decide a librdkafka batch, KafkaJS sends batch.size / record size records", () => {
  assert.equal(batchNumMessages({ batchSize: 65536, recordSize: 100 }), 10000);
  assert.equal(batchNumMessages({ batchSize: 4_000_000, recordSize: 100 }), 40000);
  assert.equal(messagesPerSend({ batchSize: 65536, recordSize: 100 }), 655);
  assert.equal(messagesPerSend({ batchSize: 100, recordSize: 1000 }), 1);
  const p = makePayloads({ records: 10, recordSize: 50 });
  assert.equal(p.length, 10);
  assert.ok(p.every((b) => b.length === 50 && [...b].every((c) => c >= 65 && c <= 90)), "upper-case letters like Java's tool");
});

test("latency percentiles and rtt summary, by hand", () => {
  const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
  const s = latencyStats([...xs, NaN]);
  assert.equal(s.count, 100);
  assert.ok(Math.abs(s.p50 - 50) < 0.1 && Math.abs(s.p99 - 99) < 0.1 && Math.abs(s.max - 100) < 0.1, JSON.stringify(s));
  assert.ok(Math.abs(s.mean - 50.5) < 0.1);
  assert.equal(latencyStats([]).count, 0);
  // two windows: 100 requests at p50 200 µs, 300 at 400 µs → (100·0.2 + 300·0.4) / 400 = 0.35 ms
  const r = summarizeRtt([{ p50: 200, avg: 250, cnt: 100 }, { p50: 400, avg: 450, cnt: 300 }]);
  assert.equal(r.requests, 400);
  assert.ok(Math.abs(r.p50Ms - 0.35) < 1e-9 && Math.abs(r.avgMs - 0.4) < 1e-9);
  assert.ok(bookkeepingMs(1000) >= 0);
});

function fakeRun(producer: BenchRun["producer"], msgsPerSec: number, extra: BenchRun["extra"] = {}): BenchRun {
  return {
    producer,
    label: producer,
    client: "x",
    topic: "t",
    records: 1000,
    recordSize: 100,
    delivered: 1000,
    errors: 0,
    errorSamples: [],
    wallMs: 1e6 / msgsPerSec,
    msgsPerSec,
    mbPerSec: (msgsPerSec * 100) / 2 ** 20,
    latency: { count: 1000, mean: 1, p50: 1, p95: 2, p99: 3, p999: 4, max: 5 },
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
  assert.deepEqual(rows.map((r) => r.producer), ["perf-tool", "ours-async", "ours-sync", "kafkajs"]);
  assert.equal(rows[0].msgs_per_s, 100_000);
  assert.equal(rows[0].msgs_per_s_min, 80_000);
  assert.equal(rows[0].msgs_per_s_max, 120_000);
  assert.equal(rows[0].repeats, 3);
  assert.equal(rows[1].vs_perf_tool, 0.95);
  const t = checkTargets(rows, runs, { records: 1000, pairs: 2, directMs: 1, directFraction: 0.005, abOverhead: 0.01, abNoise: 0.05, wallWithMs: [], wallWithoutMs: [] });
  assert.deepEqual(t.map((x) => x.met), [true, false, true, true]);
  assert.ok(Math.abs(t[1].measured - 95 / 40) < 1e-9);
  assert.deepEqual(checkTargets(benchRows([fakeRun("ours-async", 1)]), []).map((x) => x.met), [null, null, null, null]);
});

test("the report is written as JSON and CSV", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-bench-"));
  const report = buildReport({ startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "x", environment: {}, workload: validateWorkload({ records: 1000 }), runs: [fakeRun("perf-tool", 1000), fakeRun("ours-async", 2000)], load: [0, 0, 0] });
  const files = writeBenchReport(report, dir);
  assert.match(path.basename(files.json), /^bench-2026-01-01T00-00-00-000Z\.json$/);
  const csv = fs.readFileSync(files.csv, "utf8").trim().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[2], /^ours-async,ours-async,x,1,1000,1000,0,2000,2000,2000,/);
  const json = JSON.parse(fs.readFileSync(files.json, "utf8")) as { rows: { vs_perf_tool: number }[] };
  assert.equal(json.rows[1].vs_perf_tool, 2);
});

// ---------------------------------------------------------------------------------------------
// A tiny real run of each runner
// ---------------------------------------------------------------------------------------------

const connection = loadConnection({});
before(async () => {
  await ensureBroker();
});

for (const producer of PRODUCER_IDS) {
  test(`${producer}: a tiny real run delivers every record`, { timeout: 120_000 }, async () => {
    const workload = validateWorkload({ records: producer === "ours-sync" ? 200 : 2000, warmupRecords: 100, partitions: 2, lingerMs: 1 });
    const events: string[] = [];
    const r = await runOne(producer, { connection, workload, onProgress: (e) => events.push(e.phase) });
    assert.equal(r.unsupported, undefined);
    assert.equal(r.errors, 0, r.errorSamples.join("; "));
    assert.equal(r.delivered, workload.records);
    assert.ok(r.wallMs > 0 && r.msgsPerSec > 0 && r.mbPerSec > 0);
    assert.ok(r.latency.p50 >= 0 && r.latency.p99 >= r.latency.p50 && r.latency.max >= r.latency.p99, JSON.stringify(r.latency));
    if (producer !== "perf-tool") {
      assert.equal(r.latency.count, workload.records);
      assert.ok(events.includes("done"));
    }
    if (producer === "ours-sync") assert.ok(Number(r.extra.rtt_requests) > 0, "librdkafka's rtt was sampled");
  });
}

test("keyed, gzip and idempotent runs work; KafkaJS reports a codec it lacks instead of failing", { timeout: 120_000 }, async () => {
  const w = validateWorkload({ records: 500, warmupRecords: 0, keyed: true, compression: "gzip", idempotence: true, partitions: 2 });
  for (const p of ["ours-async", "confluent-kafkajs", "kafkajs"] as const) {
    const r = await runOne(p, { connection, workload: w });
    assert.equal(r.delivered, 500, `${p}: ${r.errorSamples.join("; ")}`);
  }
  const z = await runOne("kafkajs", { connection, workload: { ...w, compression: "zstd" } });
  assert.match(z.unsupported ?? "", /^KafkaJS: .*not implemented.*ships only GZIP/i);
});
