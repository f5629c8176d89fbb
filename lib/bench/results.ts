/**
 * The comparison's results: one row per producer and placement (the median over repeats with its
 * 95% confidence interval and the spread, CPU seconds per million messages), ratios against the
 * reference tool, our producers against each peer, the targets, and the JSON / CSV files under
 * reports/. Every number comes from the runs passed in; the figures carry the names and units of
 * notebook 01's (MB = 10^6 bytes).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { reportsDir } from "../config/paths";
import { median, medianBy, medianCI, spread } from "../core/stats";
import { perMillion } from "./cpu-window";
import type { HarnessCost } from "./harness-cost";
import type { Ladder } from "./ladder";
import type { MonitoringCost } from "./monitoring-cost";
import { PLACEMENTS, type Placement } from "./placement";
import { PRODUCER_IDS, type BenchRun, type ProducerId } from "./run";
import { pairComparisons, type PairComparison } from "./significance";
import type { SyncWaits } from "./sync-waits";
import { checkTargets, type TargetCheck } from "./targets";
import { describeWorkload, settingsMapping, type Workload } from "./workload";

export interface BenchRow {
  producer: ProducerId;
  label: string;
  client: string;
  placement: Placement;
  repeats: number;
  records: number;
  delivered: number;
  failed: number;
  /** Median over the repeats, its order-statistic confidence interval (coverage ci_confidence), and the spread. */
  msgs_per_s: number;
  msgs_per_s_ci_lo: number;
  msgs_per_s_ci_hi: number;
  ci_confidence: number;
  msgs_per_s_min: number;
  msgs_per_s_max: number;
  mb_per_s: number;
  /** Median seconds of sending per repeat (first send to last acknowledgement). */
  wall_s: number;
  /** Of the median run. */
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_max_ms: number;
  /** CPU seconds per million messages over the measured part (medians over repeats): the client process, its main thread, librdkafka's threads, the broker. */
  cpu_client_s_per_M: number;
  cpu_main_s_per_M: number;
  cpu_librdkafka_s_per_M: number;
  cpu_broker_s_per_M: number;
  /** This producer's messages/s over ProducerPerformance's (medians, same placement). */
  vs_perf_tool: number;
  note: string;
}

/** The run whose throughput is the median one (the lower middle for an even count): its latencies represent the producer. */
export function medianRun(runs: BenchRun[]): BenchRun {
  return medianBy(runs, (r) => r.figures.msgs_per_s) ?? runs[0];
}

/** The placements that have runs, in PLACEMENTS order. */
export function placementsOf(runs: BenchRun[]): Placement[] {
  return PLACEMENTS.filter((pl) => runs.some((r) => (r.placement ?? "unpinned") === pl));
}

/** The fastest TypeScript producer (ours and the two promisified APIs) among rows, by median messages/s; rows with a note are left out. */
export function fastestTypeScript(rows: readonly BenchRow[]): BenchRow | undefined {
  return rows.filter((r) => !r.note && /^(ours|confluent-kafkajs|kafkajs)/.test(r.producer)).sort((a, b) => b.msgs_per_s - a.msgs_per_s)[0];
}

/** One row per placement and producer (in PLACEMENTS, then PRODUCER_IDS order), from all runs (repeats included). */
export function benchRows(runs: BenchRun[]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const placement of placementsOf(runs)) {
    const here = runs.filter((r) => (r.placement ?? "unpinned") === placement);
    const start = rows.length;
    for (const id of PRODUCER_IDS) {
      const rs = here.filter((r) => r.producer === id);
      if (rs.length) rows.push(rowOf(rs, placement));
    }
    const ref = rows.slice(start).find((r) => r.producer === "perf-tool");
    for (const r of rows.slice(start)) r.vs_perf_tool = ref ? r.msgs_per_s / ref.msgs_per_s : NaN;
  }
  return rows;
}

function rowOf(rs: BenchRun[], placement: Placement): BenchRow {
  const m = medianRun(rs);
  const rates = rs.map((r) => r.figures.msgs_per_s);
  const mps = spread(rates);
  const ci = medianCI(rates);
  const cpu = (part: "client_s" | "main_s" | "librdkafka_s" | "broker_s") =>
    median(rs.map((r) => (r.cpu ? perMillion(r.cpu[part], r.cpu.records) : NaN)));
  return {
    producer: m.producer,
    label: m.label,
    client: m.client,
    placement,
    repeats: rs.length,
    records: m.records,
    delivered: rs.reduce((s, r) => s + r.figures.delivered, 0),
    failed: rs.reduce((s, r) => s + r.figures.failed, 0),
    msgs_per_s: mps.median,
    msgs_per_s_ci_lo: ci.lo,
    msgs_per_s_ci_hi: ci.hi,
    ci_confidence: ci.confidence,
    msgs_per_s_min: mps.min,
    msgs_per_s_max: mps.max,
    mb_per_s: median(rs.map((r) => r.figures.mb_per_s)),
    wall_s: median(rs.map((r) => r.figures.wall_s)),
    latency_p50_ms: m.figures.latency.p50_ms,
    latency_p99_ms: m.figures.latency.p99_ms,
    latency_max_ms: m.figures.latency.max_ms,
    cpu_client_s_per_M: cpu("client_s"),
    cpu_main_s_per_M: cpu("main_s"),
    cpu_librdkafka_s_per_M: cpu("librdkafka_s"),
    cpu_broker_s_per_M: cpu("broker_s"),
    vs_perf_tool: NaN,
    note: m.unsupported
      ? `not run: ${m.unsupported}`
      : m.producer === "ours-async-aggregate"
        ? "aggregate acknowledgements: no report per record, no latency; not comparable with the per-record rows"
        : "",
  };
}

/** One untimed sizing run: how many records it had, how long they took, and the records every measured run gets from it. */
export interface Sizing {
  producer: ProducerId;
  /** Records of the sizing run and how long it took. */
  probeRecords: number;
  probeWall_s: number;
  /** Records of every measured run. */
  records: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  environment: Record<string, string | number>;
  workload: Workload;
  workloadText: string;
  /** Records the synchronous producers were given before sizing (they are slow by design). */
  syncRecords?: number;
  /** Seconds of sending a measured run had to last at least (0: no sizing). */
  minSeconds: number;
  /** The sizing runs, in order (a producer's last one gives its records). */
  sizing: Sizing[];
  /** Measured runs per producer and placement, in alternating order. */
  repeats: number;
  /** Placements asked for but not run, and why. */
  skippedPlacements: { placement: Placement; reason: string }[];
  mapping: Record<string, string>;
  runs: BenchRun[];
  rows: BenchRow[];
  /** Our producers against each peer, per placement. */
  comparisons: PairComparison[];
  targets: TargetCheck[];
  harness?: HarnessCost;
  /** What monitoring (Prometheus scraping every second) costs ours-async, when measured (--monitoring-pairs). */
  monitoring?: MonitoringCost;
  /** Where our asynchronous producer's time goes, rung by rung (--ladder-repeats). */
  ladder?: Ladder;
  /** The ways our synchronous producer can wait, side by side (--sync-wait-repeats). */
  syncWaits?: SyncWaits;
  /** What else ran on the machine (load averages 1/5/15 min) when it started, and when it ended. */
  load: number[];
  loadEnd?: number[];
}

/** The report of a comparison: its rows and targets computed from the runs. */
export function buildReport(args: Omit<BenchReport, "rows" | "targets" | "comparisons" | "mapping" | "workloadText">): BenchReport {
  const placements = placementsOf(args.runs);
  return {
    ...args,
    workloadText: describeWorkload(args.workload),
    mapping: settingsMapping(args.workload),
    rows: benchRows(args.runs),
    comparisons: pairComparisons(args.runs, placements),
    targets: checkTargets(args.runs, placements),
  };
}

/** Writes reports/bench-<timestamp>.json (everything) and .csv (the rows); returns their paths. */
export function writeBenchReport(report: BenchReport, dir: string = reportsDir(), name?: string): { json: string; csv: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = name ?? `bench-${report.startedAt.replace(/[:.]/g, "-")}`;
  const json = path.join(dir, `${base}.json`);
  const csv = path.join(dir, `${base}.csv`);
  fs.writeFileSync(json, JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
  const cols: (keyof BenchRow)[] = [
    "placement",
    "producer",
    "label",
    "client",
    "repeats",
    "records",
    "delivered",
    "failed",
    "msgs_per_s",
    "msgs_per_s_ci_lo",
    "msgs_per_s_ci_hi",
    "ci_confidence",
    "msgs_per_s_min",
    "msgs_per_s_max",
    "mb_per_s",
    "wall_s",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "cpu_client_s_per_M",
    "cpu_main_s_per_M",
    "cpu_librdkafka_s_per_M",
    "cpu_broker_s_per_M",
    "vs_perf_tool",
    "note",
  ];
  const cell = (v: unknown) => {
    const s = typeof v === "number" ? (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : "") : String(v ?? "");
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  fs.writeFileSync(csv, [cols.join(","), ...report.rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") + "\n");
  return { json, csv };
}
