/**
 * A comparison in the run history (reports/history.jsonl, lib/core/history.ts): its entry (every
 * repeat's messages/s per producer and placement, and the one-at-a-time producers' median time per
 * message; rows, targets, settings, versions, host, load), and the comparison with earlier
 * comparable runs as a table, for `npm run bench -- --compare` and notebook 05.
 */
import * as path from "node:path";
import { projectRelative, reportsDir } from "../config/paths";
import { fmt, mdTable, textTable } from "../core/format";
import {
  appendHistory,
  compareWithHistory,
  historyFile,
  hostInfo,
  readHistory,
  type HistoryComparison,
  type HistoryEntry,
  type HistorySeries,
} from "../core/history";
import { ONE_AT_A_TIME } from "./compare";
import type { BenchReport } from "./results";
import { PRODUCER_IDS } from "./run";
import { METRICS, samples, type MetricId } from "./significance";

/** The runs of a report that comparisons across runs use: one series per placement, producer and metric. */
function benchSeries(r: BenchReport): HistorySeries[] {
  const out: HistorySeries[] = [];
  for (const placement of [...new Set(r.rows.map((x) => x.placement))]) {
    for (const producer of PRODUCER_IDS) {
      const metrics: MetricId[] = ONE_AT_A_TIME.has(producer) ? ["ms_per_msg", "p50_ms"] : ["msgs_per_s"];
      for (const metric of metrics) {
        const values = samples(r.runs, producer, placement, metric);
        if (!values.length) continue;
        const m = METRICS[metric];
        out.push({
          key: `${placement} · ${producer} · ${m.unit}`,
          label: `${producer}, ${m.label} (${placement})`,
          unit: m.unit,
          better: m.better,
          values,
        });
      }
    }
  }
  return out;
}

/** The history line of a comparison run by `source` ("npm run bench", "notebook 05"). */
export function benchHistoryEntry(r: BenchReport, source: string): HistoryEntry {
  const settings: Record<string, unknown> = { mapping: r.mapping };
  // A file setting (a CA certificate) as reports show paths: relative to the project.
  const shown = (v: unknown) => (typeof v === "string" && path.isAbsolute(v) ? projectRelative(v) : v);
  for (const run of r.runs)
    if (!(run.producer in settings) && !run.unsupported)
      settings[run.producer] = Object.fromEntries(Object.entries(run.settings).map(([k, v]) => [k, shown(v)]));
  const env = r.environment;
  const versions: Record<string, string | number> = {};
  for (const k of ["node", "client", "librdkafka", "kafkajs", "python", "java", "reference_tool", "broker"])
    if (env[k] !== undefined) versions[k] = env[k];
  return {
    kind: "bench",
    source,
    at: r.startedAt,
    workload: `${r.workloadText}; warm-up ${r.workload.warmupRecords}; at least ${r.minSeconds} s per run`,
    partial: r.rows.some((x) => x.failed > 0) || undefined,
    series: benchSeries(r),
    figures: {
      rows: r.rows.map(({ client: _c, label: _l, ...row }) => row),
      targets: r.targets.map((t) => ({
        target: t.target,
        placement: t.placement,
        measured: t.measured,
        ci: [t.ci_lo, t.ci_hi],
        p: t.p,
        met: t.met,
      })),
      sizing: r.sizing,
    },
    settings,
    versions,
    host: hostInfo(),
    load: { start: r.load, end: r.loadEnd ?? [] },
  };
}

/** Appends the report's line to <dir>/history.jsonl and sets it beside the earlier comparable runs there. */
export function recordBenchRun(
  r: BenchReport,
  source: string,
  dir: string = reportsDir(),
): { entry: HistoryEntry; comparison: HistoryComparison } {
  const file = historyFile(dir);
  const entry = benchHistoryEntry(r, source);
  const earlier = readHistory(file).entries;
  appendHistory(file, entry);
  return { entry, comparison: compareWithHistory(entry, earlier) };
}

const day = (iso: string) => iso.replace("T", " ").slice(0, 16);

function historyCells(c: HistoryComparison): string[][] {
  const digits = (unit: string) => (unit === "msgs/s" ? 0 : 3);
  return [
    ["series", "this run (median, CI)", "previous run", "this / previous", "95% CI", "p", "verdict", "earlier medians (oldest first)"],
    ...c.rows.map((r) => {
      const d = digits(r.unit);
      const now = `${fmt(r.now.estimate, d)} (${fmt(r.now.lo, d)}–${fmt(r.now.hi, d)})`;
      const p = r.previous;
      return [
        r.key,
        now,
        p ? `${fmt(p.median.estimate, d)} (${day(p.at)})` : "none",
        p ? `${fmt(p.comparison.ratio, 3)}×` : "",
        p ? `${fmt(p.comparison.ci.lo, 3)}–${fmt(p.comparison.ci.hi, 3)}` : "",
        p ? fmt(p.comparison.p, 4) : "",
        p ? p.verdict : "",
        r.earlier.map((e) => fmt(e.median, d)).join(", "),
      ];
    }),
  ];
}

/** One sentence on what was compared with what. */
function historySummary(c: HistoryComparison): string {
  const why = new Map<string, number>();
  for (const s of c.skipped) why.set(s.why, (why.get(s.why) ?? 0) + 1);
  const left = [...why].map(([w, n]) => (w === "a partial run" ? `${n} partial` : `${n} from ${w}`)).join(", ");
  const moved = c.rows.filter((r) => r.previous && r.previous.comparison.verdict !== "same" && r.previous.comparison.verdict !== "too few");
  const movedText = moved
    .map((r) => `${r.key} (${r.previous!.verdict.split(",")[0]}, ${fmt(r.previous!.comparison.ratio, 2)}×)`)
    .join("; ");
  return (
    `This run beside ${c.comparable} earlier comparable run(s) in reports/history.jsonl (same workload, same host)` +
    (left ? `; left out: ${left}` : "") +
    "." +
    (c.comparable === 0
      ? " Nothing to compare with yet: run the same command again later."
      : moved.length
        ? ` Beyond the noise (p < 0.05) against the previous run: ${movedText}.`
        : " No series differs from the previous run beyond the noise.")
  );
}

export function historyText(c: HistoryComparison): string {
  return [historySummary(c), "", ...(c.comparable ? textTable(historyCells(c), { rule: true }) : [])].join("\n");
}

export function historyMarkdown(c: HistoryComparison): string {
  return [historySummary(c), "", ...(c.comparable ? [mdTable(historyCells(c))] : [])].join("\n");
}
