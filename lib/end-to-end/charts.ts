/**
 * Notebook 06's charts as Plotly figures, on one time axis: seconds since the producer's first
 * record. Every title names the target, the record count, the batch size and the client.
 */
import type { Figure } from "../notebook/plotly";
import type { E2eResult } from "./run";

const PRODUCER = "#1f77b4";
const CONSUMER = "#d62728";

function caption(r: E2eResult): string {
  return (
    `${r.target.target} · ${r.params.records.toLocaleString("en-US")} records · batches of ${r.params.batchSize.toLocaleString("en-US")} · ` +
    `${r.client}${r.partial ? " · PARTIAL RUN" : ""}`
  );
}

function titled(title: string, r: E2eResult): Record<string, unknown> {
  return { text: `${title}<br><sup>${caption(r)}</sup>` };
}

/** Seconds since the producer's t0 of each producer batch's completion and each consumer batch's end. */
function timeline(r: E2eResult): { producer: number[]; consumer: number[]; consumerZero: number } {
  const t0 = r.producer?.t0EpochMs ?? r.consumer?.firstEpochMs ?? 0;
  let done = 0;
  const producer = (r.producer?.batches ?? []).map((b) => (done += Number.isFinite(b.ack_interval_ms) ? b.ack_interval_ms : 0) / 1000);
  const consumerZero = ((r.consumer?.firstEpochMs ?? t0) - t0) / 1000;
  const consumer = (r.consumer?.batches ?? []).map((b) => consumerZero + b.end_ms / 1000);
  return { producer, consumer, consumerZero };
}

/** Each batch's throughput on both sides, over time. */
export function throughputFigure(r: E2eResult): Figure {
  const t = timeline(r);
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "producer: batch throughput (acknowledged)",
        x: t.producer,
        y: (r.producer?.batches ?? []).map((b) => b.msgs_per_s),
        line: { color: PRODUCER },
        marker: { size: 4 },
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "consumer: batch throughput",
        x: t.consumer,
        y: (r.consumer?.batches ?? []).map((b) => b.msgs_per_s),
        line: { color: CONSUMER },
        marker: { size: 4 },
      },
      {
        type: "scatter",
        mode: "lines",
        name: "producer: cumulative",
        x: t.producer,
        y: (r.producer?.batches ?? []).map((b) => b.cumulative_msgs_per_s),
        line: { color: PRODUCER, dash: "dot" },
      },
      {
        type: "scatter",
        mode: "lines",
        name: "consumer: cumulative",
        x: t.consumer,
        y: (r.consumer?.batches ?? []).map((b) => b.cumulative_msgs_per_s),
        line: { color: CONSUMER, dash: "dot" },
      },
    ],
    layout: {
      title: titled(`Throughput per batch of ${r.params.batchSize.toLocaleString("en-US")} records, producer and consumer`, r),
      xaxis: { title: { text: "time since the producer's first record (s)" } },
      yaxis: { title: { text: "records per second" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 80 },
    },
  };
}

/** Records the consumer had not read yet, over time. */
export function lagFigure(r: E2eResult): Figure {
  const zero = timeline(r).consumerZero;
  const lag = r.consumer?.lag ?? [];
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "consumer lag",
        x: lag.map((l) => zero + l.t_ms / 1000),
        y: lag.map((l) => l.lag),
        line: { color: CONSUMER, shape: "hv" },
        marker: { size: 4 },
      },
    ],
    layout: {
      title: titled("Consumer lag: high watermark − position, all partitions", r),
      xaxis: { title: { text: "time since the producer's first record (s)" } },
      yaxis: { title: { text: "records not yet read" }, rangemode: "tozero" },
      margin: { t: 80 },
    },
  };
}

/** CPU (% of one core) and RSS (MiB) of both processes, per batch. */
export function resourcesFigure(r: E2eResult): Figure {
  const t = timeline(r);
  const p = r.producer?.batches ?? [];
  const c = r.consumer?.batches ?? [];
  return {
    data: [
      { type: "scatter", mode: "lines", name: "producer CPU (%)", x: t.producer, y: p.map((b) => b.cpu_pct), line: { color: PRODUCER } },
      { type: "scatter", mode: "lines", name: "consumer CPU (%)", x: t.consumer, y: c.map((b) => b.cpu_pct), line: { color: CONSUMER } },
      {
        type: "scatter",
        mode: "lines",
        name: "producer RSS (MiB)",
        x: t.producer,
        y: p.map((b) => b.rss_mib),
        yaxis: "y2",
        line: { color: PRODUCER, dash: "dot" },
      },
      {
        type: "scatter",
        mode: "lines",
        name: "consumer RSS (MiB)",
        x: t.consumer,
        y: c.map((b) => b.rss_mib),
        yaxis: "y2",
        line: { color: CONSUMER, dash: "dot" },
      },
    ],
    layout: {
      title: titled("CPU (process CPU time / wall time, per batch) and memory of each process", r),
      xaxis: { title: { text: "time since the producer's first record (s)" } },
      yaxis: { title: { text: "CPU, % of one core" }, rangemode: "tozero" },
      yaxis2: { title: { text: "resident memory (MiB)" }, overlaying: "y", side: "right", rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 80 },
    },
  };
}

/** End-to-end latency (produce() to the consumer) as a CDF, log x. */
export function latencyCdfFigure(r: E2eResult): Figure {
  const cdf = r.consumer?.latencyCdf ?? [];
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "end to end",
        x: cdf.map((p) => p.latency_ms),
        y: cdf.map((p) => p.percentile),
        line: { color: CONSUMER, shape: "hv" },
        marker: { size: 4 },
        hovertemplate: "p%{y}: %{x:.1f} ms<extra></extra>",
      },
    ],
    layout: {
      title: titled("End-to-end latency: produce() to the record reaching the consumer", r),
      xaxis: { title: { text: "latency (ms, log scale; the record timestamp is in whole ms)" }, type: "log" },
      yaxis: { title: { text: "percentile of records (%)" }, range: [0, 100.5] },
      margin: { t: 80 },
    },
  };
}
