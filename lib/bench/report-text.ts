/**
 * The comparison's tables as rows of cells, printed as aligned text by `npm run bench` and as
 * markdown by notebook 05 and the report template: one table per placement (median with its 95%
 * confidence interval, spread, latency, CPU seconds per million messages), our producers against
 * each peer, the targets with their measured ratios, the sizing and what the CPU figures cover.
 */
import { fmt, fmtPct, mdTable, textTable } from "../core/format";
import { SIZING_MARGIN } from "./compare";
import { ladderCells, ladderReading } from "./ladder";
import { PLACEMENT_LABELS, type Placement } from "./placement";
import type { BenchReport, BenchRow } from "./results";
import { PRODUCER_LABELS } from "./run";
import { METRICS, type PairComparison } from "./significance";
import { syncWaitCells, syncWaitsReading } from "./sync-waits";
import type { TargetCheck } from "./targets";

const interval = (lo: number, hi: number, digits = 0) =>
  Number.isFinite(lo) && Number.isFinite(hi) ? `${fmt(lo, digits)}–${fmt(hi, digits)}` : "n/a";
const ci95 = (confidence: number) => (confidence > 0 ? `${fmtPct(confidence, 1)} CI` : "CI");

/** CPU s per million messages: the client (its main thread / librdkafka's threads, where known). */
function cpuCell(r: BenchRow): string {
  const parts = [r.cpu_main_s_per_M, r.cpu_librdkafka_s_per_M].filter(Number.isFinite).length
    ? ` (${fmt(r.cpu_main_s_per_M, 2)} / ${fmt(r.cpu_librdkafka_s_per_M, 2)})`
    : "";
  return `${fmt(r.cpu_client_s_per_M, 2)}${parts}`;
}

/** The rows of one placement as cells; `names` picks the producer id (text) or its label (markdown). */
export function resultCells(rows: BenchRow[], names: "id" | "label" = "id"): string[][] {
  const conf = rows.find((r) => Number.isFinite(r.ci_confidence))?.ci_confidence ?? NaN;
  const head = [
    "producer",
    "records",
    "msgs/s (median)",
    `${ci95(conf)} of the median`,
    "min–max",
    "s per run",
    "MB/s",
    "p50 ms",
    "p99 ms",
    "failed",
    "client CPU s/M (main / librdkafka)",
    "broker CPU s/M",
    "× Java",
  ];
  const body = rows.map((r) => {
    const name = names === "id" ? r.producer : r.label;
    if (r.note) return [name, ...head.slice(1).map(() => "—")];
    return [
      name,
      fmt(r.records),
      fmt(r.msgs_per_s),
      r.repeats > 1 ? interval(r.msgs_per_s_ci_lo, r.msgs_per_s_ci_hi) : "(1 run)",
      r.repeats > 1 ? interval(r.msgs_per_s_min, r.msgs_per_s_max) : "",
      fmt(r.wall_s, 2),
      fmt(r.mb_per_s, 2),
      fmt(r.latency_p50_ms, 3),
      fmt(r.latency_p99_ms, 2),
      String(r.failed),
      cpuCell(r),
      fmt(r.cpu_broker_s_per_M, 2),
      r.producer === "perf-tool" ? "1.00" : fmt(r.vs_perf_tool, 2),
    ];
  });
  return [head, ...body];
}

export function comparisonCells(cs: PairComparison[]): string[][] {
  return [
    ["placement", "ours", "peer", "on", "ours (median)", "peer (median)", "ours / peer", "95% CI", "p (Mann–Whitney)", "verdict"],
    ...cs.map((c) => [
      c.placement,
      c.ours,
      c.peer,
      METRICS[c.metric].unit,
      fmt(c.ours_median, c.metric === "msgs_per_s" ? 0 : 3),
      fmt(c.peer_median, c.metric === "msgs_per_s" ? 0 : 3),
      `${fmt(c.comparison.ratio, 2)}×`,
      interval(c.comparison.ci.lo, c.comparison.ci.hi, 2),
      fmt(c.comparison.p, 4),
      c.verdict,
    ]),
  ];
}

/** A target's measured value as the tables show it. */
export function targetValue(t: TargetCheck): string {
  return Number.isFinite(t.measured) ? `${fmt(t.measured, 2)}×` : "n/a";
}

export function targetVerdict(t: TargetCheck): string {
  if (t.met === null) return "not measured";
  const noise = t.clear
    ? "beyond the noise"
    : t.confidence < 0.95
      ? "too few repeats to tell it from the noise"
      : "within the noise of the goal";
  return t.met ? `met, ${noise}` : `MISSED, ${noise}: ${t.shortfall}`;
}

export function targetCells(targets: TargetCheck[]): string[][] {
  return [
    ["target", "placement", "goal", "measured", "95% CI", "p", "verdict"],
    ...targets.map((t) => [t.target, t.placement, t.goal, targetValue(t), interval(t.ci_lo, t.ci_hi, 2), fmt(t.p, 4), targetVerdict(t)]),
  ];
}

/** Which records each producer got, and why. */
export function sizingText(r: BenchReport): string {
  if (!r.sizing.length)
    return `Records per run as given (no sizing): ${fmt(r.workload.records)}, the synchronous producers ${fmt(r.syncRecords ?? r.workload.records)}.`;
  const producers = [...new Set(r.sizing.map((s) => s.producer))];
  return (
    `Records per run, sized so that each measured run sends for at least ${fmt(r.minSeconds, 1)} s, aiming ${SIZING_MARGIN}× higher, from untimed runs ` +
    "(records → seconds): " +
    producers
      .map((p) => {
        const steps = r.sizing.filter((s) => s.producer === p);
        return `${p} ${fmt(steps[steps.length - 1].records)} (${steps.map((s) => `${fmt(s.probeRecords)} → ${fmt(s.probeWall_s, 2)} s`).join(", ")})`;
      })
      .join("; ") +
    "."
  );
}

export const CPU_NOTE =
  "CPU s/M: CPU seconds per million messages over the measured part (user + system, all threads), median over repeats. Client: our Node.js " +
  "process from the first measured send to the end of the final flush (main = the JavaScript thread, librdkafka = its rdk:* threads); the " +
  "Python peers the same points measured inside Python (main = the interpreter's thread); Java's tool from its warm-up banner to its summary " +
  "line (its warm-up records counted). Broker: the broker JVM over the same window, /proc at 1/100 s; a shared broker also served whatever " +
  "else ran meanwhile.";

export const TIMING_NOTE =
  "Timing: first measured send to last acknowledgement on a monotonic clock, connect and warm-up excluded; latency = a record's send " +
  "call to its acknowledgement reaching the program; MB = 10^6 bytes of record values (Java's tool prints MiB; its rate is recomputed).";

/** How each client was given the settings (BenchReport.mapping), a line per client: indented text or a markdown list. */
export function mappingLines(mapping: Record<string, string>, format: "text" | "markdown"): string[] {
  return Object.entries(mapping).map(([k, v]) => (format === "text" ? `  ${k}: ${v}` : `- **${k}**: ${v}`));
}

/** Every table of the report as text (npm run bench) or markdown (notebook 05). */
export function reportTables(r: BenchReport, format: "text" | "markdown"): string {
  const table = (cells: string[][]) => (format === "text" ? textTable(cells, { rule: true }).join("\n") : mdTable(cells));
  const heading = (s: string) => (format === "text" ? s : `**${s}**`);
  const out: string[] = [];
  for (const placement of [...new Set(r.rows.map((x) => x.placement))] as Placement[]) {
    const rows = r.rows.filter((x) => x.placement === placement);
    out.push(
      heading(`Producers, ${PLACEMENT_LABELS[placement]}: ${r.repeats} repeat(s) each`),
      "",
      table(resultCells(rows, format === "text" ? "id" : "label")),
      "",
    );
    for (const x of rows) if (x.note) out.push(`${x.producer}: ${x.note}`);
    const short = rows.filter((x) => !x.note && x.wall_s < r.minSeconds);
    if (short.length)
      out.push(
        `⚠️ Shorter than the ${fmt(r.minSeconds, 1)} s of sending asked for: ${short.map((x) => `${x.producer} (${fmt(x.wall_s, 2)} s)`).join(", ")}.`,
        "",
      );
  }
  for (const s of r.skippedPlacements) out.push(`${PLACEMENT_LABELS[s.placement]}: not run (${s.reason}).`, "");
  if (format === "text") out.push([...new Set(r.rows.map((x) => x.producer))].map((id) => `${id}: ${PRODUCER_LABELS[id]}`).join("; "), "");
  out.push(CPU_NOTE, "", sizingText(r), "");
  if (r.comparisons.length)
    out.push(
      heading("Our producers against each peer (ratio of medians, distribution-free 95% CI, Mann–Whitney p)"),
      "",
      table(comparisonCells(r.comparisons)),
      "",
    );
  out.push(heading("Targets (measured side by side in this run)"), "", table(targetCells(r.targets)), "");
  for (const t of r.targets.filter((x) => Number.isFinite(x.measured))) out.push(`- ${t.placement}, ${t.target}: ${t.how}`);
  if (r.ladder) {
    const missed = r.targets.some((t) => t.met === false && t.target.startsWith("asynchronous"));
    out.push(
      "",
      heading(
        `Where our asynchronous producer's time goes: the attribution ladder (${fmt(r.ladder.workload.records)} records per run, unpinned)`,
      ),
      "",
      table(ladderCells(r.ladder)),
      "",
      (missed ? "Why an asynchronous target is missed: " : "") + ladderReading(r.ladder),
    );
  }
  if (r.syncWaits)
    out.push(
      "",
      heading("How our synchronous producer waits: every way side by side (unpinned)"),
      "",
      table(syncWaitCells(r.syncWaits)),
      "",
      syncWaitsReading(r.syncWaits),
    );
  return out.join("\n");
}
