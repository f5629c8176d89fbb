/** Notebook 03's timeline chart: one run, message by message, with its flushes and pauses. */
import type { Figure } from "../notebook/plotly";
import type { TimelineRun } from "./timeline";

/** Produced / acknowledged / consumed per message against time, flushes and pauses shaded. */
export function timelineFigure(run: TimelineRun): Figure {
  const rel = (t: number | null) => (t === null ? null : (t - run.t0) / 1000);
  const y = run.messages.map((m) => m.n);
  const trace = (name: string, xs: (number | null)[], symbol: string, color: string, size: number) => ({
    type: "scatter",
    mode: "markers",
    name,
    x: xs,
    y,
    marker: { symbol, color, size, line: { width: 1, color } },
    hovertemplate: `${name}: message %{y} at %{x:.3f} s<extra></extra>`,
  });
  const shapes = run.events.map((e) => ({
    type: "rect",
    xref: "x",
    yref: "paper",
    x0: rel(e.start),
    x1: Math.max(rel(e.end) as number, (rel(e.start) as number) + 0.01),
    y0: 0,
    y1: 1,
    fillcolor: e.kind === "flush" ? "rgba(214,39,40,0.25)" : "rgba(127,127,127,0.12)",
    line: { width: e.kind === "flush" ? 1 : 0, color: "rgba(214,39,40,0.8)" },
  }));
  // Many flushes (one per message) would bury the chart in labels: label only a few.
  const labelled = run.events.length <= 20 ? run.events : [];
  const annotations = labelled.map((e) => ({
    x: rel(e.start),
    y: 1,
    xref: "x",
    yref: "paper",
    yanchor: "bottom",
    text: e.kind === "flush" ? `flush() after #${e.afterMessage}` : `pause ${Math.round((e.end - e.start) / 100) / 10} s`,
    showarrow: false,
    font: { size: 10, color: e.kind === "flush" ? "#d62728" : "#555" },
  }));
  const p = run.plan;
  const planText = [
    `${p.count} messages`,
    p.pauseEvery ? `pause ${(p.pauseMs ?? 0) / 1000} s after every ${p.pauseEvery}th` : "",
    p.flushEvery ? `flush after every ${p.flushEvery === 1 ? "message" : `${p.flushEvery}th`}` : "flush at the end",
  ]
    .filter(Boolean)
    .join(", ");
  return {
    data: [
      trace(
        "produced (produce() called)",
        run.messages.map((m) => rel(m.producedAt)),
        "circle-open",
        "#1f77b4",
        9,
      ),
      trace(
        "acknowledged (delivery report)",
        run.messages.map((m) => rel(m.ackedAt)),
        "x",
        "#2ca02c",
        8,
      ),
      trace(
        "consumed (concurrent consumer)",
        run.messages.map((m) => rel(m.consumedAt)),
        "diamond",
        "#ff7f0e",
        7,
      ),
    ],
    layout: {
      title: {
        text:
          `${run.label}: when each message was produced, acknowledged and consumed (linger.ms=${run.settings["linger.ms"]})<br><sup>${run.target} ` +
          `· ${planText}<br>batch size: librdkafka's (batch.num.messages default) · ${run.client} (librdkafka ${run.librdkafka})</sup>`,
      },
      xaxis: { title: { text: "time since the first produce() (s, performance.now())" }, rangemode: "tozero" },
      yaxis: { title: { text: "message number" }, dtick: run.messages.length > 30 ? undefined : 1 },
      shapes,
      annotations,
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 100 },
    },
  };
}
