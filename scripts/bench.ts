/**
 * `npm run bench`: one workload through every producer on the same broker, one table on stdout
 * (messages/s, MB/s, p50/p99/max latency, errors, ratios against ProducerPerformance), the
 * targets checked, and reports/bench-<timestamp>.json and .csv. Progress goes to stderr.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BrokerError } from "../lib/broker";
import { ConfigError } from "../lib/config";
import { openTarget } from "../lib/environment";
import { BenchConfigError, DEFAULT_WORKLOAD, describeWorkload, validateWorkload } from "../lib/bench/workload";
import { PRODUCER_IDS, type ProducerId } from "../lib/bench/run";
import { runComparison } from "../lib/bench/compare";
import { formatTable, formatTargets, writeBenchReport } from "../lib/bench/results";
import { PerfToolError } from "../lib/bench/perf-tool";
import type { BenchProgress } from "../lib/bench/runners";

const HELP = `Usage: npm run bench -- [options]

  --records N          measured records per producer (default ${DEFAULT_WORKLOAD.records})
  --record-size B      record value size in bytes (default ${DEFAULT_WORKLOAD.recordSize})
  --acks 0|1|all       (default ${DEFAULT_WORKLOAD.acks})
  --linger-ms MS       (default ${DEFAULT_WORKLOAD.lingerMs})
  --batch-size BYTES   bytes per partition batch, as Java's batch.size (default ${DEFAULT_WORKLOAD.batchSize})
  --compression C      none|gzip|snappy|lz4|zstd (default ${DEFAULT_WORKLOAD.compression})
  --partitions N       partitions of each run's topic (default ${DEFAULT_WORKLOAD.partitions})
  --keyed              keyed records (default: null keys, like Java's tool)
  --idempotence        enable.idempotence=true (needs --acks all)
  --producers LIST     comma-separated, from ${PRODUCER_IDS.join(",")} (default: all)
  --repeats N          measured runs per producer, round-robin (default 3)
  --warmup N           warm-up records before each measured run (default ${DEFAULT_WORKLOAD.warmupRecords})
  --sync-records N     records for the synchronous producer (default min(records, 20000))
  --harness-pairs N    A/B pairs measuring the harness's own cost (default 2; 0 skips)
  --help

Exit code 0; 2 when any producer had delivery errors; 1 on bad options or a failure.
The target is the embedded broker unless .env names another (KAFKA_BOOTSTRAP_SERVERS).`;

function parseProducers(raw: string | undefined): ProducerId[] {
  if (!raw) return [...PRODUCER_IDS];
  const list = raw.split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of list) {
    if (!(PRODUCER_IDS as readonly string[]).includes(p)) throw new BenchConfigError("producers", `'${p}' is not a producer; use a comma-separated list of ${PRODUCER_IDS.join(", ")}.`);
  }
  if (list.length === 0) throw new BenchConfigError("producers", `is empty; use a comma-separated list of ${PRODUCER_IDS.join(", ")}.`);
  return list as ProducerId[];
}

function positive(option: string, raw: string | undefined, dflt: number, min = 1): number {
  if (raw === undefined) return dflt;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n < min) throw new BenchConfigError(option, `'${raw}' is not allowed; use a whole number ≥ ${min}.`);
  return n;
}

/** A progress line on stderr at most every 2 s while a producer runs. */
function progressLine(): (e: BenchProgress) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (e.phase !== "measuring" || now - last < 2000) return;
    last = now;
    const pct = Math.round((100 * e.acknowledged) / e.total);
    console.error(`  ${e.producer}: ${e.acknowledged.toLocaleString("en-US")}/${e.total.toLocaleString("en-US")} acknowledged (${pct}%)${Number.isFinite(e.elapsedMs) ? `, ${(e.elapsedMs / 1000).toFixed(1)} s` : ""}`);
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      records: { type: "string" },
      "record-size": { type: "string" },
      acks: { type: "string" },
      "linger-ms": { type: "string" },
      "batch-size": { type: "string" },
      compression: { type: "string" },
      partitions: { type: "string" },
      keyed: { type: "boolean" },
      idempotence: { type: "boolean" },
      producers: { type: "string" },
      repeats: { type: "string" },
      warmup: { type: "string" },
      "sync-records": { type: "string" },
      "harness-pairs": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // Validate everything before connecting to anything.
  const workload = validateWorkload({
    records: values.records,
    recordSize: values["record-size"],
    acks: values.acks,
    lingerMs: values["linger-ms"],
    batchSize: values["batch-size"],
    compression: values.compression,
    partitions: values.partitions,
    keyed: values.keyed,
    idempotence: values.idempotence,
    warmupRecords: values.warmup,
  });
  const producers = parseProducers(values.producers);
  const repeats = positive("repeats", values.repeats, 3);
  const syncRecords = positive("sync-records", values["sync-records"], Math.min(workload.records, 20_000));
  const harnessPairs = positive("harness-pairs", values["harness-pairs"], 2, 0);

  const connection = await openTarget();
  console.error(`Bench on ${connection.label} (${connection.bootstrapServers}): ${describeWorkload(workload)}; ${repeats} repeat(s); producers ${producers.join(", ")}`);
  const report = await runComparison({
    connection,
    workload,
    producers,
    repeats,
    syncRecords,
    harnessPairs: producers.includes("ours-async") ? harnessPairs : 0,
    log: (line) => console.error(line),
    onProgress: progressLine(),
  });
  const files = writeBenchReport(report);
  const lines = [
    "",
    `Workload: ${report.workloadText}; warm-up ${workload.warmupRecords.toLocaleString("en-US")} records per run` +
      (report.syncRecords !== undefined && report.syncRecords !== workload.records ? `; the synchronous producer sent ${report.syncRecords.toLocaleString("en-US")} records (one at a time)` : "") +
      `; ${repeats} run(s) per producer, load average at start ${report.load.join(" / ")}`,
    `Target: ${report.environment.target} (${report.environment.bootstrap_servers}); ${report.environment.broker}`,
    "",
    formatTable(report.rows),
    "",
    "How each client was given the settings:",
    ...Object.entries(report.mapping).map(([k, v]) => `  ${k}: ${v}`),
    "  our synchronous producer: as librdkafka above but linger.ms=0 (it waits for every acknowledgement)",
    "",
    "Timing: first measured send to last acknowledgement (monotonic clock); latency = a record's send call to its acknowledgement",
    "reaching the program; MB = 2^20 bytes of record values (as Java's tool); connect and warm-up excluded.",
    "",
    "Targets:",
    formatTargets(report.targets),
    "",
    `Results: ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.csv)}`,
  ];
  console.log(lines.join("\n"));
  return report.rows.some((r) => r.errors > 0) ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof BenchConfigError || err instanceof ConfigError || err instanceof BrokerError || err instanceof PerfToolError) {
      console.error(`Error: ${err.message}`);
    } else if (err && (err as { code?: string }).code?.startsWith?.("ERR_PARSE_ARGS")) {
      console.error(`Error: ${(err as Error).message}\n\n${HELP}`);
    } else {
      console.error(err);
    }
    process.exit(1);
  },
);
