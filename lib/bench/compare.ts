/**
 * One comparison: every chosen producer runs the same workload on the same broker, each on a
 * fresh topic, repeated round-robin (so a slow minute of the machine hits every producer alike),
 * then the harness cost, then the report.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import type { KafkaConnection } from "../config/connection";
import { clean } from "../config/env";
import { fmt } from "../core/format";
import { wholeNumber } from "../core/validate";
import { environmentInfo } from "../broker";
import { runningExporter } from "../monitoring/exporter";
import { kafkajsVersion, PerfToolError, perfToolVersion, runOne } from "./drivers/index";
import type { BenchProgress } from "./framework";
import { measureHarnessCost, type HarnessCost } from "./harness-cost";
import { measureMonitoringCost, type MonitoringCost } from "./monitoring-cost";
import { buildReport, type BenchReport } from "./results";
import { unsupportedRun, type BenchRun, type ProducerId } from "./run";
import type { Workload } from "./workload";

export interface CompareOptions {
  connection: KafkaConnection;
  workload: Workload;
  producers: ProducerId[];
  /** Measured runs per producer (default 1). */
  repeats?: number;
  /** Records for the synchronous producer (default: min(records, 20,000): it waits for every ack). */
  syncRecords?: number;
  /** A/B pairs for the harness cost (0: skip). Default 0. */
  harnessPairs?: number;
  /** Pairs of ours-async runs with and without monitoring, alternating (0: skip). Default 0. */
  monitoringPairs?: number;
  log?: (line: string) => void;
  onProgress?: (e: BenchProgress) => void;
}

/** `java -version`'s first line (it writes to stderr). */
export function javaVersionLine(): string {
  try {
    const r = spawnSync("java", ["-version"], { encoding: "utf8", timeout: 10_000 });
    return ((r.stderr || r.stdout || "").split("\n")[0] || "unknown").trim();
  } catch {
    return "unknown";
  }
}

/** Machine and software facts for the report. */
export function benchEnvironment(connection: KafkaConnection): Record<string, string | number> {
  const e = environmentInfo(connection) as unknown as Record<string, string | number>;
  return {
    ...e,
    java: javaVersionLine(),
    reference_tool: perfToolVersion(),
    kafkajs: kafkajsVersion(),
    load_average_1m: Number(os.loadavg()[0].toFixed(2)),
    // MONITORING=1: every run was scraped by Prometheus (and paid for it).
    monitoring: runningExporter() ? "on (Prometheus scraping every second)" : "off",
  };
}

export async function runComparison(opts: CompareOptions): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const load = os.loadavg().map((x) => Number(x.toFixed(2)));
  const log = opts.log ?? (() => undefined);
  const repeats = Math.max(1, opts.repeats ?? 1);
  const syncRecords = Math.min(opts.workload.records, opts.syncRecords ?? 20_000);
  const runs: BenchRun[] = [];
  for (let rep = 1; rep <= repeats; rep++) {
    for (const p of opts.producers) {
      const workload = p === "ours-sync" ? { ...opts.workload, records: syncRecords } : opts.workload;
      log(
        `[${rep}/${repeats}] ${p}: ${workload.records.toLocaleString("en-US")} records ` +
          `(+${p === "ours-sync" ? Math.min(1000, workload.warmupRecords) : workload.warmupRecords} warm-up)…`,
      );
      let r: BenchRun;
      try {
        r = await runOne(p, { connection: opts.connection, workload, onProgress: opts.onProgress });
      } catch (e) {
        // The reference tool refuses secured targets (a password on a command line would leak): a row saying why, not a failed bench.
        if (!(e instanceof PerfToolError) || !e.securedTarget) throw e;
        r = unsupportedRun(p, perfToolVersion(), workload, "-", e.message);
      }
      runs.push(r);
      log(
        r.unsupported
          ? `[${rep}/${repeats}] ${p}: not run (${r.unsupported})`
          : `[${rep}/${repeats}] ${p}: ${fmt(r.figures.msgs_per_s)} msgs/s, p50 ${fmt(r.figures.latency.p50_ms, 2)} ms, ${r.figures.failed} failed`,
      );
    }
  }
  let harness: HarnessCost | undefined;
  if ((opts.harnessPairs ?? 0) > 0) harness = await measureHarnessCost(opts.connection, opts.workload, opts.harnessPairs!, log);
  let monitoring: MonitoringCost | undefined;
  if ((opts.monitoringPairs ?? 0) > 0) monitoring = await measureMonitoringCost(opts.connection, opts.workload, opts.monitoringPairs!, log);
  return buildReport({
    startedAt,
    finishedAt: new Date().toISOString(),
    environment: benchEnvironment(opts.connection),
    workload: opts.workload,
    syncRecords: opts.producers.includes("ours-sync") ? syncRecords : undefined,
    runs,
    harness,
    monitoring,
    load,
  });
}

export interface ClientParams {
  records: number;
  repeats: number;
  warmupRecords: number;
  syncRecords: number;
}

/** CLIENTS_RECORDS, CLIENTS_REPEATS, CLIENTS_WARMUP, CLIENTS_SYNC_RECORDS from the environment over the defaults. */
export function loadClientParams(
  env: Record<string, string | undefined> = process.env,
  defaults: ClientParams = { records: 100_000, repeats: 3, warmupRecords: 10_000, syncRecords: 5_000 },
): ClientParams {
  const num = (key: string, dflt: number, min: number) => wholeNumber(key, clean(env[key]) ?? dflt, { min });
  return {
    records: num("CLIENTS_RECORDS", defaults.records, 1),
    repeats: num("CLIENTS_REPEATS", defaults.repeats, 1),
    warmupRecords: num("CLIENTS_WARMUP", defaults.warmupRecords, 0),
    syncRecords: num("CLIENTS_SYNC_RECORDS", defaults.syncRecords, 1),
  };
}
