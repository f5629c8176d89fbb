/**
 * `npm run bench`: one workload through every producer on the same broker, one table on stdout
 * (messages/s, MB/s, p50/p99/max latency, errors, ratios against ProducerPerformance), the
 * targets checked, and reports/bench-<timestamp>.json and .csv. Progress goes to stderr.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_WORKLOAD,
  describeMonitoringCost,
  describeWorkload,
  formatTable,
  formatTargets,
  PRODUCER_IDS,
  runComparison,
  validateWorkload,
  writeBenchReport,
  type BenchProgress,
  type ProducerId,
} from "../lib/bench";
import { ConfigError, EXIT_CODES, runCommand, wholeNumber } from "../lib/core";
import { openTarget } from "../lib/broker";
import { ensureMonitoring, monitoringRequested, stopExporter } from "../lib/monitoring";

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
  --monitoring-pairs N pairs of ours-async runs with and without monitoring (Prometheus scraping every
                       second), alternating, measuring what monitoring costs (default 0: skip)
  --help

Exit codes: 0 done; 2 bad options; 3 the target (or, with MONITORING=1, Prometheus) could not be
reached; 4 some deliveries failed; 130 interrupted; 1 anything unexpected.
MONITORING=1 (environment or .env): Prometheus is started if needed and records every run.
The target is the embedded broker unless .env names another (KAFKA_BOOTSTRAP_SERVERS).`;

function parseProducers(raw: string | undefined): ProducerId[] {
  if (!raw) return [...PRODUCER_IDS];
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of list) {
    if (!(PRODUCER_IDS as readonly string[]).includes(p))
      throw new ConfigError("producers", `'${p}' is not a producer; use a comma-separated list of ${PRODUCER_IDS.join(", ")}.`);
  }
  if (list.length === 0) throw new ConfigError("producers", `is empty; use a comma-separated list of ${PRODUCER_IDS.join(", ")}.`);
  return list as ProducerId[];
}

/** A progress line on stderr at most every 2 s while a producer runs. */
function progressLine(): (e: BenchProgress) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (e.phase !== "measuring" || now - last < 2000) return;
    last = now;
    const pct = Math.round((100 * e.acknowledged) / e.total);
    console.error(
      `  ${e.producer}: ${e.acknowledged.toLocaleString("en-US")}/${e.total.toLocaleString("en-US")} acknowledged ` +
        `(${pct}%)${Number.isFinite(e.elapsedMs) ? `, ${(e.elapsedMs / 1000).toFixed(1)} s` : ""}`,
    );
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
      "monitoring-pairs": { type: "string" },
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
  const repeats = wholeNumber("--repeats", values.repeats ?? 3, { min: 1 });
  const syncRecords = wholeNumber("--sync-records", values["sync-records"] ?? Math.min(workload.records, 20_000), { min: 1 });
  const harnessPairs = wholeNumber("--harness-pairs", values["harness-pairs"] ?? 2, { min: 0 });
  const monitoringPairs = wholeNumber("--monitoring-pairs", values["monitoring-pairs"] ?? 0, { min: 0 });

  const connection = await openTarget();
  // MONITORING=1: Prometheus running and scraping this process (and the workers it forks) before the first run.
  const monitoring = monitoringRequested() ? await ensureMonitoring({ log: (line) => console.error(line) }) : undefined;
  if (monitoring)
    console.error(`Monitoring: Prometheus on ${monitoring.prometheus.url}, this process's metrics at ${monitoring.exporter.url}`);
  console.error(
    `Bench on ${connection.label} (${connection.bootstrapServers}): ${describeWorkload(workload)}; ${repeats} repeat(s); producers ${producers.join(", ")}`,
  );
  const report = await runComparison({
    connection,
    workload,
    producers,
    repeats,
    syncRecords,
    harnessPairs: producers.includes("ours-async") ? harnessPairs : 0,
    monitoringPairs,
    log: (line) => console.error(line),
    onProgress: progressLine(),
  });
  const files = writeBenchReport(report);
  const lines = [
    "",
    `Workload: ${report.workloadText}; warm-up ${workload.warmupRecords.toLocaleString("en-US")} records per run` +
      (report.syncRecords !== undefined && report.syncRecords !== workload.records
        ? `; the synchronous producer sent ${report.syncRecords.toLocaleString("en-US")} records (one at a time)`
        : "") +
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
    "reaching the program; MB = 10^6 bytes of record values (Java's tool prints MiB; its rate is recomputed); connect and warm-up excluded.",
    "",
    "Targets:",
    formatTargets(report.targets),
    ...(report.monitoring ? ["", describeMonitoringCost(report.monitoring)] : []),
    "",
    `Results: ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.csv)}`,
  ];
  console.log(lines.join("\n"));
  // The final counts reach Prometheus before the process ends.
  if (monitoring) await stopExporter();
  return report.rows.some((r) => r.failed > 0) ? EXIT_CODES.delivery : EXIT_CODES.ok;
}

runCommand(main, { usage: HELP });
