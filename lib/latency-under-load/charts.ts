/**
 * Notebook 07's charts as Plotly figures, every one against the offered rate on a log axis. Our
 * producers' publish latency is from the intended send time, Java's tool's from its own send();
 * every title names the target, the records, the settings and how long each step was held.
 */
import { fmt } from "../core/format";
import type { LatencySummary } from "../core/latency";
import type { Figure } from "../notebook/plotly";
import { byRate, divergence, publishLatency } from "./analysis";
import type { SweepProducer } from "./params";
import type { StepResult } from "./steps";
import type { SweepResult } from "./sweep";
import { PRODUCER_NAMES } from "./texts";

const COLORS: Readonly<Record<SweepProducer, string>> = { "ours-sync": "#d62728", "ours-async": "#1f77b4", "perf-tool": "#2ca02c" };
const PERCENTILES: readonly { key: keyof LatencySummary; label: string; dash: string }[] = [
  { key: "p50_ms", label: "p50", dash: "solid" },
  { key: "p99_ms", label: "p99", dash: "dash" },
  { key: "p999_ms", label: "p99.9", dash: "dashdot" },
  { key: "max_ms", label: "max", dash: "dot" },
];

function caption(r: SweepResult): string {
  const p = r.params;
  return (
    `${r.target.target} · ${p.recordSize} B records · acks=${p.acks} · linger.ms ${p.lingerMs} (sync: 0) · ${p.partitions} partitions · ` +
    `${p.durationS} s per step after ${p.warmupS} s warm-up${p.endToEnd ? " · consumer alongside" : ""} · ${r.client}${r.partial ? " · PARTIAL RUN" : ""}`
  );
}

function layout(title: string, r: SweepResult, yTitle: string, yLog = true): Record<string, unknown> {
  return {
    title: { text: `${title}<br><sup>${caption(r)}</sup>` },
    xaxis: { title: { text: "offered rate (messages/s)" }, type: "log" },
    yaxis: { title: { text: yTitle }, type: yLog ? "log" : "linear" },
    legend: { orientation: "h", y: -0.25 },
    margin: { t: 90 },
  };
}

function line(name: string, x: number[], y: number[], color: string, dash: string, group: string, extra: Record<string, unknown> = {}) {
  return { type: "scatter", mode: "lines+markers", name, x, y, line: { color, dash }, marker: { size: 5 }, legendgroup: group, ...extra };
}

/** The latency-vs-throughput curve: p50 / p99 / p99.9 / max per producer, with our p99 from the send beside it. */
export function latencyCurveFigure(r: SweepResult): Figure {
  const data: Record<string, unknown>[] = [];
  for (const p of r.producers) {
    const ss = byRate(r.steps, p);
    const x = ss.map((s) => s.offered_per_s);
    const from = p === "perf-tool" ? "from its send()" : "from the intended time";
    for (const pc of PERCENTILES)
      data.push(
        line(
          `${PRODUCER_NAMES[p]}: ${pc.label} ${from}`,
          x,
          ss.map((s) => publishLatency(s)[pc.key]),
          COLORS[p],
          pc.dash,
          p,
        ),
      );
    if (p !== "perf-tool")
      data.push(
        line(
          `${PRODUCER_NAMES[p]}: p99 from the send`,
          x,
          ss.map((s) => s.from_send.p99_ms),
          COLORS[p],
          "dot",
          p,
          {
            opacity: 0.5,
            marker: { size: 4, symbol: "circle-open" },
          },
        ),
      );
  }
  return { data, layout: layout("Publish latency against offered rate (log–log)", r, "latency (ms, log)") };
}

/** Achieved against offered rate, with the line where they are equal; saturated steps marked. */
export function achievedFigure(r: SweepResult): Figure {
  const all = r.steps.map((s) => s.offered_per_s);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const data: Record<string, unknown>[] = [
    { type: "scatter", mode: "lines", name: "achieved = offered", x: [lo, hi], y: [lo, hi], line: { color: "#999", dash: "dot" } },
  ];
  for (const p of r.producers) {
    const ss = byRate(r.steps, p);
    data.push(
      line(
        PRODUCER_NAMES[p],
        ss.map((s) => s.offered_per_s),
        ss.map((s) => s.achieved_per_s),
        COLORS[p],
        "solid",
        p,
        {
          marker: { size: 8, symbol: ss.map((s) => (s.saturated ? "x" : "circle")) },
          text: ss.map((s) => (s.saturated ? `saturated: ${s.saturation}` : "kept up")),
        },
      ),
    );
  }
  return { data, layout: layout("Achieved against offered rate (× = saturated)", r, "achieved (messages/s, log)") };
}

/** End-to-end latency next to publish latency from the send, p50 and p99, and Java's EndToEndLatency. */
export function endToEndFigure(r: SweepResult): Figure {
  const data: Record<string, unknown>[] = [];
  for (const p of r.producers) {
    const ss = byRate(r.steps, p).filter((s) => s.e2e);
    if (!ss.length) continue;
    const x = ss.map((s) => s.offered_per_s);
    for (const [key, label, dash] of [
      ["p50_ms", "p50", "solid"],
      ["p99_ms", "p99", "dash"],
    ] as const) {
      data.push(
        line(
          `${PRODUCER_NAMES[p]}: end-to-end ${label}`,
          x,
          ss.map((s) => s.e2e![key]),
          COLORS[p],
          dash,
          p,
        ),
      );
      data.push(
        line(
          `${PRODUCER_NAMES[p]}: publish ${label} from the send`,
          x,
          ss.map((s) => s.from_send[key]),
          COLORS[p],
          dash,
          p,
          {
            opacity: 0.45,
            marker: { size: 4, symbol: "circle-open" },
          },
        ),
      );
    }
  }
  const j = r.javaE2e;
  if (j)
    data.push({
      type: "scatter",
      mode: "markers",
      name: `Java EndToEndLatency (one record at a time): p50, p99`,
      x: [j.rate_per_s, j.rate_per_s],
      y: [j.p50_ms, j.p99_ms],
      marker: { color: "#000", size: 10, symbol: ["diamond", "diamond-open"] },
    });
  return { data, layout: layout("End-to-end latency (produce → consume) beside publish latency", r, "latency (ms, log)") };
}

/** Our producers' latency from the intended time against from the send: where they part. */
export function divergenceFigure(r: SweepResult): Figure {
  const series: readonly [string, (s: StepResult) => number, string, number][] = [
    ["p50 from the intended time", (s) => s.from_intended.p50_ms, "solid", 1],
    ["p50 from the send", (s) => s.from_send.p50_ms, "dot", 1],
    ["p99 from the intended time", (s) => s.from_intended.p99_ms, "dash", 0.6],
    ["p99 from the send", (s) => s.from_send.p99_ms, "dashdot", 0.6],
  ];
  const data: Record<string, unknown>[] = [];
  for (const p of r.producers.filter((x) => x !== "perf-tool")) {
    const ss = byRate(r.steps, p);
    const x = ss.map((s) => s.offered_per_s);
    for (const [label, y, dash, opacity] of series)
      data.push(line(`${PRODUCER_NAMES[p]}: ${label}`, x, ss.map(y), COLORS[p], dash, p, { opacity }));
    const d = divergence(ss, p);
    if (d)
      data.push({
        type: "scatter",
        mode: "markers+text",
        name: `${PRODUCER_NAMES[p]}: the two part here`,
        x: [d.offered_per_s],
        y: [d.from_intended.p50_ms],
        text: [`parts at ${fmt(d.offered_per_s)}/s`],
        textposition: "top center",
        marker: { color: COLORS[p], size: 14, symbol: "star" },
        legendgroup: p,
      });
  }
  return { data, layout: layout("Latency from the intended time against latency from the send (our producers)", r, "latency (ms, log)") };
}
