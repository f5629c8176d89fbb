/**
 * The records the end-to-end study sends: the rows of a CSV file (data/reviews.csv, or any CSV a
 * user names in CSV_PATH) with a free-text column, read with a streaming parser and replicated
 * lazily to any count, a batch at a time: memory holds one batch (and a small file's rows), never
 * the replicated records.
 */
import * as fs from "node:fs";
import { parse } from "csv-parse";
import { projectRelative } from "../config/paths";
import { ConfigError } from "../core/errors";

/** A CSV row's text, and where it came from (for errors). */
export interface SourceRow {
  text: string;
  line: number;
}

/** A problem with the CSV file, naming the file and the line. */
function csvError(file: string, message: string): ConfigError {
  return new ConfigError("CSV_PATH", `${projectRelative(file)}: ${message}`);
}

/** One pass over the file: its rows' text column, validated (the header must name the column). */
export async function* readRows(file: string, textColumn: string): AsyncGenerator<SourceRow> {
  if (!fs.existsSync(file))
    throw csvError(file, "no such file; set CSV_PATH to a CSV file with a free-text column (or leave it unset for data/reviews.csv).");
  const parser = fs.createReadStream(file).pipe(
    parse({
      columns: (header: string[]) => {
        if (!header.includes(textColumn)) {
          throw csvError(
            file,
            `line 1: no '${textColumn}' column (columns: ${header.join(", ")}); set TEXT_COLUMN to the column holding the text.`,
          );
        }
        return header;
      },
      skip_empty_lines: true,
      info: true,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { text: record[textColumn] ?? "", line: info.lines };
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const err = e as { message?: string; lines?: number };
    throw csvError(file, `line ${err.lines ?? "?"}: ${err.message ?? String(e)}`);
  }
}

/**
 * The text of `records` rows: the file's rows in order, again from the top when it runs out.
 * Pulled a batch at a time (`next(count)`), so a million records never sit in memory at once. A
 * file of up to CACHE_ROWS rows is kept after its first pass (its size, not the record count,
 * bounds that memory); a larger one is read again from the top each time.
 */
export class ReplicatedRows {
  static readonly CACHE_ROWS = 100_000;
  private pass: AsyncGenerator<SourceRow> | undefined;
  private firstPass: string[] | undefined = [];
  private cached: string[] | undefined;
  private cursor = 0;
  private rowsInPass = 0;
  /** How many times the file was read from the top. */
  passes = 0;

  constructor(
    readonly file: string,
    readonly textColumn: string,
  ) {}

  /** The next `count` texts. */
  async next(count: number): Promise<string[]> {
    const out: string[] = [];
    while (out.length < count) {
      if (this.cached) {
        out.push(this.cached[this.cursor]);
        this.cursor = (this.cursor + 1) % this.cached.length;
        continue;
      }
      this.pass ??= this.open();
      const r = await this.pass.next();
      if (!r.done) {
        out.push(r.value.text);
        this.rowsInPass++;
        if (this.firstPass && this.firstPass.push(r.value.text) > ReplicatedRows.CACHE_ROWS) this.firstPass = undefined;
        continue;
      }
      if (this.rowsInPass === 0) throw csvError(this.file, "has a header but no rows to send.");
      this.pass = undefined;
      if (this.firstPass) this.cached = this.firstPass;
    }
    return out;
  }

  private open(): AsyncGenerator<SourceRow> {
    this.passes++;
    this.rowsInPass = 0;
    return readRows(this.file, this.textColumn);
  }

  /** Stops reading (closes the file). */
  async close(): Promise<void> {
    await this.pass?.return(undefined);
  }
}

/** The file's first n rows: their line, word count and text (the notebook's look at the data). */
export async function previewRows(file: string, textColumn: string, n = 5): Promise<{ line: number; words: number; text: string }[]> {
  const out: { line: number; words: number; text: string }[] = [];
  const rows = readRows(file, textColumn);
  try {
    for await (const r of rows) {
      out.push({ line: r.line, words: wordCount(r.text), text: r.text });
      if (out.length >= n) break;
    }
  } finally {
    await rows.return(undefined);
  }
  return out;
}

/** Words as the seed counts them: whitespace-separated tokens. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** How many words `words(text)` would return, without making them (the producer only counts). */
export function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // The ASCII white space split(/\s+/) splits at: space, tab, line feed, vertical tab, form feed, carriage return.
    const space = c === 32 || (c >= 9 && c <= 13);
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}
