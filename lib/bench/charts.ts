/**
 * Plotly figures for the tuning study and the client comparison (rendered by
 * lib/notebook/plotly.ts). Every title names the target, the record count, the batch size and
 * the client; every axis has its unit.
 */
import type { Figure } from "../notebook/plotly";
import type { BenchRow } from "./results";
import { KNOB_LABELS, type Knob, type PointResult } from "./tuning";
import type { Workload } from "./workload";

export interface ChartContext {
  /** "embedded broker", "Confluent Cloud", … */
  target: string;
  workload: Workload;
  /** e.g. "@confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1)". */
  client: string;
}

export function chartCaption(c: ChartContext, records = c.workload.records): string {
  return `${c.target} · ${records.toLocaleString("en-US")} records of ${c.workload.recordSize} B · batch.size ${c.workload.batchSize.toLocaleString("en-US")} B · ${c.client}`;
}

/** Throughput (median, min–max bars) and p99 latency against one knob's values. */
export function sweepFigure(points: PointResult[], knob: Knob, c: ChartContext): Figure {
  const x = points.map((p) => String(p.value));
  const records = knob === "producers" ? c.workload.records : c.workload.records;
  return {
    data: [
      {
        type: "bar",
        name: "messages/s (median; bars: min–max of repeats)",
        x,
        y: points.map((p) => p.msgs_per_s),
        error_y: {
          type: "data",
          symmetric: false,
          array: points.map((p) => p.msgs_per_s_max - p.msgs_per_s),
          arrayminus: points.map((p) => p.msgs_per_s - p.msgs_per_s_min),
        },
        marker: { color: "#1f77b4" },
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "p99 latency (ms)",
        x,
        y: points.map((p) => p.p99_ms),
        yaxis: "y2",
        line: { color: "#d62728" },
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "p50 latency (ms)",
        x,
        y: points.map((p) => p.p50_ms),
        yaxis: "y2",
        line: { color: "#ff7f0e", dash: "dot" },
      },
    ],
    layout: {
      title: {
        text:
          `Throughput and latency vs ${KNOB_LABELS[knob]}<br><sup>${chartCaption(c, records)}${knob === "producers" ? " per process" : ""} · ` +
          `${points[0]?.runs.length ?? 0} repeats per point</sup>`,
      },
      xaxis: { title: { text: KNOB_LABELS[knob] }, type: "category" },
      yaxis: { title: { text: "throughput (messages/s)" }, rangemode: "tozero" },
      yaxis2: { title: { text: "latency, send → acknowledgement (ms)" }, overlaying: "y", side: "right", rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 80 },
    },
  };
}

/** Median throughput over a two-knob grid. */
export function heatmapFigure(points: PointResult[], c: ChartContext): Figure {
  const k1 = points[0].knob as Knob;
  const k2 = points[0].knob2 as Knob;
  const xs = [...new Set(points.map((p) => String(p.value2)))];
  const ys = [...new Set(points.map((p) => String(p.value)))];
  const z = ys.map((y) => xs.map((x) => points.find((p) => String(p.value) === y && String(p.value2) === x)?.msgs_per_s ?? null));
  return {
    data: [
      {
        type: "heatmap",
        x: xs,
        y: ys,
        z,
        colorscale: "Viridis",
        colorbar: { title: { text: "messages/s" } },
        text: z.map((row) => row.map((v) => (v === null ? "" : Math.round(v).toLocaleString("en-US")))),
        texttemplate: "%{text}",
        hovertemplate: `${KNOB_LABELS[k1]} %{y}, ${KNOB_LABELS[k2]} %{x}: %{z:,.0f} messages/s<extra></extra>`,
      },
    ],
    layout: {
      title: { text: `Median throughput (messages/s) over ${KNOB_LABELS[k1]} × ${KNOB_LABELS[k2]}<br><sup>${chartCaption(c)}</sup>` },
      xaxis: { title: { text: KNOB_LABELS[k2] }, type: "category" },
      yaxis: { title: { text: KNOB_LABELS[k1] }, type: "category" },
      margin: { t: 80 },
    },
  };
}

/** The client comparison: messages/s per producer, and p50/p99 latency. */
export function clientsFigure(rows: BenchRow[], c: ChartContext): Figure {
  const shown = rows.filter((r) => !r.note);
  const x = shown.map((r) => r.label);
  return {
    data: [
      {
        type: "bar",
        name: "messages/s (median; bars: min–max)",
        x,
        y: shown.map((r) => r.msgs_per_s),
        error_y: {
          type: "data",
          symmetric: false,
          array: shown.map((r) => r.msgs_per_s_max - r.msgs_per_s),
          arrayminus: shown.map((r) => r.msgs_per_s - r.msgs_per_s_min),
        },
        marker: { color: shown.map((r) => (r.producer === "perf-tool" ? "#7f7f7f" : "#1f77b4")) },
      },
      {
        type: "scatter",
        mode: "markers",
        name: "p50 latency (ms)",
        x,
        y: shown.map((r) => r.latency_p50_ms),
        yaxis: "y2",
        marker: { color: "#ff7f0e", size: 10, symbol: "circle" },
      },
      {
        type: "scatter",
        mode: "markers",
        name: "p99 latency (ms)",
        x,
        y: shown.map((r) => r.latency_p99_ms),
        yaxis: "y2",
        marker: { color: "#d62728", size: 10, symbol: "diamond" },
      },
    ],
    layout: {
      title: { text: `Producers side by side, with Java's ProducerPerformance as the reference (grey)<br><sup>${chartCaption(c)}</sup>` },
      xaxis: { title: { text: "producer" } },
      yaxis: { title: { text: "throughput (messages/s)" }, rangemode: "tozero" },
      yaxis2: { title: { text: "latency, send → acknowledgement (ms, log scale)" }, overlaying: "y", side: "right", type: "log" },
      legend: { orientation: "h", y: -0.35 },
      margin: { t: 80, b: 140 },
    },
  };
}
