/** Numbers and text as the notebooks, reports and commands print them: one formatter for all. */

/** en-US grouping with exactly `digits` decimals ("12,345.6"); "n/a" for NaN and infinities. */
export function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a";
}

/** A fraction as a percentage: 0.0123 → "1.23%". */
export function fmtPct(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "n/a";
}

/** Milliseconds with their unit: "12.3 ms". */
export function fmtMs(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${fmt(x, digits)} ms` : "n/a";
}

/** x rounded to `digits` decimals (non-finite values unchanged), for tables. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : x;
}

/** "1 trial", "3 trials", "2 batches". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

export function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Text made safe for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Text matched literally inside a RegExp: every character with a meaning there escaped. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A markdown table cell: pipes escaped, line breaks folded. */
export function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Rows of strings as a markdown table, the first row being the header; every cell escaped with mdCell. */
export function mdTable(rows: string[][]): string {
  const line = (r: string[]) => `| ${r.map((c) => mdCell(c)).join(" | ")} |`;
  return [line(rows[0]), `|${rows[0].map(() => "---").join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

/**
 * Rows of strings as aligned text columns (the first left-aligned, the rest right-aligned), the
 * first row being the header; `rule` puts a line of dashes under it.
 */
export function textTable(rows: string[][], opts: { indent?: string; rule?: boolean } = {}): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    (opts.indent ?? "") + r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  const out = rows.map(line);
  if (opts.rule) out.splice(1, 0, (opts.indent ?? "") + widths.map((w) => "-".repeat(w)).join("  "));
  return out;
}
