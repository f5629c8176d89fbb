/**
 * The framework's reporting template (section H: environment, topic config, workload, tuning,
 * producers, results, conclusion), filled from a comparison run. Markdown, shown in the notebook
 * and written next to the other reports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { reportsDir } from "../config/paths";
import { fmt, mdCell } from "../core/format";
import type { BenchReport } from "./results";
import { targetValue } from "./texts";

const table = (rows: [string, string][]) => ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${mdCell(String(v))} |`)].join("\n");

/** The conclusion, every figure from the report; missed targets are named, not hidden. */
export function conclusionText(r: BenchReport): string {
  const rows = r.rows.filter((x) => !x.note);
  const ts = rows.filter((x) => x.producer !== "perf-tool").sort((a, b) => b.msgs_per_s - a.msgs_per_s);
  const ref = rows.find((x) => x.producer === "perf-tool");
  const out: string[] = [];
  if (ts[0])
    out.push(
      `The fastest TypeScript producer in this run was **${ts[0].label}** at ${fmt(ts[0].msgs_per_s)} ` +
        `messages/s${ref ? ` (${fmt(ts[0].vs_perf_tool, 2)}× Java's ProducerPerformance, ${fmt(ref.msgs_per_s)} messages/s)` : ""}.`,
    );
  const missed = r.targets.filter((t) => t.met === false);
  const met = r.targets.filter((t) => t.met === true);
  const unmeasured = r.targets.filter((t) => t.met === null);
  if (met.length) out.push(`Targets met: ${met.map((t) => `${t.target} (${targetValue(t)})`).join("; ")}.`);
  if (missed.length) out.push(`Targets **missed**: ${missed.map((t) => `${t.target} (${targetValue(t)})`).join("; ")}.`);
  if (unmeasured.length) out.push(`Not measured in this run: ${unmeasured.map((t) => t.target).join("; ")}.`);
  const failing = r.rows.filter((x) => x.failed > 0);
  out.push(
    failing.length
      ? `⚠️ Failed deliveries: ${failing.map((x) => `${x.label} ${x.failed}`).join(", ")}.`
      : "Every producer delivered every record (0 failed).",
  );
  out.push(
    `One run on one machine (load average ${r.load.join(" / ")} at the start): repeat on the target you care about before drawing conclusions beyond it.`,
  );
  return out.join(" ");
}

/** The filled template. `tuning` is an optional markdown block (e.g. the tuning notebook's best settings). */
export function reportTemplate(r: BenchReport, opts: { title?: string; tuning?: string } = {}): string {
  const env = r.environment;
  const w = r.workload;
  const results = [
    "| producer | records | messages/s (median) | min–max | MB/s | p50 ms | p99 ms | max ms | failed | × ProducerPerformance |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.rows.map((x) =>
      x.note
        ? `| ${x.label} | — | ${x.note} | | | | | | | |`
        : `| ${x.label} | ${fmt(x.records)} | ${fmt(x.msgs_per_s)} | ${fmt(x.msgs_per_s_min)}–${fmt(x.msgs_per_s_max)} | ${fmt(x.mb_per_s, 2)} | ` +
          `${fmt(x.latency_p50_ms, 2)} | ${fmt(x.latency_p99_ms, 2)} | ${fmt(x.latency_max_ms, 2)} | ${x.failed} | ${fmt(x.vs_perf_tool, 2)} |`,
    ),
  ].join("\n");
  const targets = [
    "| target | measured | verdict | how |",
    "|---|---|---|---|",
    ...r.targets.map(
      (t) => `| ${t.target} | ${targetValue(t)} | ${t.met === null ? "not measured" : t.met ? "met" : "**missed**"} | ${mdCell(t.how)} |`,
    ),
  ].join("\n");
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
        `${fmt(w.records)} measured per run (the synchronous producer: ${fmt(r.syncRecords ?? w.records)}), after ${fmt(w.warmupRecords)} warm-up records`,
      ],
      ["record size", `${fmt(w.recordSize)} bytes of random upper-case letters (as ProducerPerformance)`],
      ["keys", w.keyed ? "1,000 distinct keys" : "none (null keys, as ProducerPerformance)"],
      ["repeats", `${Math.max(...r.rows.map((x) => x.repeats))} per producer, round-robin`],
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
    ...Object.entries(r.mapping).map(([k, v]) => `- **${k}**: ${v}`),
    "- **our synchronous producer**: as librdkafka above, but linger.ms=0 (it waits for every acknowledgement)",
    "",
    "## Results",
    results,
    "",
    "Timing: first measured send to last acknowledgement on a monotonic clock; latency = a record's send call to its acknowledgement reaching the " +
      "program; MB = 10^6 bytes of record values.",
    "",
    targets,
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
