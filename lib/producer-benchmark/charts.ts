/**
 * Notebook 01's five charts as Plotly figures (rendered by lib/notebook/plotly.ts): batch times,
 * their distribution, acknowledgements over time, response and request rates, and the latency
 * CDF. Every title names the target, the message count, the batch size and the client.
 */
import { fmtMs } from "../core/format";
import { latencyCdf } from "../core/latency";
import { spread } from "../core/stats";
import type { Figure } from "../notebook/plotly";
import { PRODUCER_NAMES, type ProducerMode } from "../producers/settings";
import type { BenchmarkResult } from "./harness";
import { cumulativeAcks, measuredBatches, requestRateView, responseBinMs, responseRate } from "./metrics";

const COLORS: Record<ProducerMode, string> = { sync: "#d62728", async: "#1f77b4" };
const NAMES = PRODUCER_NAMES;

/** "embedded broker · 20,000 messages · batches of 500 · 3 trials · @confluentinc/kafka-javascript 1.10.1" */
export function runCaption(result: BenchmarkResult): string {
  const n = result.params.numMessages.toLocaleString("en-US");
  const trials = result.params.trials > 1 ? ` · ${result.params.trials} trials` : "";
  const partial = result.partial ? " · PARTIAL RUN" : "";
  return (
    `${result.target.target} · ${n} messages · batches of ${result.params.batchSize}${trials} · ${result.serializer} · ${result.client} ` +
    `(librdkafka ${result.librdkafka})${partial}`
  );
}

function titled(title: string, result: BenchmarkResult): Record<string, unknown> {
  return { text: `${title}<br><sup>${runCaption(result)}</sup>` };
}

/** True when the positive values span more than `factor` (a log axis reads better). */
function wideRange(values: number[], factor = 20): boolean {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  return pos.length > 0 && Math.max(...pos) / Math.min(...pos) > factor;
}

/** Per batch number: the median over trials, and the min and max (the trials' spread). */
function perBatch(result: BenchmarkResult, mode: ProducerMode, field: "elapsed_ms" | "enqueue_ms" | "ack_interval_ms") {
  const byBatch = new Map<number, number[]>();
  for (const run of result.runs.filter((r) => r.mode === mode)) {
    for (const b of run.batches) {
      if (!Number.isFinite(b[field])) continue;
      const xs = byBatch.get(b.batch) ?? [];
      xs.push(b[field]);
      byBatch.set(b.batch, xs);
    }
  }
  const x = [...byBatch.keys()].sort((a, b) => a - b);
  const spreads = x.map((k) => spread(byBatch.get(k)!));
  const med = spreads.map((s) => s.median);
  const lo = spreads.map((s) => s.median - s.min);
  const hi = spreads.map((s) => s.max - s.median);
  return { x, med, lo, hi };
}

/**
 * Elapsed time per batch for both producers (median over trials, bars = the trials' range);
 * warm-up batches (numbered 0 and below) are shaded; log scale when the producers differ by >20x.
 */
export function batchTimesFigure(result: BenchmarkResult): Figure {
  const modes = [...new Set(result.runs.map((r) => r.mode))];
  const data: Record<string, unknown>[] = [];
  const all: number[] = [];
  const series: [ProducerMode, "elapsed_ms" | "enqueue_ms" | "ack_interval_ms", string, string][] = [];
  for (const mode of modes) {
    series.push([mode, "elapsed_ms", `${NAMES[mode]}: batch start → last ack`, "solid"]);
    if (mode === "async") {
      series.push([mode, "ack_interval_ms", "asynchronous: time the batch added to the run", "dash"]);
      series.push([mode, "enqueue_ms", "asynchronous: hand-over to the client", "dot"]);
    }
  }
  for (const [mode, field, name, dash] of series) {
    const { x, med, lo, hi } = perBatch(result, mode, field);
    all.push(...med);
    const trace: Record<string, unknown> = {
      type: "scatter",
      mode: dash === "solid" ? "lines+markers" : "lines",
      name,
      x,
      y: med,
      line: { color: COLORS[mode], dash },
      marker: { size: 5 },
    };
    if (result.params.trials > 1 && dash === "solid")
      trace.error_y = { type: "data", symmetric: false, array: hi, arrayminus: lo, thickness: 1, width: 2 };
    data.push(trace);
  }
  const logScale = wideRange(all);
  const warmup = result.params.warmupBatches;
  const batches = Math.ceil(result.params.numMessages / result.params.batchSize);
  return {
    data,
    layout: {
      title: titled(
        `Elapsed time per batch of ${result.params.batchSize} messages${result.params.trials > 1 ? " (median of trials; bars: range)" : ""}`,
        result,
      ),
      xaxis: {
        title: { text: "batch number (0 and below: warm-up, not in the summaries)" },
        dtick: Math.max(1, Math.ceil((batches + warmup) / 20)),
      },
      yaxis: { title: { text: `elapsed time per batch (ms${logScale ? ", log scale" : ""})` }, type: logScale ? "log" : "linear" },
      shapes:
        warmup > 0
          ? [
              {
                type: "rect",
                xref: "x",
                yref: "paper",
                x0: 0.5 - warmup,
                x1: 0.5,
                y0: 0,
                y1: 1,
                fillcolor: "#999",
                opacity: 0.15,
                line: { width: 0 },
              },
            ]
          : [],
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 80 },
    },
  };
}

/** Distribution of batch times per producer: start-to-last-ack and time added, as box plots. */
export function batchDistributionFigure(result: BenchmarkResult): Figure {
  const data: Record<string, unknown>[] = [];
  const all: number[] = [];
  for (const mode of [...new Set(result.runs.map((r) => r.mode))]) {
    const batches = result.runs.filter((r) => r.mode === mode).flatMap(measuredBatches);
    const added = batches.map((b) => b.ack_interval_ms).filter(Number.isFinite);
    const span = batches.map((b) => b.elapsed_ms).filter(Number.isFinite);
    all.push(...added, ...span);
    data.push({ type: "box", name: `${NAMES[mode]}: time added`, y: added, marker: { color: COLORS[mode] }, boxpoints: "outliers" });
    if (mode === "async")
      data.push({ type: "box", name: "asynchronous: start → last ack", y: span, marker: { color: "#6baed6" }, boxpoints: "outliers" });
  }
  const logScale = wideRange(all);
  return {
    data,
    layout: {
      title: titled("Distribution of batch times (measured batches, all trials)", result),
      yaxis: { title: { text: `ms per batch${logScale ? " (log scale)" : ""}` }, type: logScale ? "log" : "linear" },
      showlegend: false,
      margin: { t: 80 },
    },
  };
}

/** Cumulative messages acknowledged over time, one line per producer and trial. */
export function cumulativeFigure(result: BenchmarkResult): Figure {
  const data = result.runs.map((run) => {
    const pts = cumulativeAcks(run);
    return {
      type: "scatter",
      mode: "lines",
      name: `${NAMES[run.mode]}, trial ${run.trial}`,
      legendgroup: run.mode,
      x: pts.map((p) => p.t_s),
      y: pts.map((p) => p.acknowledged),
      line: { color: COLORS[run.mode], width: run.trial === 1 ? 2.5 : 1 },
      opacity: run.trial === 1 ? 1 : 0.6,
    };
  });
  return {
    data,
    layout: {
      title: titled("Messages acknowledged over time", result),
      xaxis: { title: { text: "time since the first measured send (s, log scale)" }, type: "log" },
      yaxis: { title: { text: "messages acknowledged (cumulative)" } },
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 80 },
    },
  };
}

/** Per-message delivery latency (send → acknowledgement) as a CDF per producer, log x. */
export function latencyFigure(result: BenchmarkResult): Figure {
  const data = [...new Set(result.runs.map((r) => r.mode))].map((mode) => {
    const pts = latencyCdf(result.runs.filter((r) => r.mode === mode).map((r) => r.latencyMs));
    return {
      type: "scatter",
      mode: "lines+markers",
      name: NAMES[mode],
      x: pts.map((p) => p.latency_ms),
      y: pts.map((p) => p.percentile),
      line: { color: COLORS[mode], shape: "hv" },
      marker: { size: 4 },
      hovertemplate: "p%{y}: %{x:.3f} ms<extra></extra>",
    };
  });
  return {
    data,
    layout: {
      title: titled("Per-message delivery latency (send → acknowledgement)", result),
      xaxis: { title: { text: "latency (ms, log scale)" }, type: "log" },
      yaxis: { title: { text: "percentile of messages (%)" }, range: [0, 100.5] },
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 80 },
    },
  };
}

/**
 * Producer response rate (acknowledgements/s) and request rate (produce requests/s, from
 * librdkafka's statistics) over time, trial 1 of each producer.
 */
export function ratesFigure(result: BenchmarkResult): Figure {
  const data: Record<string, unknown>[] = [];
  for (const run of result.runs.filter((r) => r.trial === 1)) {
    const bin = responseBinMs(run);
    const resp = responseRate(run, bin);
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${NAMES[run.mode]}: response rate (acks/s, ${fmtMs(bin, bin < 10 ? 1 : 0)} windows)`,
      x: resp.map((p) => p.t_s),
      y: resp.map((p) => p.acks_per_s),
      line: { color: COLORS[run.mode] },
    });
    const req = requestRateView(run);
    const first = resp[0]?.t_s ?? 0;
    data.push(
      req.overTime
        ? {
            type: "scatter",
            mode: "lines+markers",
            name: `${NAMES[run.mode]}: request rate (produce requests/s, ${fmtMs(req.windowMs, 0)} windows)`,
            x: req.points.map((p) => p.t_s),
            y: req.points.map((p) => p.produce_per_s),
            line: { color: COLORS[run.mode], dash: "dot" },
            marker: { size: 5 },
          }
        : {
            type: "scatter",
            mode: "lines",
            name: `${NAMES[run.mode]}: request rate over the whole run (produce requests/s; too short for a rate over time)`,
            x: [Math.max(first, 1e-4), run.wallMs / 1000],
            y: [req.wholeRun, req.wholeRun],
            line: { color: COLORS[run.mode], dash: "dash" },
          },
    );
  }
  return {
    data,
    layout: {
      title: titled("Response rate and request rate over time (trial 1)", result),
      xaxis: { title: { text: "time since the first measured send (s, log scale)" }, type: "log" },
      yaxis: { title: { text: "per second (log scale)" }, type: "log" },
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 80 },
    },
  };
}
