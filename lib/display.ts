/**
 * Showing things in a notebook (through tslab's display API), with a plain-text fallback when
 * the library runs outside a kernel (command line, tests).
 */
import pl from "nodejs-polars";
import { figureHtml, type Figure } from "./charts";
import type { ProgressEvent } from "./harness";

interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}

interface Tslab {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

function tslab(): Tslab | undefined {
  try {
    // Loaded lazily: tslab is only usable inside its kernel.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("tslab") as Tslab;
  } catch {
    return undefined;
  }
}

/** Runs show() in the kernel; prints fallback() text when not in one. */
function inKernel(show: (d: Tslab) => void, fallback: () => string): void {
  const t = tslab();
  try {
    if (!t) throw new Error("no tslab");
    show(t);
  } catch {
    console.log(fallback());
  }
}

export function showMarkdown(md: string): void {
  inKernel((t) => t.display.markdown(md), () => md);
}

export function showChart(fig: Figure, opts: { height?: number } = {}): void {
  inKernel((t) => t.display.html(figureHtml(fig, opts)), () => `(chart: ${String((fig.layout.title as { text?: string })?.text ?? "")})`);
}

/** The frame with its floating-point columns rounded, for display (the data itself stays exact). */
export function roundFloats(df: pl.DataFrame, digits: number): pl.DataFrame {
  const floats = df.columns.filter((c) => String(df.getColumn(c).dtype).includes("Float"));
  return floats.length ? df.withColumns(...floats.map((c) => pl.col(c).round(digits))) : df;
}

/** A DataFrame as an HTML table, scrolling when long, floats rounded to `digits` (default 3). */
export function showTable(df: pl.DataFrame, opts: { maxHeight?: number; caption?: string; digits?: number } = {}): void {
  const shown = roundFloats(df, opts.digits ?? 3);
  const caption = opts.caption ? `<p><em>${escapeHtml(opts.caption)}</em></p>` : "";
  const html = `${caption}<div style="max-height:${opts.maxHeight ?? 420}px;overflow:auto">${shown.toHTML()}</div>`;
  inKernel((t) => t.display.html(html), () => shown.toString());
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Key/value rows as a two-column HTML table. */
export function showRecord(record: object, caption?: string): void {
  const rows = Object.entries(record)
    .map(([k, v]) => `<tr><th style="text-align:left">${escapeHtml(k)}</th><td style="text-align:left">${escapeHtml(String(v))}</td></tr>`)
    .join("");
  const html = `${caption ? `<p><em>${escapeHtml(caption)}</em></p>` : ""}<table>${rows}</table>`;
  inKernel((t) => t.display.html(html), () => Object.entries(record).map(([k, v]) => `${k}: ${v}`).join("\n"));
}

function progressLine(e: ProgressEvent): string {
  const pct = Math.round((100 * e.acknowledged) / e.total);
  const state = e.done ? "done" : `batch ${e.batch}/${e.batches}`;
  return `${e.mode.padEnd(5)} trial ${e.trial}/${e.trials} ${state}: ${e.acknowledged.toLocaleString("en-US")}/${e.total.toLocaleString("en-US")} acknowledged (${pct}%), ${(e.elapsedMs / 1000).toFixed(1)} s`;
}

/**
 * A progress reporter for runBenchmark: one updating line per producer in a notebook (not
 * thousands of lines), a line every few seconds on a terminal.
 */
export function progressReporter(): (e: ProgressEvent) => void {
  const t = tslab();
  const lines = new Map<string, string>();
  let display: TslabDisplay | undefined;
  let lastPrint = 0;
  return (e) => {
    lines.set(e.mode, progressLine(e));
    const text = [...lines.values()].join("\n");
    try {
      if (!t) throw new Error("no tslab");
      display ??= t.newDisplay();
      display.text(text);
    } catch {
      const now = Date.now();
      if (e.done || now - lastPrint > 2000) {
        lastPrint = now;
        console.error(progressLine(e));
      }
    }
  };
}
