/**
 * Plotly charts as self-contained HTML: plotly.min.js inlined once per kernel session, then a div
 * and a Plotly.newPlot call per chart. This renders in JupyterLab, the classic notebook and the
 * exported HTML alike, with no network (JupyterLab has no built-in renderer for Plotly's own
 * mime type).
 */
import * as fs from "node:fs";
import { randomBytes } from "node:crypto";

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
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
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
  return (
    `${includeBundle ? plotlyBundleHtml() : ""}<div id="${id}" class="kpp-chart" style="width:100%;height:${height}px"></div><script ` +
    `type="text/javascript">${script}</script>`
  );
}
