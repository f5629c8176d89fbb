/**
 * `npm run bench`: one workload through every producer on the same broker, unpinned and pinned,
 * one table per placement on stdout (messages/s with its 95% CI, MB/s, latency, errors, CPU per
 * million messages, ratios against ProducerPerformance), our producers against each peer, the
 * targets checked, reports/bench-<timestamp>.json and .csv, and a line in reports/history.jsonl
 * (with --compare, this run beside the earlier ones). Progress goes to stderr.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_MIN_SECONDS,
  DEFAULT_REPEATS,
  DEFAULT_WORKLOAD,
  describeHarnessCost,
  describeMonitoringCost,
  describeWorkload,
  historyText,
  mappingLines,
  PLACEMENTS,
  PRODUCER_IDS,
  recordBenchRun,
  reportTables,
  runComparison,
  SYNC_WARMUP_MAX,
  TIMING_NOTE,
  validateWorkload,
  writeBenchReport,
  type BenchProgress,
  type ProducerId,
} from "../lib/bench";
import { ConfigError, EXIT_CODES, fmt, historyFile, runCommand, wholeNumber } from "../lib/core";
import { openTarget } from "../lib/broker";
import { ensureMonitoring, monitoringRequested, stopExporter } from "../lib/monitoring";
import { sweepCommand, SWEEP_HELP } from "../lib/latency-under-load";

const HELP = `Usage: npm run bench -- [options]

  --records N          measured records per producer at least (default ${DEFAULT_WORKLOAD.records}; sized up, see --min-seconds)
  --record-size B      record value size in bytes (default ${DEFAULT_WORKLOAD.recordSize})
  --acks 0|1|all       (default ${DEFAULT_WORKLOAD.acks})
  --linger-ms MS       (default ${DEFAULT_WORKLOAD.lingerMs})
  --batch-size BYTES   bytes per partition batch, as Java's batch.size (default ${DEFAULT_WORKLOAD.batchSize})
  --compression C      none|gzip|snappy|lz4|zstd (default ${DEFAULT_WORKLOAD.compression})
  --partitions N       partitions of each run's topic (default ${DEFAULT_WORKLOAD.partitions})
  --keyed              keyed records (default: null keys, like Java's tool)
  --idempotence        enable.idempotence=true (needs --acks all)
  --producers LIST     comma-separated, from ${PRODUCER_IDS.join(",")} (default: all)
  --repeats N          measured runs per producer and placement, round-robin in alternating order
                       (default ${DEFAULT_REPEATS}: the fewest whose median has a 95% confidence interval)
  --warmup N           warm-up records before each measured run (default ${DEFAULT_WORKLOAD.warmupRecords})
  --sync-records N     records for the synchronous producers at least (default min(records, 20000))
  --min-seconds S      seconds of sending each measured run must last: untimed runs (up to 3) size each
                       producer's records (default ${DEFAULT_MIN_SECONDS}; 0: no sizing, the counts as given)
  --placements LIST    ${PLACEMENTS.join(",")} (default both): pinned runs the broker on CPU 0 and the
                       clients on CPU 1 (taskset), and gives the broker its CPUs back afterwards
  --compare            set this run beside the earlier ones in reports/history.jsonl (same workload and
                       host) and say which differences are beyond the noise
  --ladder-repeats N   runs per rung of our asynchronous producer's attribution ladder: produce only,
                       + delivery reports, + opaque, + our bookkeeping, send order, + window (default 3; 0 skips)
  --sync-wait-repeats N  runs per way our synchronous producer can wait: poll loop, background poller,
                       flush per message (default 3; 0 skips)
  --harness-pairs N    A/B pairs measuring the harness's own cost (default 2; 0 skips)
  --monitoring-pairs N pairs of ours-async runs with and without monitoring (Prometheus scraping every
                       second), alternating, measuring what monitoring costs (default 0: skip)
  --sweep              the rate sweep, latency under load (see npm run bench -- --sweep --help)
  --help

Exit codes: 0 done; 2 bad options; 3 the target (or, with MONITORING=1, Prometheus) could not be
reached; 4 some deliveries failed; 130 interrupted; 1 anything unexpected.
MONITORING=1 (environment or .env): Prometheus is started if needed and records every run.
The target is the embedded broker unless .env names another (KAFKA_BOOTSTRAP_SERVERS).`;

/** A comma-separated subset of `allowed` (all of them when not given), in the order given. */
function parseList<T extends string>(option: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (!raw) return [...allowed];
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of list) {
    if (!(allowed as readonly string[]).includes(p))
      throw new ConfigError(option, `'${p}' is not allowed; use a comma-separated list of ${allowed.join(", ")}.`);
  }
  if (list.length === 0) throw new ConfigError(option, `is empty; use a comma-separated list of ${allowed.join(", ")}.`);
  return list as T[];
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
      `  ${e.producer}: ${fmt(e.acknowledged)}/${fmt(e.total)} acknowledged ` +
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
      "ladder-repeats": { type: "string" },
      "sync-wait-repeats": { type: "string" },
      "min-seconds": { type: "string" },
      placements: { type: "string" },
      compare: { type: "boolean" },
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
  const producers = parseList<ProducerId>("--producers", values.producers, PRODUCER_IDS);
  const repeats = wholeNumber("--repeats", values.repeats ?? DEFAULT_REPEATS, { min: 1 });
  const minSeconds = wholeNumber("--min-seconds", values["min-seconds"] ?? DEFAULT_MIN_SECONDS, { min: 0, max: 600 });
  const placements = parseList("--placements", values.placements, PLACEMENTS);
  const syncRecords = wholeNumber("--sync-records", values["sync-records"] ?? Math.min(workload.records, 20_000), { min: 1 });
  const harnessPairs = wholeNumber("--harness-pairs", values["harness-pairs"] ?? 2, { min: 0 });
  const monitoringPairs = wholeNumber("--monitoring-pairs", values["monitoring-pairs"] ?? 0, { min: 0 });
  const ladderRepeats = wholeNumber("--ladder-repeats", values["ladder-repeats"] ?? 3, { min: 0 });
  const syncWaitRepeats = wholeNumber("--sync-wait-repeats", values["sync-wait-repeats"] ?? 3, { min: 0 });

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
    minSeconds,
    placements,
    harnessPairs: producers.includes("ours-async") ? harnessPairs : 0,
    monitoringPairs,
    ladderRepeats: producers.includes("ours-async") ? ladderRepeats : 0,
    syncWaitRepeats: producers.includes("ours-sync") ? syncWaitRepeats : 0,
    log: (line) => console.error(line),
    onProgress: progressLine(),
  });
  const files = writeBenchReport(report);
  const history = recordBenchRun(report, "npm run bench");
  const lines = [
    "",
    `Workload: ${report.workloadText}; warm-up ${fmt(workload.warmupRecords)} records per run ` +
      `(the synchronous producers: up to ${fmt(SYNC_WARMUP_MAX)}); ${repeats} run(s) per producer and placement, alternating order; ` +
      `load average ${report.load.join(" / ")} at the start, ${(report.loadEnd ?? []).join(" / ")} at the end`,
    `Target: ${report.environment.target} (${report.environment.bootstrap_servers}); ${report.environment.broker}`,
    "",
    reportTables(report, "text"),
    "",
    "How each client was given the settings:",
    ...mappingLines(report.mapping, "text"),
    "",
    TIMING_NOTE,
    ...(report.harness ? ["", describeHarnessCost(report.harness)] : []),
    ...(report.monitoring ? ["", describeMonitoringCost(report.monitoring)] : []),
    ...(values.compare ? ["", historyText(history.comparison)] : []),
    "",
    `Results: ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.csv)}; this run appended to ` +
      `${path.relative(process.cwd(), historyFile(path.dirname(files.json)))}`,
  ];
  console.log(lines.join("\n"));
  // The final counts reach Prometheus before the process ends.
  if (monitoring) await stopExporter();
  return report.rows.some((r) => r.failed > 0) ? EXIT_CODES.delivery : EXIT_CODES.ok;
}

// --sweep: the rate sweep of lib/latency-under-load/, with options of its own.
if (process.argv.includes("--sweep")) runCommand(() => sweepCommand(process.argv.slice(2)), { usage: SWEEP_HELP });
else runCommand(main, { usage: HELP });
