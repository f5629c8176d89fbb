/**
 * One comparison: every chosen producer runs the same workload on the same broker, each on a
 * fresh topic. First untimed sizing runs (until one lasts 1.5 × minSeconds, at most three) give
 * each producer enough records for twice minSeconds of sending at its rate; then, in each placement
 * (unpinned, then pinned: broker and client on cores of their own), the repeats run round-robin
 * in alternating order (forward, then backward, so no producer always follows the same one and a
 * slow minute of the machine hits them alike); then the harness cost, then the report.
 */
import { spawnSync } from "node:child_process";
import type { KafkaConnection } from "../config/connection";
import { clean } from "../config/env";
import { fmt } from "../core/format";
import { loadAverage } from "../core/history";
import { repeatOrder } from "../core/stats";
import { flag, wholeNumber } from "../core/validate";
import { brokerStatus, environmentInfo } from "../broker";
import { runningExporter } from "../monitoring/exporter";
import { kafkajsVersion, PerfToolError, perfToolVersion, pythonVersions, runOne } from "./drivers/index";
import type { BenchProgress } from "./framework";
import { measureHarnessCost, type HarnessCost } from "./harness-cost";
import { measureLadder, type Ladder } from "./ladder";
import { measureMonitoringCost, type MonitoringCost } from "./monitoring-cost";
import { PLACEMENTS, pinnedUnavailable, withPinned, type Placement } from "./placement";
import { buildReport, type BenchReport, type Sizing } from "./results";
import { unsupportedRun, type BenchRun, type ProducerId } from "./run";
import { measureSyncWaits, type SyncWaits } from "./sync-waits";
import type { Workload } from "./workload";

export interface CompareOptions {
  connection: KafkaConnection;
  workload: Workload;
  producers: ProducerId[];
  /** Measured runs per producer and placement (default 6: the fewest whose median has a 95% order-statistic interval). */
  repeats?: number;
  /** Records for the synchronous producers before sizing (default: min(records, 20,000): they wait for every ack). */
  syncRecords?: number;
  /** Seconds of sending each measured run must last at least: records are sized up from untimed runs (0: no sizing). Default 2. */
  minSeconds?: number;
  /** Default both, unpinned first. */
  placements?: readonly Placement[];
  /** A/B pairs for the harness cost (0: skip). Default 0. */
  harnessPairs?: number;
  /** Pairs of ours-async runs with and without monitoring, alternating (0: skip). Default 0. */
  monitoringPairs?: number;
  /** Runs per rung of our asynchronous producer's attribution ladder, unpinned, with its sized records (0: skip). Default 0. */
  ladderRepeats?: number;
  /** Runs per way the synchronous producer can wait, unpinned, with its sized records (0: skip). Default 0. */
  syncWaitRepeats?: number;
  log?: (line: string) => void;
  onProgress?: (e: BenchProgress) => void;
}

export const DEFAULT_REPEATS = 6;
export const DEFAULT_MIN_SECONDS = 2;
/** A sized run aims this much beyond minSeconds, so that a faster repeat still lasts long enough (a fast client's rate varies 2× between runs here). */
export const SIZING_MARGIN = 2;
const MAX_SIZED_RECORDS = 20_000_000;
/** Sizing runs per producer at the most. */
const SIZING_ROUNDS = 3;
/** A sizing run this many times minSeconds long gives a rate to size from without another round. */
const SIZING_TRUSTED = 1.5;

/** The producers that wait for every acknowledgement before sending the next record. */
export const ONE_AT_A_TIME: ReadonlySet<ProducerId> = new Set<ProducerId>(["ours-sync", "py-confluent-sync"]);

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
    python: pythonVersions(),
    load_average_1m: loadAverage()[0],
    // MONITORING=1: every run was scraped by Prometheus (and paid for it).
    monitoring: runningExporter() ? "on (Prometheus scraping every second)" : "off",
  };
}

/** Records that make a run last minSeconds × SIZING_MARGIN at the rate of a probe run (never fewer than it had). */
export function sizedRecords(probeRecords: number, probeWallS: number, minSeconds: number): number {
  if (!(minSeconds > 0) || !(probeWallS > 0) || probeWallS >= minSeconds * SIZING_MARGIN) return probeRecords;
  const wanted = Math.ceil((probeRecords * minSeconds * SIZING_MARGIN) / probeWallS / 1000) * 1000;
  return Math.min(MAX_SIZED_RECORDS, Math.max(probeRecords, wanted));
}

/** The embedded broker's JVM pid, when the target is the embedded broker and it runs. */
async function embeddedBrokerPid(connection: KafkaConnection): Promise<number | undefined> {
  if (!connection.embedded) return undefined;
  const st = await brokerStatus();
  return st.state === "running" ? st.pid : undefined;
}

export async function runComparison(opts: CompareOptions): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const load = loadAverage();
  const log = opts.log ?? (() => undefined);
  const repeats = Math.max(1, opts.repeats ?? DEFAULT_REPEATS);
  const minSeconds = opts.minSeconds ?? DEFAULT_MIN_SECONDS;
  const syncRecords = Math.min(opts.workload.records, opts.syncRecords ?? 20_000);
  const brokerPid = await embeddedBrokerPid(opts.connection);
  const runOf = async (p: ProducerId, records: number): Promise<BenchRun> => {
    const workload = { ...opts.workload, records };
    try {
      return await runOne(p, { connection: opts.connection, workload, onProgress: opts.onProgress, brokerPid });
    } catch (e) {
      // The reference tool refuses secured targets (a password on a command line would leak): a row saying why, not a failed bench.
      if (!(e instanceof PerfToolError) || !e.securedTarget) throw e;
      return unsupportedRun(p, perfToolVersion(), workload, "-", e.message);
    }
  };
  const described = (r: BenchRun) =>
    r.unsupported
      ? `not run (${r.unsupported})`
      : `${fmt(r.figures.msgs_per_s)} msgs/s over ${fmt(r.figures.wall_s, 2)} s, p50 ${fmt(r.figures.latency.p50_ms, 3)} ms, ${r.figures.failed} failed`;

  const sizing: Sizing[] = [];
  const records = new Map<ProducerId, number>();
  for (const p of opts.producers) {
    const base = ONE_AT_A_TIME.has(p) ? syncRecords : opts.workload.records;
    records.set(p, base);
    // Untimed runs until one lasts minSeconds × SIZING_MARGIN (a short one understates a fast client's rate: JIT, start-up), at most SIZING_ROUNDS.
    for (let round = 1; minSeconds > 0 && round <= SIZING_ROUNDS; round++) {
      const tried = records.get(p)!;
      log(`sizing ${p}: ${fmt(tried)} records, untimed…`);
      const probe = await runOf(p, tried);
      const sized = probe.unsupported ? tried : sizedRecords(tried, probe.figures.wall_s, minSeconds);
      records.set(p, sized);
      sizing.push({ producer: p, probeRecords: tried, probeWall_s: probe.figures.wall_s, records: sized });
      log(`sizing ${p}: ${described(probe)} → ${fmt(sized)} records per run`);
      // Long enough to trust its rate (a further round would change the count by little).
      if (sized === tried || probe.figures.wall_s >= minSeconds * SIZING_TRUSTED) break;
    }
  }

  const runs: BenchRun[] = [];
  const skippedPlacements: BenchReport["skippedPlacements"] = [];
  const repeatAll = async (placement: Placement) => {
    for (let rep = 1; rep <= repeats; rep++) {
      for (const p of repeatOrder(opts.producers, rep)) {
        log(`[${placement} ${rep}/${repeats}] ${p}: ${fmt(records.get(p)!)} records…`);
        const r = { ...(await runOf(p, records.get(p)!)), placement };
        runs.push(r);
        log(`[${placement} ${rep}/${repeats}] ${p}: ${described(r)}`);
      }
    }
  };
  for (const placement of opts.placements ?? PLACEMENTS) {
    if (placement === "unpinned") {
      await repeatAll(placement);
      continue;
    }
    const why = pinnedUnavailable(brokerPid);
    if (why) {
      skippedPlacements.push({ placement, reason: why });
      log(`${placement}: not run (${why})`);
    } else await withPinned(brokerPid!, () => repeatAll(placement), log);
  }
  // Unpinned, with the records sized for our producers: where our asynchronous producer's time
  // goes, and how our synchronous one is best made to wait.
  let ladder: Ladder | undefined;
  if ((opts.ladderRepeats ?? 0) > 0) {
    const workload = { ...opts.workload, records: records.get("ours-async") ?? opts.workload.records };
    ladder = await measureLadder({ connection: opts.connection, workload, repeats: opts.ladderRepeats, onProgress: log });
  }
  let syncWaits: SyncWaits | undefined;
  if ((opts.syncWaitRepeats ?? 0) > 0) {
    const r = records.get("ours-sync") ?? syncRecords;
    syncWaits = await measureSyncWaits({
      connection: opts.connection,
      workload: opts.workload,
      records: r,
      repeats: opts.syncWaitRepeats,
      onProgress: log,
    });
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
    syncRecords: opts.producers.some((p) => ONE_AT_A_TIME.has(p)) ? syncRecords : undefined,
    minSeconds,
    sizing,
    repeats,
    skippedPlacements,
    runs,
    harness,
    monitoring,
    ladder,
    syncWaits,
    load,
    loadEnd: loadAverage(),
  });
}

export interface ClientParams {
  records: number;
  repeats: number;
  warmupRecords: number;
  syncRecords: number;
  /** Seconds of sending per measured run (records sized up to reach it; 0: no sizing). */
  minSeconds: number;
  /** Also run every producer pinned (broker on one core, client on the other). */
  pinned: boolean;
  /** Runs per rung of our asynchronous producer's attribution ladder (0: skip). */
  ladderRepeats: number;
  /** Runs per way our synchronous producer can wait (0: skip). */
  syncWaitRepeats: number;
}

/**
 * CLIENTS_RECORDS, CLIENTS_REPEATS, CLIENTS_WARMUP, CLIENTS_SYNC_RECORDS, CLIENTS_MIN_SECONDS, CLIENTS_PINNED,
 * CLIENTS_LADDER_REPEATS, CLIENTS_SYNC_WAIT_REPEATS from the environment over the defaults.
 */
export function loadClientParams(
  env: Record<string, string | undefined> = process.env,
  defaults: ClientParams = {
    records: 100_000,
    repeats: DEFAULT_REPEATS,
    warmupRecords: 10_000,
    syncRecords: 5_000,
    minSeconds: DEFAULT_MIN_SECONDS,
    pinned: true,
    ladderRepeats: 3,
    syncWaitRepeats: 3,
  },
): ClientParams {
  const num = (key: string, dflt: number, min: number) => wholeNumber(key, clean(env[key]) ?? dflt, { min });
  return {
    records: num("CLIENTS_RECORDS", defaults.records, 1),
    repeats: num("CLIENTS_REPEATS", defaults.repeats, 1),
    warmupRecords: num("CLIENTS_WARMUP", defaults.warmupRecords, 0),
    syncRecords: num("CLIENTS_SYNC_RECORDS", defaults.syncRecords, 1),
    minSeconds: num("CLIENTS_MIN_SECONDS", defaults.minSeconds, 0),
    pinned: flag("CLIENTS_PINNED", clean(env.CLIENTS_PINNED) ?? defaults.pinned),
    ladderRepeats: num("CLIENTS_LADDER_REPEATS", defaults.ladderRepeats, 0),
    syncWaitRepeats: num("CLIENTS_SYNC_WAIT_REPEATS", defaults.syncWaitRepeats, 0),
  };
}
