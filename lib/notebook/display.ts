/**
 * Showing things in a notebook (through tslab's display API), with a plain-text fallback when
 * the library runs outside a kernel (command line, tests).
 */
import pl from "nodejs-polars";
import { escapeHtml, round } from "../core/format";
import { figureHtml, type Figure } from "./plotly";

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
  inKernel(
    (t) => t.display.markdown(md),
    () => md,
  );
}

export function showChart(fig: Figure, opts: { height?: number } = {}): void {
  inKernel(
    (t) => t.display.html(figureHtml(fig, opts)),
    () => `(chart: ${String((fig.layout.title as { text?: string })?.text ?? "")})`,
  );
}

/**
 * Plain records as a DataFrame, numbers rounded to `digits` decimals when given: the one way a
 * list of rows becomes a table.
 */
export function rowsFrame(records: readonly object[], opts: { digits?: number } = {}): pl.DataFrame {
  const digits = opts.digits;
  const rows =
    digits === undefined
      ? records
      : records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? round(v, digits) : v])));
  return pl.DataFrame(rows as Record<string, unknown>[]);
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
  inKernel(
    (t) => t.display.html(html),
    () => shown.toString(),
  );
}

/** Key/value rows as a two-column HTML table. */
export function showRecord(record: object, caption?: string): void {
  const rows = Object.entries(record)
    .map(([k, v]) => `<tr><th style="text-align:left">${escapeHtml(k)}</th><td style="text-align:left">${escapeHtml(String(v))}</td></tr>`)
    .join("");
  const html = `${caption ? `<p><em>${escapeHtml(caption)}</em></p>` : ""}<table>${rows}</table>`;
  inKernel(
    (t) => t.display.html(html),
    () =>
      Object.entries(record)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n"),
  );
}

/**
 * Progress of a long run: in a notebook one updating block with a line per key (not thousands of
 * lines); on a terminal a line on stderr at most every intervalMs, and every final one.
 */
export function liveProgress(intervalMs = 2_000): (key: string, line: string, final?: boolean) => void {
  const t = tslab();
  const lines = new Map<string, string>();
  let display: TslabDisplay | undefined;
  let lastPrint = 0;
  return (key, line, final = false) => {
    lines.set(key, line);
    try {
      if (!t) throw new Error("no tslab");
      display ??= t.newDisplay();
      display.text([...lines.values()].join("\n"));
    } catch {
      const now = Date.now();
      if (final || now - lastPrint > intervalMs) {
        lastPrint = now;
        console.error(line);
      }
    }
  };
}
