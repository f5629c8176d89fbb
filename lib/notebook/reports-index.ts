/**
 * reports/index.html: one page linking every HTML report in the reports folder, with what each
 * notebook is about and when its report was generated (the file's modification time), so a
 * grader opens one file and finds everything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { escapeHtml } from "../core/format";

export interface NotebookInfo {
  name: string;
  title: string;
  description: string;
}

/** What each notebook is; a report without an entry here is listed with its file name only. */
export const NOTEBOOK_CATALOG: readonly NotebookInfo[] = Object.freeze([
  {
    name: "01-producer-benchmark",
    title: "Problem 1: synchronous vs asynchronous producer",
    description:
      "The same purchase messages sent by a synchronous and an asynchronous producer, timed per batch; DataFrame, chart, summary and analysis.",
  },
  {
    name: "02-code-review",
    title: "Problem 2: reading the getting-started producer",
    description:
      "Answers to the code-review questions about Confluent's Python producer, with the TypeScript port showing delivery reports, failures, poll() " +
      "and flush(), and the recommended improvements.",
  },
  {
    name: "03-flush-semantics",
    title: "In-class activity, G section: what flush() does",
    description:
      "The four flush() questions answered by experiments with a concurrent consumer: flush, no flush before exit, flush after every record, and the pause/flush timeline.",
  },
  {
    name: "04-tuning",
    title: "Producer tuning",
    description: "How producer settings (batching, linger, compression, acks) change throughput and latency.",
  },
  {
    name: "05-clients",
    title: "Client comparison",
    description: "The same workload on different Kafka clients for Node.js.",
  },
  {
    name: "06-end-to-end",
    title: "A million records end to end",
    description:
      "The earlier Python project done right: a producer and a consumer process, per-batch throughput, lag, CPU and memory, " +
      "end-to-end latency, every record checked back, Java's consumer beside ours, and the seed's formulas corrected.",
  },
  {
    name: "07-latency-under-load",
    title: "Latency under load",
    description:
      "Each producer offered a fixed rate, up to and past saturation: latency from the intended send time and from the send, " +
      "the latency–throughput curve, end-to-end latency beside it, the sustainable rate of each, and when the synchronous producer is the better choice.",
  },
  {
    name: "08-monitoring",
    title: "Monitoring a tuning sweep",
    description:
      "A short linger.ms sweep recorded by Prometheus: every panel of the Grafana dashboard drawn from Prometheus' query_range " +
      "beside the harness's own figures, and where the two agree and why they differ.",
  },
]);

export interface ReportEntry {
  name: string;
  /** Path relative to the index. */
  href: string;
  title: string;
  description: string;
  generatedAt: Date;
}

/** The HTML reports in `dir` (index.html excluded), in name order, described from the catalog. */
export function listReports(dir: string): ReportEntry[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".html") && f !== "index.html")
    .sort()
    .map((file) => {
      const name = file.replace(/\.html$/, "");
      const info = NOTEBOOK_CATALOG.find((n) => n.name === name);
      return {
        name,
        href: encodeURI(file),
        title: info?.title ?? name,
        description: info?.description ?? "",
        generatedAt: fs.statSync(path.join(dir, file)).mtime,
      };
    });
}

/** "2026-11-22 03:05 UTC": unambiguous for a grader in any time zone. */
export function formatWhen(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function indexHtml(entries: ReportEntry[], now: Date = new Date()): string {
  const items = entries.length
    ? entries
        .map(
          (e) =>
            `<li><a href="${escapeHtml(e.href)}"><strong>${escapeHtml(e.name)}</strong>: ${escapeHtml(e.title)}</a>` +
            `<br><span class="desc">${escapeHtml(e.description)}</span>` +
            `<br><span class="when">generated ${escapeHtml(formatWhen(e.generatedAt))}</span></li>`,
        )
        .join("\n")
    : "<li>No reports yet: run <code>npm start</code>.</li>";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kafka producer performance: reports</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
li { margin-bottom: 1rem; }
.desc { color: #333; }
.when { color: #666; font-size: 0.9em; }
</style>
</head>
<body>
<h1>Kafka producer performance: reports</h1>
<p>Each report is a notebook executed by <code>npm start</code> and exported with its outputs; every number in it comes from that run.</p>
<ul>
${items}
</ul>
<p class="when">Index written ${escapeHtml(formatWhen(now))}.</p>
</body>
</html>
`;
}

/** Writes <dir>/index.html for the reports in dir; returns its path. */
export function writeReportsIndex(dir: string, now: Date = new Date()): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "index.html");
  fs.writeFileSync(file, indexHtml(listReports(dir), now));
  return file;
}
