/**
 * The sentences notebook 01 and `npm start` show, generated from the run: the "results in
 * numbers" cell, with the analysis' claim checked against this run, and the one-screen summary.
 */
import { capitalize, fmt, fmtMs, plural, textTable } from "../core/format";
import { median } from "../core/stats";
import { PRODUCER_NAMES } from "../producers/settings";
import { liveProgress } from "../notebook/display";
import type { BenchmarkResult, ProducerRun, ProgressEvent } from "./harness";
import { reportSummary, type ReportSummary } from "./files";
import { requestRateView, responseBinMs } from "./metrics";

const producerName = (mode: string): string => PRODUCER_NAMES[mode as keyof typeof PRODUCER_NAMES] ?? mode;

/** The headline numbers of this run as markdown, for the notebook's "results in numbers" cell. */
export function resultsMarkdown(result: BenchmarkResult): string {
  const s = reportSummary(result);
  const lines = [
    `**Results in numbers**, computed from this run: ${s.target.target}, ${s.numMessages.toLocaleString("en-US")} messages in batches of ${s.batchSize}, ` +
      `${plural(s.trials, "trial")} (medians over trials; ${plural(s.warmupBatches, "warm-up batch", "warm-up batches")} per ` +
      `producer and trial not counted), ` +
      `${s.serializer} payloads of ${fmt(s.payloadBytesPerMessage, 0)} bytes on average.`,
    "",
  ];
  if (s.partial) lines.push(`⚠️ **Partial run**: ${s.stopReason ?? "stopped early"}. The numbers below cover only what was measured.`, "");
  for (const p of s.producers) {
    lines.push(
      `- **${capitalize(producerName(p.producer))}**: ${fmt(p.wall_s, 2)} s for all messages, ${fmt(p.msgs_per_s, 0)} messages/s ` +
        `(trials: ${fmt(p.msgs_per_s_min, 0)}–${fmt(p.msgs_per_s_max, 0)}), ${fmt(p.mb_per_s, 2)} MB/s; ` +
        `each batch added a median ${fmt(p.median_ack_interval_ms, 2)} ms; a batch took a median ${fmt(p.median_batch_ms, 1)} ms from its first send to its last acknowledgement` +
        (p.producer === "async" ? ` (batches overlap) and ${fmt(p.mean_enqueue_ms, 2)} ms on average to hand over to the client` : "") +
        `; per-message latency p50 ${fmt(p.latency.p50_ms, 3)} ms, p99 ${fmt(p.latency.p99_ms, 3)} ms, p99.9 ${fmt(p.latency.p999_ms, 3)} ms, max ` +
        `${fmt(p.latency.max_ms, 3)} ms; ` +
        `${fmt(p.request_rate, 0)} produce requests/s, ${fmt(p.requests_per_message, 4)} requests per message (pooled over trials); ` +
        `${p.delivered.toLocaleString("en-US")} delivered, ${p.failed} failed.`,
    );
  }
  const c = s.comparison;
  if (c) {
    const sync = s.producers.find((p) => p.producer === "sync");
    const async_ = s.producers.find((p) => p.producer === "async");
    lines.push(
      "",
      `**Check of the analysis' claim:** the **${producerName(c.faster)}** producer was faster in this run. It delivered the same messages ` +
        `${fmt(c.wallRatio, 1)}× sooner (faster in ${c.trialsWon} of ${c.trials} trials), and a batch of ${s.batchSize} added a median ` +
        `${fmt(c.medianIntervalRatio, 1)}× less time to the run.`,
    );
    if (sync && async_) {
      lines.push(
        "",
        `Requests per message, pooled over the ${plural(s.trials, "trial")} (all produce requests ÷ all delivered messages, not a median): ` +
          `synchronous ${fmt(sync.requests_per_message, 3)}, asynchronous ${fmt(async_.requests_per_message, 4)} ` +
          `(about ${fmt(1 / async_.requests_per_message, 0)} messages per produce request). ` +
          (async_.latency.p50_ms > sync.latency.p50_ms
            ? `The asynchronous producer's per-message latency is higher (p50 ${fmt(async_.latency.p50_ms, 2)} ms vs ${fmt(sync.latency.p50_ms, 3)} ` +
              `ms): its messages wait in the queue behind the ones sent before them.`
            : `Its per-message latency is also lower (p50 ${fmt(async_.latency.p50_ms, 3)} ms vs ${fmt(sync.latency.p50_ms, 3)} ms).`),
      );
    }
    if (c.faster === "sync") {
      lines.push(
        "",
        "⚠️ This run **contradicts** the analysis' expectation that the asynchronous producer is faster; see the analysis for what could explain it " +
          "(e.g. a tiny message count, a busy machine, or a run that stopped early).",
      );
    } else if (c.trialsWon < c.trials) {
      lines.push("", `⚠️ Not every trial agrees: the synchronous producer was faster in ${c.trials - c.trialsWon} of ${c.trials}.`);
    }
  }
  const stats = statisticsSentence(result);
  if (stats) lines.push("", stats);
  return lines.join("\n");
}

/** A run's mean time between two statistics samples, ms (undefined with fewer than two). */
function sampleSpacing(run: ProducerRun): number | undefined {
  const n = run.stats.length;
  return n >= 2 ? (run.stats[n - 1].t_ms - run.stats[0].t_ms) / (n - 1) : undefined;
}

/** Within this fraction of statistics.interval.ms, the measured spacing counts as the interval. */
const SPACING_TOLERANCE = 0.1;

/**
 * Whether the measured spacing bears out librdkafka's timer running at the configured interval:
 * said only when the median spacing over all runs is within 10% of it, else the spacing is named.
 */
function spacingClause(runs: ProducerRun[], interval: number): string {
  const spacings = runs.map(sampleSpacing).filter((x): x is number => x !== undefined);
  if (!spacings.length) return ". No run here got two samples, so the spacing could not be measured. ";
  const m = median(spacings);
  return Math.abs(m - interval) <= SPACING_TOLERANCE * interval
    ? ", as the spacing measured here shows. "
    : `; the samples measured here came a median ${fmtMs(m, 0)} apart, not ${fmtMs(interval, 0)}. `;
}

/**
 * How many librdkafka statistics samples the runs got, and how far apart: the request rate is
 * computed between two samples. librdkafka documents a granularity of 1000 ms for
 * statistics.interval.ms (CONFIGURATION.md), but 2.x starts its timer at exactly the configured
 * interval (rd_kafka_thread_main() in src/rdkafka.c); the sentence says whether the measured
 * spacing shows it.
 */
function statisticsSentence(result: BenchmarkResult): string {
  const interval = Number(result.runs[0]?.settings["statistics.interval.ms"]);
  if (!(interval > 0)) return "";
  const modes = [...new Set(result.runs.map((r) => r.mode))];
  const parts = modes.map((mode) => {
    const runs = result.runs.filter((r) => r.mode === mode);
    const spacing = runs.map(sampleSpacing).filter((x): x is number => x !== undefined);
    const samples = median(runs.map((r) => r.stats.length));
    return (
      `the ${producerName(mode)} producer's ${plural(runs.length, "run")} got a median ${plural(samples, "sample")} each` +
      (spacing.length ? `, one every ${fmtMs(median(spacing), 0)}` : "")
    );
  });
  const trial1 = result.runs.filter((r) => r.trial === 1);
  const rates = trial1.map((r) => {
    const view = requestRateView(r);
    const windows = `responses in ${fmtMs(responseBinMs(r), 1)} windows`;
    return view.overTime
      ? `${producerName(r.mode)}: ${windows}, requests in ${fmtMs(view.windowMs, 0)} windows (${view.points.length} of them)`
      : `${producerName(r.mode)}: ${windows}; its ${fmtMs(r.wallMs, 0)} run had ${view.points.length} statistics window(s), too few for a request rate ` +
          `over time, so the chart shows the rate over the whole run (${fmt(view.wholeRun, 0)} produce requests/s)`;
  });
  return (
    `**librdkafka's statistics** (\`statistics.interval.ms=${interval}\`, the source of the request rate): ${parts.join("; ")}. ` +
    `librdkafka's CONFIGURATION.md gives this setting a granularity of 1000 ms, but librdkafka ${result.librdkafka} starts its statistics timer at ` +
    "exactly the configured interval (`rd_kafka_thread_main()` in src/rdkafka.c)" +
    spacingClause(result.runs, interval) +
    `The rate chart (trial 1) counts acknowledgements by their own times and requests between two statistics samples: ${rates.join("; ")}.`
  );
}

/** The one-screen summary `npm start` prints after a run. */
export function consoleSummary(s: ReportSummary): string {
  const n = s.numMessages.toLocaleString("en-US");
  const out = [
    `${n} messages in ${s.batches} batches of ${s.batchSize}, ${s.trials} trial(s), to ${s.target.target} (${s.target.bootstrap_servers}), ${s.serializer} payloads`,
  ];
  if (s.partial) out.push(`PARTIAL RUN: ${s.stopReason ?? "stopped early"}`);
  out.push("");
  const rows = [
    [
      "producer",
      "per batch (median)",
      "first send→last ack (mean)",
      "(median)",
      "hand-over",
      "total",
      "messages/s",
      "p99 latency",
      "failed",
    ],
  ];
  for (const p of s.producers) {
    rows.push([
      producerName(p.producer),
      `${fmt(p.median_ack_interval_ms, 2)} ms`,
      `${fmt(p.mean_batch_ms, 1)} ms`,
      `${fmt(p.median_batch_ms, 1)} ms`,
      p.producer === "sync" ? "(waits)" : `${fmt(p.mean_enqueue_ms, 2)} ms`,
      `${fmt(p.wall_s, 2)} s`,
      fmt(p.msgs_per_s, 0),
      `${fmt(p.latency.p99_ms, 2)} ms`,
      String(p.failed),
    ]);
  }
  out.push(...textTable(rows, { indent: "  " }));
  const c = s.comparison;
  if (c) {
    out.push(
      "",
      `The ${producerName(c.faster)} producer delivered the same messages ${fmt(c.wallRatio, 1)}× sooner (median per-batch ratio ` +
        `${fmt(c.medianIntervalRatio, 1)}×; faster in ${c.trialsWon}/${c.trials} trials).`,
    );
  }
  out.push(
    "per batch = what each batch added to the total; first send→last ack = one batch's own span (asynchronous batches overlap);",
    "hand-over = time to give the batch to the client; medians over trials, warm-up batches excluded.",
  );
  return out.join("\n");
}

/** One progress line of a run, as notebook 01 shows it while it runs. */
export function progressLine(e: ProgressEvent): string {
  const pct = Math.round((100 * e.acknowledged) / e.total);
  const state = e.done ? "done" : `batch ${e.batch}/${e.batches}`;
  return (
    `${e.mode.padEnd(5)} trial ${e.trial}/${e.trials} ${state}: ${e.acknowledged.toLocaleString("en-US")}/${e.total.toLocaleString("en-US")} ` +
    `acknowledged (${pct}%), ${(e.elapsedMs / 1000).toFixed(1)} s`
  );
}

/**
 * A progress reporter for runBenchmark: one updating line per producer in a notebook (not
 * thousands of lines), a line every few seconds on a terminal.
 */
export function progressReporter(): (e: ProgressEvent) => void {
  const show = liveProgress();
  return (e) => show(e.mode, progressLine(e), e.done);
}
