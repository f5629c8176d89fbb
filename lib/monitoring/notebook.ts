/**
 * The dashboard without Grafana, for notebook 08: every panel's queries asked of Prometheus'
 * HTTP API (query_range) over a sweep's span and drawn with Plotly, and the runs as Prometheus saw
 * them set beside the harness's own figures, with the sentence saying where they agree (counts)
 * and why they differ (rates: the scrape interval and the rate() window). Every number comes from
 * the run and from Prometheus.
 */
import { escapeRegExp, fmt, fmtPct } from "../core/format";
import { median } from "../core/stats";
import { showChart, showMarkdown } from "../notebook/display";
import type { Figure } from "../notebook/plotly";
import { query, queryRange, type RangeSeries } from "./api";
import { RATE_WINDOW, RATE_WINDOW_S, SCRAPE_INTERVAL_S } from "./layout";
import { expandQuery, PANELS, type PanelQuery, type PanelSpec } from "./panels";

/** What a run must tell about itself (a bench BenchRun has all of it). */
export interface RunLike {
  producer: string;
  topic: string;
  figures: { delivered: number; msgs_per_s: number; wall_s: number };
}

export interface PanelData {
  panel: PanelSpec;
  queries: { query: PanelQuery; series: RangeSeries[] }[];
}

/** Every panel's queries over [start, end] (seconds since the epoch), `$topic` set to the runs' topics. */
export async function panelData(url: string, start: number, end: number, topics: string[]): Promise<PanelData[]> {
  const topic = topics.map(escapeRegExp).join("|") || ".*";
  const out: PanelData[] = [];
  for (const panel of PANELS) {
    const queries = [];
    for (const q of panel.queries)
      queries.push({ query: q, series: await queryRange(url, expandQuery(q.expr, { topic }), start, end, SCRAPE_INTERVAL_S) });
    out.push({ panel, queries });
  }
  return out;
}

/** Grafana's legend format ("{{client_id}} ({{pid}})") filled in from a series' labels. */
export function legendOf(format: string, labels: Record<string, string>): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => labels[name] ?? "");
}

/** One panel as a Plotly chart: one line per series, x in seconds since t0. */
export function panelFigure(d: PanelData, t0: number): Figure {
  const data = d.queries.flatMap(({ query: q, series }) =>
    series.map((s) => ({
      type: "scatter",
      mode: "lines",
      name: legendOf(q.legend, s.metric),
      x: s.points.map(([t]) => Math.round((t - t0) * 10) / 10),
      y: s.points.map(([, v]) => v),
    })),
  );
  return {
    data,
    layout: {
      title: { text: d.panel.title },
      xaxis: { title: { text: "seconds since the sweep started" } },
      yaxis: { title: { text: d.panel.unit.replace(/^suffix:/, "") }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 50, b: 110 },
    },
  };
}

/** Every panel with data as a chart; those without, named with what would feed them. */
export function showPanels(panels: PanelData[], t0: number): void {
  const empty = panels.filter((d) => d.queries.every((q) => q.series.length === 0));
  for (const d of panels) if (!empty.includes(d)) showChart(panelFigure(d, t0), { height: 380 });
  if (empty.length) showMarkdown(empty.map((d) => `**${d.panel.title}**: no data in this run. ${d.panel.description}.`).join("\n\n"));
}

/** One run as the harness and Prometheus each saw it. */
export interface RunView {
  producer: string;
  topic: string;
  harness_msgs_per_s: number;
  harness_wall_s: number;
  /** Messages the producer had acknowledged by the run's end, warm-up included (what the counter counts). */
  acknowledged: number;
  exporter_counter: number;
  broker_messages_in: number;
  /** Highest kafka_producer_message_rate during the run. */
  prometheus_peak_rate: number;
  /** Σ rate × step over the run: what the rate curve adds up to. */
  rate_integral: number;
}

/** The runs (warm-up records per run given) as Prometheus saw them over [start, end]. */
export async function compareWithHarness(
  url: string,
  runs: RunLike[],
  warmupOf: (r: RunLike) => number,
  start: number,
  end: number,
): Promise<RunView[]> {
  const range = `${Math.ceil(end - start) + 1}s`;
  const one = async (expr: string) => (await query(url, expr, end))[0]?.value ?? NaN;
  const out: RunView[] = [];
  for (const r of runs) {
    const t = JSON.stringify(r.topic);
    const rate = (await queryRange(url, `sum(kafka_producer_message_rate{topic=${t}})`, start, end, SCRAPE_INTERVAL_S))[0]?.points ?? [];
    out.push({
      producer: r.producer,
      topic: r.topic,
      harness_msgs_per_s: r.figures.msgs_per_s,
      harness_wall_s: r.figures.wall_s,
      acknowledged: r.figures.delivered + warmupOf(r),
      exporter_counter: await one(`sum(max_over_time(kafka_producer_messages_delivered_total{topic=${t}}[${range}]))`),
      broker_messages_in: await one(`sum(max_over_time(kafka_server_messages_in_total{topic=${t}}[${range}]))`),
      prometheus_peak_rate: Math.max(0, ...rate.map(([, v]) => v).filter(Number.isFinite)),
      rate_integral: rate.reduce((s, [, v]) => s + (Number.isFinite(v) ? v * SCRAPE_INTERVAL_S : 0), 0),
    });
  }
  return out;
}

/** Where the two views agree and why they differ, in numbers from the runs. */
export function comparisonText(rows: RunView[]): string {
  const n = rows.length;
  const exact = rows.filter((r) => r.exporter_counter === r.acknowledged).length;
  const broker = rows.filter((r) => r.broker_messages_in === r.acknowledged).length;
  const peakShare = median(rows.map((r) => r.prometheus_peak_rate / r.harness_msgs_per_s));
  const wall = median(rows.map((r) => r.harness_wall_s));
  const integral = median(rows.map((r) => r.rate_integral / r.acknowledged));
  return [
    `**Where they agree: the counts.** In ${exact} of ${n} runs the exporter's \`kafka_producer_messages_delivered_total\` ended at exactly ` +
      `the messages the harness saw acknowledged (its delivered count plus the warm-up), and in ${broker} of ${n} the broker's own ` +
      "`kafka_server_messages_in_total` for the run's topic says the same" +
      (broker === n
        ? ": three counters, one number."
        : " (where it is short, Prometheus' last scrape of the broker came before the run's last messages were appended: the broker " +
          "drops a topic's metrics when the topic is deleted)."),
    `**Where they differ: the rates.** Prometheus' highest \`kafka_producer_message_rate\` during a run was, in the median, ` +
      `${fmtPct(peakShare)} of the harness's messages/s. The harness times one run from its first send to its last acknowledgement ` +
      `(a median of ${fmt(wall, 2)} s here, to the microsecond); Prometheus sees the counter once every ${SCRAPE_INTERVAL_S} s, and ` +
      `\`rate(…[${RATE_WINDOW}])\` is the average increase over the last ${RATE_WINDOW_S} s. A run shorter than the window is spread over all of it, ` +
      `so the peak is about run length / window = ${fmtPct(Math.min(1, wall / RATE_WINDOW_S))} of the run's own rate` +
      (wall < RATE_WINDOW_S
        ? "; only runs much longer than the window would show their rate as a plateau."
        : ", and long runs show it as a plateau."),
    `Added up over time, the rate curve gives back ${fmtPct(integral)} of the counted messages (median): rate() extrapolates at ` +
      "the edges of its window and a run's first seconds may fall before its series' first sample, so a rate is for trends, and a count " +
      "is for totals.",
  ].join("\n\n");
}

/** Each run's messages/s as the harness measured it beside Prometheus' peak rate for it. */
export function comparisonFigure(rows: RunView[]): Figure {
  const x = rows.map((r, i) => `run ${i + 1}`);
  const bar = (name: string, y: number[]) => ({ type: "bar", name, x, y });
  return {
    data: [
      bar(
        "harness: messages/s (first send to last acknowledgement)",
        rows.map((r) => r.harness_msgs_per_s),
      ),
      bar(
        `Prometheus: peak kafka_producer_message_rate (rate over ${RATE_WINDOW})`,
        rows.map((r) => r.prometheus_peak_rate),
      ),
    ],
    layout: {
      title: { text: "One run, two rates: the harness's and Prometheus'" },
      barmode: "group",
      yaxis: { title: { text: "messages/s" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}
