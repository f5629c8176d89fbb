/**
 * Plotly figures for the tuning study and the client comparison (rendered by
 * lib/notebook/plotly.ts). Every title names the target, the record count, the batch size and
 * the client; every axis has its unit.
 */
import { fmt } from "../core/format";
import type { Figure } from "../notebook/plotly";
import type { Placement } from "./placement";
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
  return `${c.target} · ${fmt(records)} records of ${c.workload.recordSize} B · batch.size ${fmt(c.workload.batchSize)} B · ${c.client}`;
}

/** Throughput (median, min–max bars) and p99 latency against one knob's values. */
export function sweepFigure(points: PointResult[], knob: Knob, c: ChartContext): Figure {
  const x = points.map((p) => String(p.value));
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
          `Throughput and latency vs ${KNOB_LABELS[knob]}<br><sup>${chartCaption(c)}${knob === "producers" ? " per process" : ""} · ` +
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

const PLACEMENT_COLORS: Readonly<Record<Placement, string>> = Object.freeze({ unpinned: "#1f77b4", pinned: "#2ca02c" });

/** The client comparison: median messages/s per producer with its 95% CI, one bar per placement, and p50/p99 latency. */
export function clientsFigure(rows: BenchRow[], c: ChartContext): Figure {
  const shown = rows.filter((r) => !r.note);
  const labels = [...new Set(shown.map((r) => r.label))];
  const placements = [...new Set(shown.map((r) => r.placement))];
  const at = (pl: Placement) => labels.map((l) => shown.find((r) => r.label === l && r.placement === pl));
  const y = (rs: (BenchRow | undefined)[], f: (r: BenchRow) => number) => rs.map((r) => (r ? f(r) : null));
  const conf = shown.find((r) => Number.isFinite(r.ci_confidence))?.ci_confidence;
  // The placements that ran, in words: "unpinned and pinned (broker and client on a core each)".
  const placed = placements.map((pl) => (pl === "pinned" ? "pinned (broker and client on a core each)" : pl)).join(" and ");
  return {
    data: [
      ...placements.map((pl) => {
        const rs = at(pl);
        return {
          type: "bar",
          name: `messages/s, ${pl} (median; bars: ${conf ? `${Math.round(conf * 1000) / 10}% CI` : "one run"})`,
          x: labels,
          y: y(rs, (r) => r.msgs_per_s),
          error_y: {
            type: "data",
            symmetric: false,
            array: y(rs, (r) => r.msgs_per_s_ci_hi - r.msgs_per_s),
            arrayminus: y(rs, (r) => r.msgs_per_s - r.msgs_per_s_ci_lo),
          },
          marker: { color: PLACEMENT_COLORS[pl] },
        };
      }),
      ...placements.flatMap((pl) =>
        (["p50", "p99"] as const).map((p) => ({
          type: "scatter",
          mode: "markers",
          name: `${p} latency (ms), ${pl}`,
          x: labels,
          y: y(at(pl), (r) => (p === "p50" ? r.latency_p50_ms : r.latency_p99_ms)),
          yaxis: "y2",
          marker: {
            color: p === "p50" ? "#ff7f0e" : "#d62728",
            size: 9,
            symbol: `${p === "p50" ? "circle" : "diamond"}${pl === "pinned" ? "-open" : ""}`,
          },
        })),
      ),
    ],
    layout: {
      title: { text: `Producers side by side${placed ? `, ${placed}` : ""}<br><sup>${chartCaption(c)}</sup>` },
      barmode: "group",
      xaxis: { title: { text: "producer" } },
      yaxis: { title: { text: "throughput (messages/s)" }, rangemode: "tozero" },
      yaxis2: { title: { text: "latency, send → acknowledgement (ms, log scale)" }, overlaying: "y", side: "right", type: "log" },
      legend: { orientation: "h", y: -0.45 },
      margin: { t: 80, b: 200 },
    },
  };
}

/** CPU seconds per million messages: the client (main thread, librdkafka's threads, the rest) stacked, the broker beside it. */
export function cpuFigure(rows: BenchRow[], c: ChartContext): Figure {
  const shown = rows.filter((r) => !r.note && Number.isFinite(r.cpu_client_s_per_M));
  const x = [shown.map((r) => r.placement), shown.map((r) => r.producer)];
  const part = (f: (r: BenchRow) => number) => shown.map((r) => (Number.isFinite(f(r)) ? f(r) : 0));
  const known = (r: BenchRow) =>
    (Number.isFinite(r.cpu_main_s_per_M) ? r.cpu_main_s_per_M : 0) +
    (Number.isFinite(r.cpu_librdkafka_s_per_M) ? r.cpu_librdkafka_s_per_M : 0);
  const bar = (name: string, y: number[], color: string, offsetgroup: string) => ({
    type: "bar",
    name,
    x,
    y,
    marker: { color },
    offsetgroup,
  });
  return {
    data: [
      bar(
        "client: main thread (JavaScript / Python)",
        part((r) => r.cpu_main_s_per_M),
        "#1f77b4",
        "client",
      ),
      {
        ...bar(
          "client: librdkafka's threads",
          part((r) => r.cpu_librdkafka_s_per_M),
          "#aec7e8",
          "client",
        ),
        base: part((r) => r.cpu_main_s_per_M),
      },
      {
        ...bar(
          "client: other threads (all of Java's)",
          part((r) => Math.max(0, r.cpu_client_s_per_M - known(r))),
          "#c7c7c7",
          "client",
        ),
        base: part(known),
      },
      bar(
        "broker JVM",
        part((r) => r.cpu_broker_s_per_M),
        "#d62728",
        "broker",
      ),
    ],
    layout: {
      title: {
        text: `CPU seconds per million messages over the measured part, client process and broker<br><sup>${chartCaption(c)}</sup>`,
      },
      barmode: "group",
      xaxis: { title: { text: "placement · producer" } },
      yaxis: { title: { text: "CPU seconds per million messages" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.45 },
      margin: { t: 80, b: 200 },
    },
  };
}
