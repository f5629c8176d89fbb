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
  clientsFigure,
  fastestTypeScript,
  frameworkCheck,
  mappingLines,
  checkTargets,
  loadTuningParams,
  makePayloads,
  reportTables,
  sizedRecords,
  sizingText,
  summarizePoint,
  TARGETS,
  targetVerdict,
  messagesPerSend,
  parsePerfToolLine,
  parsePerfToolOutput,
  perfToolArgs,
  validateWorkload,
  writeBenchReport,
} from "../../lib/bench";
import { batchNumMessages } from "../../lib/bench/workload";
import { fakeRun, runsOf } from "../support/bench-runs";
import { ConfigError } from "../../lib/core";
import { repeatOrder } from "../../lib/core/stats";

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

test("tuning parameters: a bad value is reported under its environment name; TUNING_THREE_NODES takes true or false only", () => {
  assert.deepEqual(loadTuningParams({}), { records: 50_000, repeats: 3, warmupRecords: 5_000, threeNodes: true });
  assert.deepEqual(loadTuningParams({ TUNING_RECORDS: "2_000", TUNING_REPEATS: " 5 ", TUNING_WARMUP: "0", TUNING_THREE_NODES: "No" }), {
    records: 2000,
    repeats: 5,
    warmupRecords: 0,
    threeNodes: false,
  });
  assert.equal(loadTuningParams({ TUNING_RECORDS: " ", TUNING_THREE_NODES: "" }).records, 50_000, "blank: the default");
  assert.equal(loadTuningParams({ TUNING_THREE_NODES: "" }).threeNodes, true, "blank: the default");
  const bad: [Record<string, string>, RegExp][] = [
    [{ TUNING_RECORDS: "0" }, /^TUNING_RECORDS: '0' is not allowed; use a whole number from 1/],
    [{ TUNING_RECORDS: "lots" }, /^TUNING_RECORDS:/],
    [{ TUNING_RECORDS: "100_000_001" }, /^TUNING_RECORDS:/],
    [{ TUNING_WARMUP: "-1" }, /^TUNING_WARMUP:/],
    [{ TUNING_REPEATS: "51" }, /^TUNING_REPEATS:/],
    [{ TUNING_THREE_NODES: "flase" }, /^TUNING_THREE_NODES: 'flase' is not allowed; use true or false\./],
  ];
  for (const [env, re] of bad) {
    assert.throws(
      () => loadTuningParams(env),
      (e: unknown) => e instanceof ConfigError && re.test((e as Error).message),
      JSON.stringify(env),
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

test("rows: per placement, the median with its order-statistic CI, the spread, CPU per million messages, ratios against the reference", () => {
  const runs = [
    ...runsOf("perf-tool", [100_000, 120_000, 80_000, 90_000, 110_000, 105_000]),
    ...runsOf("ours-async", [95_000, 96_000, 94_000, 93_000, 97_000, 98_000]),
    ...runsOf("kafkajs", [40_000]),
    ...runsOf("ours-async", [50_000, 60_000], "pinned"),
  ];
  const rows = benchRows(runs);
  assert.deepEqual(
    rows.map((r) => `${r.placement} ${r.producer}`),
    ["unpinned perf-tool", "unpinned ours-async", "unpinned kafkajs", "pinned ours-async"],
  );
  const ref = rows[0];
  assert.equal(ref.msgs_per_s, 102_500);
  assert.deepEqual(
    [ref.msgs_per_s_ci_lo, ref.msgs_per_s_ci_hi, ref.msgs_per_s_min, ref.msgs_per_s_max],
    [80_000, 120_000, 80_000, 120_000],
  );
  assert.equal(ref.ci_confidence, 1 - 2 / 64);
  assert.equal(ref.repeats, 6);
  assert.ok(Math.abs(rows[1].vs_perf_tool - 95_500 / 102_500) < 1e-12);
  assert.ok(Number.isNaN(rows[3].vs_perf_tool), "no reference in the pinned placement");
  assert.deepEqual(
    [rows[1].cpu_client_s_per_M, rows[1].cpu_main_s_per_M, rows[1].cpu_librdkafka_s_per_M, rows[1].cpu_broker_s_per_M],
    [2000, 1500, 250, 500],
  );
});

test("targets: ratios of medians with their CI and p, met or missed by how much, per placement; not measured when a side did not run", () => {
  const runs = [
    ...runsOf("perf-tool", [80_000, 81_000, 82_000, 83_000, 84_000, 85_000]),
    ...runsOf("ours-async", [50_000, 51_000, 52_000, 53_000, 54_000, 55_000]),
    ...runsOf("py-confluent-async", [100_000, 101_000, 102_000, 103_000, 104_000, 105_000]),
    ...runsOf("kafkajs", [20_000, 21_000, 22_000, 23_000, 24_000, 25_000]),
  ];
  const t = checkTargets(runs, ["unpinned", "pinned"]);
  assert.equal(t.length, 2 * TARGETS.length);
  const py = t.find((x) => x.placement === "unpinned" && x.target.includes("Python confluent-kafka's asynchronous"))!;
  assert.ok(Math.abs(py.measured - 52_500 / 102_500) < 1e-12);
  assert.equal(py.met, false);
  assert.equal(py.clear, true, "every repeat of ours was slower: the whole 95.9% interval is below 1");
  assert.ok(py.ci_hi < 1 && py.confidence > 0.95);
  assert.ok(Math.abs(py.p - 2 / 924) < 1e-12);
  assert.match(py.shortfall, /^missed by 49%: ours-async needs 1\.95× its messages\/s$/);
  assert.match(targetVerdict(py), /^MISSED, beyond the noise: missed by 49%/);
  const java = t.find((x) => x.placement === "unpinned" && x.target.includes("ProducerPerformance"))!;
  assert.equal(java.met, true);
  assert.equal(java.shortfall, "");
  const kjs = t.find((x) => x.placement === "unpinned" && x.target.includes("KafkaJS"))!;
  assert.ok(kjs.met);
  const sync = t.find((x) => x.placement === "unpinned" && x.target.startsWith("synchronous"))!;
  assert.equal(sync.met, null);
  assert.ok(t.filter((x) => x.placement === "pinned").every((x) => x.met === null));
  assert.equal(targetVerdict(sync), "not measured");
});

test("the synchronous target compares time per message (wall / messages), lower is better", () => {
  const runs = [...runsOf("ours-sync", [4000, 4100, 4200]), ...runsOf("py-confluent-sync", [5000, 5100, 5200])];
  const [sync] = checkTargets(runs, ["unpinned"]).filter((x) => x.target.startsWith("synchronous"));
  assert.ok(Math.abs(sync.measured - 5100 / 4100) < 1e-12, "ours 1/4100 s per message against 1/5100");
  assert.equal(sync.met, false);
  assert.equal(sync.clear, false, "three repeats cannot give a 95% interval");
  assert.match(targetVerdict(sync), /^MISSED, too few repeats to tell it from the noise: over by 24%/);
});

test("the synchronous target splits our median run's median send→acknowledgement latency into librdkafka's stages", () => {
  const stages = { rtt_p50_ms: 0.5, rtt_requests: 1000, int_latency_p50_ms: 0.1, outbuf_latency_p50_ms: 0.05 };
  const runs = [
    ...[4000, 4100, 4200].map((rate) => fakeRun("ours-sync", rate, { extra: stages })),
    ...runsOf("py-confluent-sync", [5000, 5100, 5200]),
  ];
  const [sync] = checkTargets(runs, ["unpinned"]).filter((x) => x.target.startsWith("synchronous"));
  const p50 = runs[1].figures.latency.p50_ms.toFixed(3);
  assert.ok(
    sync.how.endsWith(
      `; our median run's median send→acknowledgement latency ${p50} ms: librdkafka's broker rtt p50 0.500 ms (over 1000 requests), ` +
        `internal queue 0.100 ms, output buffer 0.050 ms, ${(Number(p50) - 0.65).toFixed(3)} ms from the response to the report in JavaScript`,
    ),
    sync.how,
  );
});

test("the fastest TypeScript producer: ours or a promisified API, never a peer or a row with a note", () => {
  const rows = benchRows([
    ...runsOf("perf-tool", [300_000]),
    ...runsOf("py-confluent-async", [250_000]),
    ...runsOf("ours-async", [200_000]),
    ...runsOf("kafkajs", [100_000]),
  ]);
  assert.equal(fastestTypeScript(rows)?.producer, "ours-async");
  assert.equal(fastestTypeScript(rows.map((r) => (r.producer === "ours-async" ? { ...r, note: "not run" } : r)))?.producer, "kafkajs");
  assert.equal(fastestTypeScript(rows.filter((r) => r.producer === "perf-tool")), undefined);
});

test("the clients chart's title names the placements that ran", () => {
  const ctx = { target: "embedded broker", workload: validateWorkload({ records: 1000 }), client: "x" };
  const title = (runs: ReturnType<typeof runsOf>) => (clientsFigure(benchRows(runs), ctx).layout.title as { text: string }).text;
  assert.match(title(runsOf("ours-async", [1000])), /^Producers side by side, unpinned<br>/);
  assert.match(title(runsOf("ours-async", [1000], "pinned")), /^Producers side by side, pinned \(broker and client on a core each\)<br>/);
  assert.match(
    title([...runsOf("ours-async", [1000]), ...runsOf("ours-async", [1000], "pinned")]),
    /^Producers side by side, unpinned and pinned \(broker and client on a core each\)<br><sup>embedded broker · 1,000 records of 100 B · batch\.size 65,536 B · x<\/sup>$/,
  );
});

test("the framework check and the settings mapping in markdown", () => {
  const point = (value: number, rates: number[]) => summarizePoint({ knob: "lingerMs", value }, "ours-async", runsOf("ours-async", rates));
  assert.equal(
    frameworkCheck({ lingerMs: [point(5, [100_000, 101_000]), point(20, [120_000, 121_000])] }),
    [
      "| knob | framework suggests | this run's best (messages/s) | agrees? |",
      "|---|---|---|---|",
      "| linger.ms (ms) | 10–20 ms | 20 (120,500) | yes |",
    ].join("\n"),
  );
  assert.deepEqual(mappingLines({ a: "x=1", b: "y=2" }, "markdown"), ["- **a**: x=1", "- **b**: y=2"]);
  assert.deepEqual(mappingLines({ a: "x=1" }, "text"), ["  a: x=1"]);
});

test("sizing: records that make a run last 2 × the minimum, never fewer than given; alternating order", () => {
  assert.equal(sizedRecords(200_000, 0.4, 2), 2_000_000);
  assert.equal(sizedRecords(200_000, 4.1, 2), 200_000);
  assert.equal(sizedRecords(200_000, 0.4, 0), 200_000);
  assert.equal(sizedRecords(20_000, 0, 2), 20_000, "a probe that measured nothing leaves the count alone");
  assert.deepEqual(repeatOrder(["a", "b", "c"], 1), ["a", "b", "c"]);
  assert.deepEqual(repeatOrder(["a", "b", "c"], 2), ["c", "b", "a"]);
});

test("the report is written as JSON and CSV, and its tables print as text and markdown", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-bench-"));
  const report = buildReport({
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "x",
    environment: {},
    workload: validateWorkload({ records: 1000 }),
    minSeconds: 0,
    sizing: [],
    repeats: 1,
    skippedPlacements: [{ placement: "pinned", reason: "taskset is not installed" }],
    runs: [fakeRun("perf-tool", 1000), fakeRun("ours-async", 2000)],
    load: [0, 0, 0],
  });
  const files = writeBenchReport(report, dir);
  assert.match(path.basename(files.json), /^bench-2026-01-01T00-00-00-000Z\.json$/);
  const csv = fs.readFileSync(files.csv, "utf8").trim().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[2], /^unpinned,ours-async,ours-async,x,1,1000,1000,0,2000,2000,2000,0,2000,2000,/);
  const json = JSON.parse(fs.readFileSync(files.json, "utf8")) as { rows: { vs_perf_tool: number }[] };
  assert.equal(json.rows[1].vs_perf_tool, 2);
  const text = reportTables(report, "text");
  assert.match(text, /Producers, unpinned .*: 1 repeat\(s\) each/);
  assert.match(text, /ours-async +1,000 +2,000 +\(1 run\)/);
  assert.match(text, /pinned \(broker on CPU 0, client on CPU 1\): not run \(taskset is not installed\)/);
  const sized = sizingText({
    ...report,
    minSeconds: 2,
    sizing: [
      { producer: "ours-async", probeRecords: 200_000, probeWall_s: 0.4, records: 1_500_000 },
      { producer: "ours-async", probeRecords: 1_500_000, probeWall_s: 2.5, records: 1_800_000 },
    ],
  });
  assert.match(sized, /at least 2\.0 s.*ours-async 1,800,000 \(200,000 → 0\.40 s, 1,500,000 → 2\.50 s\)\.$/);
  assert.match(reportTables(report, "markdown"), /^\| our|\| ours-async \| 1,000 \| 2,000 \| \(1 run\) \|/m);
});
