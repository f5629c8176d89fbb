/**
 * The comparison's results: one row per producer (median over repeats, with the spread), ratios
 * against the reference tool, and the JSON / CSV files under reports/. Every number comes from the
 * runs passed in; the figures carry the names and units of notebook 01's (MB = 10^6 bytes).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { reportsDir } from "../config/paths";
import { median, spread } from "../core/stats";
import type { HarnessCost } from "./harness-cost";
import type { MonitoringCost } from "./monitoring-cost";
import { PRODUCER_IDS, type BenchRun, type ProducerId } from "./run";
import { checkTargets, type TargetCheck } from "./targets";
import { describeWorkload, settingsMapping, type Workload } from "./workload";

export interface BenchRow {
  producer: ProducerId;
  label: string;
  client: string;
  repeats: number;
  records: number;
  delivered: number;
  failed: number;
  /** Median over the repeats, with their spread. */
  msgs_per_s: number;
  msgs_per_s_min: number;
  msgs_per_s_max: number;
  mb_per_s: number;
  /** Of the median run. */
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_max_ms: number;
  /** This producer's messages/s over ProducerPerformance's (median runs). */
  vs_perf_tool: number;
  note: string;
}

/** The run whose throughput is the median one (the lower middle for an even count): its latencies represent the producer. */
export function medianRun(runs: BenchRun[]): BenchRun {
  const ok = runs.filter((r) => Number.isFinite(r.figures.msgs_per_s)).sort((a, b) => a.figures.msgs_per_s - b.figures.msgs_per_s);
  return ok.length ? ok[Math.floor((ok.length - 1) / 2)] : runs[0];
}

/** One row per producer, in PRODUCER_IDS order, from all runs (repeats included). */
export function benchRows(runs: BenchRun[]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const id of PRODUCER_IDS) {
    const rs = runs.filter((r) => r.producer === id);
    if (!rs.length) continue;
    const m = medianRun(rs);
    const mps = spread(rs.map((r) => r.figures.msgs_per_s));
    rows.push({
      producer: id,
      label: m.label,
      client: m.client,
      repeats: rs.length,
      records: m.records,
      delivered: rs.reduce((s, r) => s + r.figures.delivered, 0),
      failed: rs.reduce((s, r) => s + r.figures.failed, 0),
      msgs_per_s: mps.median,
      msgs_per_s_min: mps.min,
      msgs_per_s_max: mps.max,
      mb_per_s: median(rs.map((r) => r.figures.mb_per_s)),
      latency_p50_ms: m.figures.latency.p50_ms,
      latency_p99_ms: m.figures.latency.p99_ms,
      latency_max_ms: m.figures.latency.max_ms,
      vs_perf_tool: NaN,
      note: m.unsupported ? `not run: ${m.unsupported}` : "",
    });
  }
  const ref = rows.find((r) => r.producer === "perf-tool");
  for (const r of rows) r.vs_perf_tool = ref ? r.msgs_per_s / ref.msgs_per_s : NaN;
  return rows;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  environment: Record<string, string | number>;
  workload: Workload;
  workloadText: string;
  /** Records the synchronous producer sent (it is slow by design). */
  syncRecords?: number;
  mapping: Record<string, string>;
  runs: BenchRun[];
  rows: BenchRow[];
  targets: TargetCheck[];
  harness?: HarnessCost;
  /** What monitoring (Prometheus scraping every second) costs ours-async, when measured (--monitoring-pairs). */
  monitoring?: MonitoringCost;
  /** What else ran on the machine (load average) when it started. */
  load: number[];
}

/** The report of a comparison: its rows and targets computed from the runs. */
export function buildReport(args: Omit<BenchReport, "rows" | "targets" | "mapping" | "workloadText">): BenchReport {
  const rows = benchRows(args.runs);
  return {
    ...args,
    workloadText: describeWorkload(args.workload),
    mapping: settingsMapping(args.workload),
    rows,
    targets: checkTargets(rows, args.runs, args.harness),
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
    "producer",
    "label",
    "client",
    "repeats",
    "records",
    "delivered",
    "failed",
    "msgs_per_s",
    "msgs_per_s_min",
    "msgs_per_s_max",
    "mb_per_s",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_max_ms",
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
