/**
 * The comparison's results: one row per producer (median over repeats, with the spread), ratios
 * against the reference tool, the performance targets checked against this run, and the JSON /
 * CSV files under reports/. Every number comes from the runs passed in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import pl from "nodejs-polars";
import { reportsDir } from "../paths";
import type { HarnessCost } from "./harness-cost";
import { PRODUCER_IDS, type BenchRun, type ProducerId } from "./run";
import { describeWorkload, settingsMapping, type Workload } from "./workload";

export interface BenchRow {
  producer: ProducerId;
  label: string;
  client: string;
  repeats: number;
  records: number;
  delivered: number;
  errors: number;
  msgs_per_s: number;
  msgs_per_s_min: number;
  msgs_per_s_max: number;
  mb_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** This producer's messages/s over ProducerPerformance's (median runs). */
  vs_perf_tool: number;
  note: string;
}

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The run whose throughput is the median one (the lower middle for an even count): its latencies represent the producer. */
export function medianRun(runs: BenchRun[]): BenchRun {
  const ok = runs.filter((r) => Number.isFinite(r.msgsPerSec)).sort((a, b) => a.msgsPerSec - b.msgsPerSec);
  return ok.length ? ok[Math.floor((ok.length - 1) / 2)] : runs[0];
}

/** One row per producer, in PRODUCER_IDS order, from all runs (repeats included). */
export function benchRows(runs: BenchRun[]): BenchRow[] {
  const byProducer = new Map<ProducerId, BenchRun[]>();
  for (const r of runs) byProducer.set(r.producer, [...(byProducer.get(r.producer) ?? []), r]);
  const rows: BenchRow[] = [];
  for (const id of PRODUCER_IDS) {
    const rs = byProducer.get(id);
    if (!rs) continue;
    const m = medianRun(rs);
    const mps = rs.map((r) => r.msgsPerSec);
    rows.push({
      producer: id,
      label: m.label,
      client: m.client,
      repeats: rs.length,
      records: m.records,
      delivered: rs.reduce((s, r) => s + r.delivered, 0),
      errors: rs.reduce((s, r) => s + r.errors, 0),
      msgs_per_s: median(mps),
      msgs_per_s_min: Math.min(...mps.filter(Number.isFinite)),
      msgs_per_s_max: Math.max(...mps.filter(Number.isFinite)),
      mb_per_s: median(rs.map((r) => r.mbPerSec)),
      p50_ms: m.latency.p50,
      p99_ms: m.latency.p99,
      max_ms: m.latency.max,
      vs_perf_tool: NaN,
      note: m.unsupported ? `not run: ${m.unsupported}` : "",
    });
  }
  const ref = rows.find((r) => r.producer === "perf-tool");
  for (const r of rows) r.vs_perf_tool = ref ? r.msgs_per_s / ref.msgs_per_s : NaN;
  return rows;
}

export interface TargetCheck {
  target: string;
  goal: string;
  measured: number;
  met: boolean | null;
  how: string;
}

/** The performance targets, checked on this run (null = could not be measured). */
export function checkTargets(rows: BenchRow[], runs: BenchRun[], harness?: HarnessCost): TargetCheck[] {
  const row = (id: ProducerId) => rows.find((r) => r.producer === id);
  const a = row("ours-async");
  const ref = row("perf-tool");
  const kjs = row("kafkajs");
  const out: TargetCheck[] = [];
  const ratio = (x?: BenchRow, y?: BenchRow) => (x && y ? x.msgs_per_s / y.msgs_per_s : NaN);
  const r1 = ratio(a, ref);
  out.push({ target: "async ≥ 0.9× ProducerPerformance", goal: "≥ 0.9", measured: r1, met: Number.isFinite(r1) ? r1 >= 0.9 : null, how: "median messages/s of our asynchronous producer / ProducerPerformance's, same workload, same broker, same run" });
  const r2 = ratio(a, kjs);
  out.push({ target: "async ≥ 3× KafkaJS", goal: "≥ 3", measured: r2, met: Number.isFinite(r2) ? r2 >= 3 : null, how: "median messages/s of our asynchronous producer / KafkaJS's" });
  const sync = runs.filter((r) => r.producer === "ours-sync");
  const s = sync.length ? medianRun(sync) : undefined;
  const r3 = s ? Number(s.extra.median_over_rtt) : NaN;
  out.push({
    target: "sync median per message ≤ 1.2× produce rtt",
    goal: "≤ 1.2",
    measured: r3,
    met: Number.isFinite(r3) ? r3 <= 1.2 : null,
    how: s ? syncHow(s) : "synchronous producer not run",
  });
  const h = harness?.abOverhead ?? NaN;
  const hDirect = harness?.directFraction ?? NaN;
  out.push({
    target: "harness cost < 1%",
    goal: "< 1%",
    measured: hDirect,
    met: Number.isFinite(hDirect) ? hDirect < 0.01 : null,
    how: harness
      ? `bookkeeping timed on its own: ${fmtPct(hDirect)} of the measured time (${fmt(harness.directMs, 1)} ms for ${fmt(harness.records)} records); ` +
        `A/B (same loop with vs without it, ${harness.pairs} pairs, median): ${fmtPct(h)}` +
        (Number.isFinite(h) && (h < 0 || Math.abs(h) < harness.abNoise)
          ? ` — ${h < 0 ? "the runs with bookkeeping were faster, so" : "within the run-to-run spread of " + fmtPct(harness.abNoise) + ":"} the A/B difference is machine noise, too coarse to see a cost this small; the direct figure is the measurement`
          : "")
      : "not measured (--harness-pairs 0)",
  });
  return out;
}

/** The synchronous producer's median split into librdkafka's own stages (statistics) and the rest. */
function syncHow(s: BenchRun): string {
  const med = Number(s.extra.median_per_message_ms);
  const rtt = Number(s.extra.rtt_p50_ms);
  const q = Number(s.extra.int_latency_p50_ms);
  const ob = Number(s.extra.outbuf_latency_p50_ms);
  const rest = med - rtt - q - ob;
  return (
    `median produce()→delivery report ${fmt(med, 3)} ms / librdkafka's broker rtt p50 ${fmt(rtt, 3)} ms (request-weighted over ${s.extra.rtt_requests} requests)` +
    (Number.isFinite(q) ? `; of the median: internal queue ${fmt(q, 3)} ms + output buffer ${fmt(ob, 3)} ms + rtt ${fmt(rtt, 3)} ms + ${fmt(rest, 3)} ms from the broker's response to the report in JavaScript (and the produce() call)` : "")
  );
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
  /** What else ran on the machine (load average) when it started. */
  load: number[];
}

export function buildReport(args: Omit<BenchReport, "rows" | "targets" | "mapping" | "workloadText">): BenchReport {
  const rows = benchRows(args.runs);
  return { ...args, workloadText: describeWorkload(args.workload), mapping: settingsMapping(args.workload), rows, targets: checkTargets(rows, args.runs, args.harness) };
}

export const fmt = (x: number, digits = 0): string =>
  Number.isFinite(x) ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a";
export const fmtPct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "n/a");

/** The rows as a DataFrame (for notebooks). */
export function rowsFrame(rows: BenchRow[]): pl.DataFrame {
  return pl.DataFrame(rows.map(({ client: _c, ...r }) => r) as unknown as Record<string, unknown>[]);
}

/** The table `npm run bench` prints. */
export function formatTable(rows: BenchRow[]): string {
  const head = ["producer", "records", "msgs/s (median)", "min–max", "MB/s", "p50 ms", "p99 ms", "max ms", "errors", "× ProducerPerformance"];
  const body = rows.map((r) => [
    r.label,
    fmt(r.records),
    r.note ? "—" : fmt(r.msgs_per_s),
    r.note ? "" : r.repeats > 1 ? `${fmt(r.msgs_per_s_min)}–${fmt(r.msgs_per_s_max)}` : "(1 run)",
    fmt(r.mb_per_s, 2),
    fmt(r.p50_ms, 2),
    fmt(r.p99_ms, 2),
    fmt(r.max_ms, 2),
    String(r.errors),
    r.producer === "perf-tool" ? "1.00 (reference)" : fmt(r.vs_perf_tool, 2),
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  for (const r of rows) if (r.note) out.push(`${r.label}: ${r.note}`);
  return out.join("\n");
}

export function formatTargets(targets: TargetCheck[]): string {
  return targets
    .map((t) => {
      const v = !Number.isFinite(t.measured) ? "n/a" : t.target.startsWith("harness") ? fmtPct(t.measured) : `${fmt(t.measured, 2)}×`;
      const verdict = t.met === null ? "NOT MEASURED" : t.met ? "met" : "MISSED";
      return `${verdict.padEnd(12)} ${t.target}: ${v} (${t.how})`;
    })
    .join("\n");
}

/** Writes reports/bench-<timestamp>.json (everything) and .csv (the rows); returns their paths. */
export function writeBenchReport(report: BenchReport, dir: string = reportsDir(), name?: string): { json: string; csv: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = name ?? `bench-${report.startedAt.replace(/[:.]/g, "-")}`;
  const json = path.join(dir, `${base}.json`);
  const csv = path.join(dir, `${base}.csv`);
  fs.writeFileSync(json, JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
  const cols: (keyof BenchRow)[] = ["producer", "label", "client", "repeats", "records", "delivered", "errors", "msgs_per_s", "msgs_per_s_min", "msgs_per_s_max", "mb_per_s", "p50_ms", "p99_ms", "max_ms", "vs_perf_tool", "note"];
  const cell = (v: unknown) => {
    const s = typeof v === "number" ? (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : "") : String(v ?? "");
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  fs.writeFileSync(csv, [cols.join(","), ...report.rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") + "\n");
  return { json, csv };
}
