/**
 * The tuning framework's matrix, measured: one knob at a time around a base workload (each point
 * with in-producer warm-up records and several repeats, reported as median and min–max), a
 * two-knob grid for a heatmap, "best settings" derived from the measured points, and the four
 * pitfalls each shown by a measurement.
 */
import type pl from "nodejs-polars";
import type { KafkaConnection } from "../config/connection";
import { clean } from "../config/env";
import { fmt, round } from "../core/format";
import { median, spread } from "../core/stats";
import { flag, wholeNumber } from "../core/validate";
import { rowsFrame } from "../notebook/display";
import { runOne, runParallel } from "./drivers/index";
import type { BenchRun, ProducerId } from "./run";
import { MAX_RECORDS, validateWorkload, type Workload } from "./workload";

/** The knobs of the framework's section C, as workload fields (producers = parallel processes). */
export const KNOBS = [
  "partitions",
  "lingerMs",
  "batchSize",
  "compression",
  "acks",
  "idempotence",
  "recordSize",
  "producers",
  "keyed",
] as const;
export type Knob = (typeof KNOBS)[number];
export type KnobValue = string | number | boolean;

export const KNOB_LABELS: Record<Knob, string> = {
  partitions: "partitions",
  lingerMs: "linger.ms (ms)",
  batchSize: "batch.size (bytes)",
  compression: "compression.type",
  acks: "acks",
  idempotence: "enable.idempotence",
  recordSize: "record size (bytes)",
  producers: "producer processes",
  keyed: "keyed records",
};

export interface PointResult {
  knob: Knob | string;
  value: KnobValue;
  /** Second knob, for grid points. */
  knob2?: Knob;
  value2?: KnobValue;
  producer: ProducerId;
  runs: BenchRun[];
  msgs_per_s: number;
  msgs_per_s_min: number;
  msgs_per_s_max: number;
  mb_per_s: number;
  /** Medians over the repeats of each run's p50 / p99 latency. */
  p50_ms: number;
  p99_ms: number;
  failed: number;
  unsupported?: string;
}

export interface TuningOptions {
  connection: KafkaConnection;
  producer?: ProducerId;
  repeats?: number;
  /** Called after every run with the point's summary so far (progress). */
  onPoint?: (p: PointResult) => void;
}

/** The base workload with one knob changed (validated, so an impossible combination says why). */
export function withKnob(base: Workload, knob: Knob, value: KnobValue): Workload {
  if (knob === "producers") return base;
  const w = { ...base, [knob]: value } as Workload;
  // Idempotence needs acks=all; a sweep over idempotence implies it.
  if (knob === "idempotence" && value === true) w.acks = "all";
  return validateWorkload(w as never);
}

interface PointSpec {
  workload: Workload;
  processes: number;
  knob: string;
  value: KnobValue;
  knob2?: Knob;
  value2?: KnobValue;
}

/** A point's repeats summarised: median messages/s with the spread, median latencies, failures. */
export function summarizePoint(
  spec: Pick<PointResult, "knob" | "value" | "knob2" | "value2">,
  producer: ProducerId,
  runs: BenchRun[],
): PointResult {
  const mps = spread(runs.map((r) => r.figures.msgs_per_s));
  return {
    knob: spec.knob,
    value: spec.value,
    knob2: spec.knob2,
    value2: spec.value2,
    producer,
    runs,
    msgs_per_s: mps.median,
    msgs_per_s_min: mps.min,
    msgs_per_s_max: mps.max,
    mb_per_s: median(runs.map((r) => r.figures.mb_per_s)),
    p50_ms: median(runs.map((r) => r.figures.latency.p50_ms)),
    p99_ms: median(runs.map((r) => r.figures.latency.p99_ms)),
    failed: runs.reduce((s, r) => s + r.figures.failed, 0),
    unsupported: runs.find((r) => r.unsupported)?.unsupported,
  };
}

/**
 * Measures points round-robin: repeat 1 of every point, then repeat 2, … so that a slow minute of
 * the machine hits every value alike instead of one. Each run has its own warm-up records and topic.
 */
async function measurePoints(specs: PointSpec[], opts: TuningOptions): Promise<PointResult[]> {
  const producer = opts.producer ?? "ours-async";
  const repeats = opts.repeats ?? 3;
  const runs: BenchRun[][] = specs.map(() => []);
  const out: PointResult[] = new Array(specs.length);
  for (let rep = 0; rep < repeats; rep++) {
    for (let i = 0; i < specs.length; i++) {
      const { workload, processes } = specs[i];
      runs[i].push(
        processes > 1
          ? await runParallel(producer, processes, { connection: opts.connection, workload })
          : await runOne(producer, { connection: opts.connection, workload }),
      );
      out[i] = summarizePoint(specs[i], producer, runs[i]);
      opts.onPoint?.(out[i]); // after every run, for progress; the last call has all repeats
    }
  }
  return out;
}

/** One knob over its values, everything else at the base workload. */
export async function sweep(knob: Knob, values: KnobValue[], base: Workload, opts: TuningOptions): Promise<PointResult[]> {
  return measurePoints(
    values.map((value) => ({ workload: withKnob(base, knob, value), processes: knob === "producers" ? Number(value) : 1, knob, value })),
    opts,
  );
}

/** Two knobs at once (every combination), for a heatmap. */
export async function grid(
  knob1: Knob,
  values1: KnobValue[],
  knob2: Knob,
  values2: KnobValue[],
  base: Workload,
  opts: TuningOptions,
): Promise<PointResult[]> {
  const specs: PointSpec[] = [];
  for (const v1 of values1)
    for (const v2 of values2)
      specs.push({ workload: withKnob(withKnob(base, knob1, v1), knob2, v2), processes: 1, knob: knob1, value: v1, knob2, value2: v2 });
  return measurePoints(specs, opts);
}

/**
 * How two points compare given their repeats: "higher"/"lower" when a's every repeat beat (lost
 * to) b's every repeat, "overlap" otherwise, "unknown" with fewer than 2 repeats (no spread to judge).
 */
export function compareSpread(a: PointResult, b: PointResult): "higher" | "lower" | "overlap" | "unknown" {
  if (a.runs.length < 2 || b.runs.length < 2) return "unknown";
  if (a.msgs_per_s_min > b.msgs_per_s_max) return "higher";
  if (a.msgs_per_s_max < b.msgs_per_s_min) return "lower";
  return "overlap";
}

/** Points as a table (one row each). */
export function pointsFrame(points: PointResult[]): pl.DataFrame {
  return rowsFrame(
    points.map((p) => ({
      knob: String(p.knob),
      value: String(p.value),
      ...(p.knob2 ? { knob2: String(p.knob2), value2: String(p.value2) } : {}),
      repeats: p.runs.length,
      msgs_per_s: Math.round(p.msgs_per_s),
      min: Math.round(p.msgs_per_s_min),
      max: Math.round(p.msgs_per_s_max),
      spread_pct: Math.round((1000 * (p.msgs_per_s_max - p.msgs_per_s_min)) / p.msgs_per_s) / 10,
      mb_per_s: round(p.mb_per_s, 2),
      p50_ms: round(p.p50_ms, 2),
      p99_ms: round(p.p99_ms, 2),
      failed: p.failed,
      note: p.unsupported ?? "",
    })),
  );
}

export interface BestSetting {
  knob: string;
  best: KnobValue;
  msgs_per_s: number;
  runnerUp?: KnobValue;
  runnerUpMsgsPerSec?: number;
  /** True when the best point's slowest run beat the runner-up's fastest: not noise. */
  clear: boolean;
  p99_ms: number;
  text: string;
}

/** The throughput-best value of a sweep and whether this run's spread lets us call it. */
export function bestOf(points: PointResult[]): BestSetting {
  const ok = points.filter((p) => Number.isFinite(p.msgs_per_s) && p.failed === 0).sort((a, b) => b.msgs_per_s - a.msgs_per_s);
  if (!ok.length)
    return {
      knob: String(points[0]?.knob),
      best: "n/a",
      msgs_per_s: NaN,
      clear: false,
      p99_ms: NaN,
      text: "no point finished without errors",
    };
  const [b, r] = ok;
  const verdict = r ? compareSpread(b, r) : "unknown";
  const clear = !r || verdict === "higher";
  const n = (x: number) => fmt(x);
  const text = r
    ? `${b.value} (${n(b.msgs_per_s)} msgs/s, p99 ${fmt(b.p99_ms, 1)} ms) ` +
      (verdict === "higher"
        ? `beat ${r.value} (${n(r.msgs_per_s)}) in every repeat`
        : verdict === "unknown"
          ? `vs ${r.value} (${n(r.msgs_per_s)}): one run per point, so no spread to tell a difference from noise`
          : `vs ${r.value} (${n(r.msgs_per_s)}): the ranges overlap, so within this run's noise`)
    : `${b.value} (only value measured)`;
  return {
    knob: String(b.knob),
    best: b.value,
    msgs_per_s: b.msgs_per_s,
    runnerUp: r?.value,
    runnerUpMsgsPerSec: r?.msgs_per_s,
    clear,
    p99_ms: b.p99_ms,
    text,
  };
}

// ---------------------------------------------------------------------------------------------
// The notebook's parameters
// ---------------------------------------------------------------------------------------------

/** The values each knob is measured at (the base workload's value is among them). */
export const SWEEP_VALUES: Record<Knob, KnobValue[]> = {
  partitions: [1, 3, 6],
  lingerMs: [0, 5, 20, 100],
  batchSize: [16_384, 65_536, 262_144, 1_000_000],
  compression: ["none", "gzip", "snappy", "lz4", "zstd"],
  acks: ["0", "1", "all"],
  idempotence: [false, true],
  recordSize: [16, 100, 1000, 4000],
  producers: [1, 2, 4],
  keyed: [false, true],
};

export interface TuningParams {
  records: number;
  repeats: number;
  warmupRecords: number;
  /** Run the three-node (replication factor 3) measurements. */
  threeNodes: boolean;
}

/** TUNING_RECORDS, TUNING_REPEATS, TUNING_WARMUP, TUNING_THREE_NODES from the environment over the defaults. */
export function loadTuningParams(
  env: Record<string, string | undefined> = process.env,
  defaults: TuningParams = { records: 50_000, repeats: 3, warmupRecords: 5_000, threeNodes: true },
): TuningParams {
  const num = (key: string, dflt: number, min: number, max: number) => wholeNumber(key, clean(env[key]) ?? dflt, { min, max });
  return {
    records: num("TUNING_RECORDS", defaults.records, 1, MAX_RECORDS),
    repeats: num("TUNING_REPEATS", defaults.repeats, 1, 50),
    warmupRecords: num("TUNING_WARMUP", defaults.warmupRecords, 0, MAX_RECORDS),
    threeNodes: flag("TUNING_THREE_NODES", clean(env.TUNING_THREE_NODES) ?? defaults.threeNodes),
  };
}

/** The best settings of every sweep, as a table. */
export function bestSettingsFrame(sweeps: Partial<Record<Knob, PointResult[]>>): pl.DataFrame {
  const rows = Object.entries(sweeps).map(([knob, points]) => {
    const b = bestOf(points!);
    return {
      knob: KNOB_LABELS[knob as Knob],
      best: String(b.best),
      msgs_per_s: Math.round(b.msgs_per_s),
      p99_ms: round(b.p99_ms, 2),
      clear_winner: b.clear ? "yes" : "no (within noise)",
      evidence: b.text,
    };
  });
  return rowsFrame(rows);
}
