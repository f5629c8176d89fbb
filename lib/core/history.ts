/**
 * The run history: every `npm run bench`, notebook 05 and notebook 01 run appends one JSON line
 * to reports/history.jsonl (its figures per repeat, effective settings, versions, host and load),
 * and a run can be set beside the earlier comparable ones (same kind of run, same workload, same
 * host): for each series, this run's median with its confidence interval, the previous run's,
 * their ratio with its interval and the Mann–Whitney p, and whether the difference is beyond the
 * noise. Lines that do not parse are skipped and counted, never fatal.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fmt } from "./format";
import { compareSamples, medianCI, type Interval, type SampleComparison } from "./stats";

export const HISTORY_FILE = "history.jsonl";

/** One measured quantity of a run, one value per repeat (or trial). */
export interface HistorySeries {
  /** Stable across runs, e.g. "unpinned · ours-async · msgs/s". */
  key: string;
  label: string;
  unit: string;
  better: "higher" | "lower";
  values: number[];
}

export interface HostInfo {
  name: string;
  os: string;
  cpu: string;
  cores: number;
  memory_gib: number;
}

export interface HistoryEntry {
  /** What ran: "bench" (npm run bench, notebook 05) or "notebook-01". */
  kind: string;
  /** Which command or notebook. */
  source: string;
  at: string;
  /** Runs of one kind with the same workload text are comparable. */
  workload: string;
  partial?: boolean;
  series: HistorySeries[];
  /** The run's summary figures (rows as its report shows them). */
  figures: unknown;
  /** Effective settings, per producer where they differ. */
  settings: Record<string, unknown>;
  versions: Record<string, string | number>;
  host: HostInfo;
  /** Load averages (1, 5, 15 min) at the start and at the end. */
  load: { start: number[]; end: number[] };
}

export function historyFile(dir: string): string {
  return path.join(dir, HISTORY_FILE);
}

export function hostInfo(): HostInfo {
  const cpus = os.cpus();
  return {
    name: os.hostname(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
  };
}

export function loadAverage(): number[] {
  return os.loadavg().map((x) => Number(x.toFixed(2)));
}

/**
 * Appends one line (non-finite numbers as null), creating the folder and file as needed; a run
 * already there (same kind and start time, e.g. results written again after an interrupt) is not
 * added twice. Returns whether it appended.
 */
export function appendHistory(file: string, entry: HistoryEntry): boolean {
  if (readHistory(file).entries.some((e) => e.kind === entry.kind && e.at === entry.at)) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify(entry, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)) + "\n");
  return true;
}

/** Every entry of the file, oldest first ([] when there is none), and how many lines did not parse. */
export function readHistory(file: string): { entries: HistoryEntry[]; unreadable: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return { entries: [], unreadable: 0 };
  }
  const entries: HistoryEntry[] = [];
  let unreadable = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as HistoryEntry;
      if (typeof e.kind === "string" && typeof e.at === "string" && Array.isArray(e.series)) entries.push(e);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { entries, unreadable };
}

export interface HistoryRow {
  key: string;
  label: string;
  unit: string;
  better: "higher" | "lower";
  now: Interval;
  /** The latest earlier comparable run with this series. */
  previous?: { at: string; median: Interval; comparison: SampleComparison; verdict: string };
  /** Medians of up to `keep` earlier comparable runs, oldest first. */
  earlier: { at: string; median: number }[];
}

export interface HistoryComparison {
  at: string;
  /** Earlier runs of the same kind, workload and host. */
  comparable: number;
  /** Earlier runs of the same kind left out, and why. */
  skipped: { at: string; why: string }[];
  rows: HistoryRow[];
}

/** A comparison's verdict in words, for a quantity where `better` is good. */
export function verdictText(c: SampleComparison, better: "higher" | "lower"): string {
  if (c.verdict === "too few") return `too few repeats to tell (the smallest p they allow is ${fmt(c.minP, 2)})`;
  if (c.verdict === "same") return "within the noise";
  const good = (c.verdict === "higher") === (better === "higher");
  return `${good ? "better" : "worse"}, beyond the noise`;
}

/** `current` set beside the earlier comparable entries (`earlier` may include it: entries at the same time are left out). */
export function compareWithHistory(current: HistoryEntry, earlier: HistoryEntry[], keep = 5): HistoryComparison {
  const skipped: { at: string; why: string }[] = [];
  const comparable = earlier.filter((e) => {
    if (e.kind !== current.kind || e.at === current.at) return false;
    const why =
      e.workload !== current.workload
        ? "another workload"
        : e.host?.name !== current.host.name
          ? "another host"
          : e.partial
            ? "a partial run"
            : undefined;
    if (why) skipped.push({ at: e.at, why });
    return !why;
  });
  const rows = current.series.map((s): HistoryRow => {
    const before = comparable.filter((e) => e.series.some((x) => x.key === s.key));
    const valuesOf = (e: HistoryEntry) => e.series.find((x) => x.key === s.key)!.values.map((v) => (v === null ? NaN : v));
    const last = before[before.length - 1];
    const row: HistoryRow = {
      key: s.key,
      label: s.label,
      unit: s.unit,
      better: s.better,
      now: medianCI(s.values),
      earlier: before.slice(-keep).map((e) => ({ at: e.at, median: medianCI(valuesOf(e)).estimate })),
    };
    if (last) {
      const comparison = compareSamples(s.values, valuesOf(last));
      row.previous = { at: last.at, median: medianCI(valuesOf(last)), comparison, verdict: verdictText(comparison, s.better) };
    }
    return row;
  });
  return { at: current.at, comparable: comparable.length, skipped, rows };
}
