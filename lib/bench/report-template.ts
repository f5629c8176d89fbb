/**
 * The framework's reporting template (section H: environment, topic config, workload, tuning,
 * producers, results, conclusion), filled from a comparison run. Markdown, shown in the notebook
 * and written next to the other reports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { reportsDir } from "../config/paths";
import { capitalize, fmt, mdCell } from "../core/format";
import { mappingLines, reportTables, targetValue, targetVerdict, TIMING_NOTE } from "./report-text";
import { fastestTypeScript, type BenchReport } from "./results";
import { SYNC_WARMUP_MAX } from "./workload";

const table = (rows: [string, string][]) => ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${mdCell(String(v))} |`)].join("\n");

/** The conclusion, every figure from the report; missed targets are named, not hidden. */
export function conclusionText(r: BenchReport): string {
  const out: string[] = [];
  for (const placement of [...new Set(r.rows.map((x) => x.placement))]) {
    const rows = r.rows.filter((x) => !x.note && x.placement === placement);
    const fastest = fastestTypeScript(rows);
    const ref = rows.find((x) => x.producer === "perf-tool");
    if (fastest)
      out.push(
        `${capitalize(placement)}, the fastest TypeScript producer was **${fastest.label}** at ${fmt(fastest.msgs_per_s)} ` +
          `messages/s${ref ? ` (${fmt(fastest.vs_perf_tool, 2)}× Java's ProducerPerformance, ${fmt(ref.msgs_per_s)} messages/s)` : ""}.`,
      );
  }
  const named = (ts: BenchReport["targets"]) => ts.map((t) => `${t.target}, ${t.placement} (${targetValue(t)})`).join("; ");
  const missed = r.targets.filter((t) => t.met === false);
  const met = r.targets.filter((t) => t.met === true);
  const unmeasured = r.targets.filter((t) => t.met === null);
  if (met.length) out.push(`Targets met: ${named(met)}.`);
  if (missed.length) out.push(`Targets **missed**: ${missed.map((t) => `${t.target}, ${t.placement}: ${targetVerdict(t)}`).join("; ")}.`);
  if (unmeasured.length) out.push(`Not measured in this run: ${[...new Set(unmeasured.map((t) => t.target))].join("; ")}.`);
  const failing = r.rows.filter((x) => x.failed > 0);
  out.push(
    failing.length
      ? `⚠️ Failed deliveries: ${failing.map((x) => `${x.label} (${x.placement}) ${x.failed}`).join(", ")}.`
      : "Every producer delivered every record (0 failed).",
  );
  out.push(
    `One run on one machine (load average ${r.load.join(" / ")} at the start${r.loadEnd ? `, ${r.loadEnd.join(" / ")} at the end` : ""}): ` +
      "repeat on the target you care about before drawing conclusions beyond it.",
  );
  return out.join(" ");
}

/** The filled template. `tuning` is an optional markdown block (e.g. the tuning notebook's best settings). */
export function reportTemplate(r: BenchReport, opts: { title?: string; tuning?: string } = {}): string {
  const env = r.environment;
  const w = r.workload;
  return [
    `# ${opts.title ?? "Kafka producer comparison: report"}`,
    "",
    `Run ${r.startedAt} → ${r.finishedAt}.`,
    "",
    "## Environment",
    table(Object.entries(env).map(([k, v]) => [k, String(v)])),
    "",
    "## Topic config",
    table([
      ["partitions", String(w.partitions)],
      ["replication factor", w.replicationFactor === -1 ? "broker default" : String(w.replicationFactor)],
      ["topic per run", "a fresh topic for every producer run, deleted afterwards"],
    ]),
    "",
    "## Workload",
    table([
      [
        "records",
        `${fmt(w.records)} measured per run at least (the synchronous producers: ${fmt(r.syncRecords ?? w.records)}), after ` +
          `${fmt(w.warmupRecords)} warm-up records (the synchronous ones: up to ${fmt(SYNC_WARMUP_MAX)}); ${r.sizing.length ? "sized per producer, see Producers" : "no sizing"}`,
      ],
      ["record size", `${fmt(w.recordSize)} bytes of random upper-case letters (as ProducerPerformance)`],
      ["keys", w.keyed ? "1,000 distinct keys" : "none (null keys, as ProducerPerformance)"],
      ["repeats", `${r.repeats} per producer and placement, round-robin in alternating order (forward, then backward)`],
      ["placements", r.rows.length ? [...new Set(r.rows.map((x) => x.placement))].join(", ") : "none"],
    ]),
    "",
    "## Tuning",
    table([
      ["acks", w.acks],
      ["linger.ms", String(w.lingerMs)],
      ["batch.size", `${fmt(w.batchSize)} bytes`],
      ["compression", w.compression],
      ["idempotence", String(w.idempotence)],
    ]),
    "",
    ...(opts.tuning ? [opts.tuning, ""] : []),
    "## Producers",
    ...mappingLines(r.mapping, "markdown"),
    ...[...new Map(r.sizing.map((x) => [x.producer, x.records]))].map(([p, n]) => `- **${p}**: ${fmt(n)} records per measured run`),
    "",
    "## Results",
    `${TIMING_NOTE} The confidence interval of a median is the order-statistic one (no assumption about the distribution); ratios ` +
      "between producers carry the distribution-free interval of the Mann–Whitney test.",
    "",
    reportTables(r, "markdown"),
    "",
    "## Conclusion",
    conclusionText(r),
    "",
  ].join("\n");
}

/** Writes the filled template as <dir>/<name>.report.md; returns the path. */
export function writeReportTemplate(markdown: string, name: string, dir: string = reportsDir()): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.report.md`);
  fs.writeFileSync(file, markdown);
  return file;
}
