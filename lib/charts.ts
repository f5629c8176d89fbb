/**
 * Plotly charts as self-contained HTML: plotly.min.js inlined once per kernel session, then a div
 * and a Plotly.newPlot call per chart. This renders in JupyterLab, the classic notebook and the
 * exported HTML alike, with no network (JupyterLab has no built-in renderer for Plotly's own
 * mime type).
 */
import * as fs from "node:fs";
import { randomBytes } from "node:crypto";
import type { BenchmarkResult } from "./harness";
import type { ProducerMode } from "./producers";

export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

let bundleEmitted = false;

/** The plotly.min.js bundle as one inline script element. */
export function plotlyBundleHtml(): string {
  const file = require.resolve("plotly.js-dist-min/plotly.min.js");
  // A literal "</script" would end the element early; the bundle has none today, but be safe.
  const js = fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
  return `<script type="text/javascript">${js}</script>`;
}

/** Lets the next chart carry the bundle again (e.g. after its output was cleared). */
export function resetPlotlyBundle(): void {
  bundleEmitted = false;
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * One chart as HTML. The first chart of a session carries the bundle; each chart waits briefly
 * for window.Plotly, and says so in place of the chart if it never comes.
 */
export function figureHtml(fig: Figure, opts: { height?: number; includeBundle?: boolean } = {}): string {
  const id = `kpp-chart-${randomBytes(6).toString("hex")}`;
  const height = opts.height ?? 460;
  const includeBundle = opts.includeBundle ?? !bundleEmitted;
  if (includeBundle) bundleEmitted = true;
  const config = { responsive: true, displaylogo: false, ...fig.config };
  const script = `(function () {
  var id = ${scriptJson(id)}, tries = 0;
  function draw() {
    if (window.Plotly) { window.Plotly.newPlot(id, ${scriptJson(fig.data)}, ${scriptJson(fig.layout)}, ${scriptJson(config)}); return; }
    if (++tries < 100) { setTimeout(draw, 100); return; }
    var el = document.getElementById(id);
    if (el) el.textContent = "Plotly did not load: re-run the notebook from the top (the first chart carries plotly.min.js), or trust the notebook.";
  }
  draw();
})();`;
  return `${includeBundle ? plotlyBundleHtml() : ""}<div id="${id}" class="kpp-chart" style="width:100%;height:${height}px"></div><script type="text/javascript">${script}</script>`;
}

const COLORS: Record<ProducerMode, string> = { sync: "#d62728", async: "#1f77b4" };

/** "embedded broker · 20,000 messages · batches of 500 · @confluentinc/kafka-javascript 1.10.1" */
export function runCaption(result: BenchmarkResult): string {
  const n = result.params.numMessages.toLocaleString("en-US");
  return `${result.target.target} · ${n} messages · batches of ${result.params.batchSize} · ${result.client} (librdkafka ${result.librdkafka})`;
}

/** Elapsed time per batch for both producers; log scale when they differ by more than 20x. */
export function batchTimesFigure(result: BenchmarkResult): Figure {
  const data: Record<string, unknown>[] = [];
  let lo = Infinity;
  let hi = 0;
  for (const run of result.runs) {
    const x = run.batches.map((b) => b.batch);
    const elapsed = run.batches.map((b) => b.elapsed_ms);
    const label = run.mode === "sync" ? "synchronous: batch start → last ack" : "asynchronous: batch start → last ack";
    data.push({ type: "scatter", mode: "lines+markers", name: label, x, y: elapsed, line: { color: COLORS[run.mode] }, marker: { size: 5 } });
    if (run.mode === "async") {
      const enqueue = run.batches.map((b) => b.enqueue_ms);
      const interval = run.batches.map((b) => b.ack_interval_ms);
      data.push({ type: "scatter", mode: "lines", name: "asynchronous: time the batch added to the run", x, y: interval, line: { color: COLORS.async, dash: "dash" } });
      data.push({ type: "scatter", mode: "lines", name: "asynchronous: hand-over to the client", x, y: enqueue, line: { color: COLORS.async, dash: "dot" } });
      [...enqueue, ...interval].forEach((v) => v > 0 && (lo = Math.min(lo, v)));
    }
    elapsed.forEach((v) => {
      if (v > 0) lo = Math.min(lo, v);
      if (v > hi) hi = v;
    });
  }
  const logScale = lo > 0 && hi / lo > 20;
  return {
    data,
    layout: {
      title: { text: `Elapsed time per batch of ${result.params.batchSize} messages<br><sup>${runCaption(result)}</sup>` },
      // Whole batch numbers only, about 20 ticks at most.
      xaxis: { title: { text: "batch number" }, dtick: Math.max(1, Math.ceil(result.runs[0]?.batches.length / 20 || 1)) },
      yaxis: { title: { text: `elapsed time per batch (ms${logScale ? ", log scale" : ""})` }, type: logScale ? "log" : "linear" },
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 80 },
    },
  };
}
