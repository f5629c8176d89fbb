/**
 * The tuning framework's matrix, measured: one knob at a time around a base workload (each point
 * with in-producer warm-up records and several repeats, reported as median and min–max), a
 * two-knob grid for a heatmap, "best settings" derived from the measured points, and the four
 * pitfalls each shown by a measurement.
 */
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import pl from "nodejs-polars";
import type { KafkaConnection } from "../config";
import { QUEUE_FULL } from "../producers";
import { runParallel } from "./parallel";
import type { BenchRun, ProducerId } from "./run";
import { deleteTopic, prepareTopic, runOne } from "./runners";
import { validateWorkload, type Workload } from "./workload";

/** The knobs of the framework's section C, as workload fields (producers = parallel processes). */
export const KNOBS = ["partitions", "lingerMs", "batchSize", "compression", "acks", "idempotence", "recordSize", "producers", "keyed"] as const;
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
  errors: number;
  unsupported?: string;
}

export interface TuningOptions {
  connection: KafkaConnection;
  producer?: ProducerId;
  repeats?: number;
  /** Called after every run with the point's summary so far (progress). */
  onPoint?: (p: PointResult) => void;
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

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

function summarizePoint(spec: PointSpec, producer: ProducerId, runs: BenchRun[]): PointResult {
  const mps = runs.map((r) => r.msgsPerSec).filter(Number.isFinite);
  return {
    knob: spec.knob,
    value: spec.value,
    knob2: spec.knob2,
    value2: spec.value2,
    producer,
    runs,
    msgs_per_s: median(mps),
    msgs_per_s_min: mps.length ? Math.min(...mps) : NaN,
    msgs_per_s_max: mps.length ? Math.max(...mps) : NaN,
    mb_per_s: median(runs.map((r) => r.mbPerSec)),
    p50_ms: median(runs.map((r) => r.latency.p50)),
    p99_ms: median(runs.map((r) => r.latency.p99)),
    errors: runs.reduce((s, r) => s + r.errors, 0),
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
      runs[i].push(processes > 1 ? await runParallel(producer, processes, { connection: opts.connection, workload }) : await runOne(producer, { connection: opts.connection, workload }));
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
export async function grid(knob1: Knob, values1: KnobValue[], knob2: Knob, values2: KnobValue[], base: Workload, opts: TuningOptions): Promise<PointResult[]> {
  const specs: PointSpec[] = [];
  for (const v1 of values1) for (const v2 of values2) specs.push({ workload: withKnob(withKnob(base, knob1, v1), knob2, v2), processes: 1, knob: knob1, value: v1, knob2, value2: v2 });
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
  return pl.DataFrame(
    points.map((p) => ({
      knob: String(p.knob),
      value: String(p.value),
      ...(p.knob2 ? { knob2: String(p.knob2), value2: String(p.value2) } : {}),
      repeats: p.runs.length,
      msgs_per_s: Math.round(p.msgs_per_s),
      min: Math.round(p.msgs_per_s_min),
      max: Math.round(p.msgs_per_s_max),
      spread_pct: Math.round((1000 * (p.msgs_per_s_max - p.msgs_per_s_min)) / p.msgs_per_s) / 10,
      mb_per_s: Math.round(p.mb_per_s * 100) / 100,
      p50_ms: Math.round(p.p50_ms * 100) / 100,
      p99_ms: Math.round(p.p99_ms * 100) / 100,
      errors: p.errors,
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
  const ok = points.filter((p) => Number.isFinite(p.msgs_per_s) && p.errors === 0).sort((a, b) => b.msgs_per_s - a.msgs_per_s);
  if (!ok.length) return { knob: String(points[0]?.knob), best: "n/a", msgs_per_s: NaN, clear: false, p99_ms: NaN, text: "no point finished without errors" };
  const [b, r] = ok;
  const verdict = r ? compareSpread(b, r) : "unknown";
  const clear = !r || verdict === "higher";
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const text = r
    ? `${b.value} (${n(b.msgs_per_s)} msgs/s, p99 ${b.p99_ms.toFixed(1)} ms) ` +
      (verdict === "higher"
        ? `beat ${r.value} (${n(r.msgs_per_s)}) in every repeat`
        : verdict === "unknown"
          ? `vs ${r.value} (${n(r.msgs_per_s)}): one run per point, so no spread to tell a difference from noise`
          : `vs ${r.value} (${n(r.msgs_per_s)}): the ranges overlap, so within this run's noise`)
    : `${b.value} (only value measured)`;
  return { knob: String(b.knob), best: b.value, msgs_per_s: b.msgs_per_s, runnerUp: r?.value, runnerUpMsgsPerSec: r?.msgs_per_s, clear, p99_ms: b.p99_ms, text };
}

// ---------------------------------------------------------------------------------------------
// Pitfalls
// ---------------------------------------------------------------------------------------------

export interface ForgotPollResult {
  produced: number;
  /** The local queue's limit (queue.buffering.max.messages) set for the demonstration. */
  queueLimit: number;
  /** produce() calls that threw "Local: Queue full". */
  queueFullErrors: number;
  /** Delivery reports received in waitMs without polling. */
  reportsWithoutPoll: number;
  /** Delivery reports received after polling. */
  reportsAfterPoll: number;
  waitMs: number;
}

/**
 * "Forgetting poll()": a callback-API producer that never polls gets no delivery reports (its
 * messages may well be delivered: nobody hears about it), and once its queue is full every
 * produce() throws. Then polling drains the reports.
 */
export async function forgotPollDemo(connection: KafkaConnection, attempts = 2000, queueLimit = 1000, waitMs = 1500): Promise<ForgotPollResult> {
  const topic = `pitfall-poll-${Date.now()}`;
  await prepareTopic(connection, validateWorkload({ partitions: 1 }), topic);
  const client = new Kafka.Producer({ ...connection.clientConfig(), dr_cb: true, "linger.ms": 5, "queue.buffering.max.messages": queueLimit, "message.timeout.ms": 30_000 } as Kafka.ProducerGlobalConfig);
  let reports = 0;
  client.on("delivery-report", () => reports++);
  client.on("event.error", () => undefined);
  let connected = false;
  try {
    await new Promise<void>((resolve, reject) => client.connect({ timeout: 15_000 }, (err) => (err ? reject(err) : resolve())));
    connected = true;
    let produced = 0;
    let queueFullErrors = 0;
    const value = Buffer.alloc(100, 65);
    for (let i = 0; i < attempts; i++) {
      try {
        client.produce(topic, null, value, null, null);
        produced++;
      } catch (e) {
        if ((e as { code?: number }).code === QUEUE_FULL) queueFullErrors++;
        else throw e;
      }
    }
    await new Promise((r) => setTimeout(r, waitMs));
    const reportsWithoutPoll = reports;
    const deadline = performance.now() + 10_000;
    while (reports < produced && performance.now() < deadline) {
      client.poll();
      await new Promise((r) => setTimeout(r, 20));
    }
    return { produced, queueLimit, queueFullErrors, reportsWithoutPoll, reportsAfterPoll: reports, waitMs };
  } finally {
    if (connected) await new Promise<void>((resolve) => client.disconnect(5000, () => resolve()));
    await deleteTopic(connection, topic).catch(() => undefined);
  }
}

/** "Too-high linger": a producer that waits for each record, at several linger.ms values. */
export async function lingerPitfall(connection: KafkaConnection, lingers: number[], records = 50): Promise<PointResult[]> {
  const out: PointResult[] = [];
  for (const linger of lingers) {
    const workload = validateWorkload({ records, warmupRecords: 5, partitions: 1 });
    const run = await runOne("ours-sync", { connection, workload, librdkafka: { "linger.ms": linger } });
    out.push({ knob: "linger.ms (one record at a time)", value: linger, producer: "ours-sync", runs: [run], msgs_per_s: run.msgsPerSec, msgs_per_s_min: run.msgsPerSec, msgs_per_s_max: run.msgsPerSec, mb_per_s: run.mbPerSec, p50_ms: run.latency.p50, p99_ms: run.latency.p99, errors: run.errors });
  }
  return out;
}

/** The three-node cluster (lib/broker.ts), started if needed; undefined bootstrap (with the reason) when it cannot be. */
export async function threeNodeCluster(log?: (line: string) => void): Promise<{ bootstrap?: string; startedHere?: boolean; reason?: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const broker = require("../broker") as { ensureBroker: (o: Record<string, unknown>) => Promise<{ status: { bootstrap: string }; startedHere: boolean }> };
  try {
    const { status, startedHere } = await broker.ensureBroker({ nodes: 3, log, timeoutMs: 180_000 });
    if (status.bootstrap.split(",").length !== 3) return { reason: `lib/broker.ts started ${status.bootstrap}, not three nodes (this version has no three-node cluster)` };
    return { bootstrap: status.bootstrap, startedHere };
  } catch (e) {
    return { reason: `could not start the three-node cluster: ${(e as Error).message}` };
  }
}

/** Stops the three-node cluster (only call it when this process started it). */
export async function stopThreeNodeCluster(log?: (line: string) => void): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const broker = require("../broker") as { stopBroker: (o: Record<string, unknown>) => Promise<boolean> };
  await broker.stopBroker({ nodes: 3, log });
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
export function loadTuningParams(env: Record<string, string | undefined> = process.env, defaults: TuningParams = { records: 50_000, repeats: 3, warmupRecords: 5_000, threeNodes: true }): TuningParams {
  const w = validateWorkload({ records: env.TUNING_RECORDS?.trim() || defaults.records, warmupRecords: env.TUNING_WARMUP?.trim() || defaults.warmupRecords });
  const repeatsRaw = env.TUNING_REPEATS?.trim() || String(defaults.repeats);
  const repeats = Number(repeatsRaw);
  if (!Number.isSafeInteger(repeats) || repeats < 1 || repeats > 50) throw new Error(`TUNING_REPEATS: '${repeatsRaw}' is not allowed; use a whole number from 1 to 50.`);
  const three = env.TUNING_THREE_NODES?.trim();
  return { records: w.records, repeats, warmupRecords: w.warmupRecords, threeNodes: three === undefined || three === "" ? defaults.threeNodes : !["0", "false", "no"].includes(three.toLowerCase()) };
}

/** A PLAINTEXT connection to a local cluster (e.g. the three-node one). */
export function localConnection(bootstrap: string): KafkaConnection {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KafkaConnection } = require("../config") as typeof import("../config");
  return new KafkaConnection(true, bootstrap, "PLAINTEXT", undefined, undefined, undefined, undefined);
}

/** The best settings of every sweep, as a table. */
export function bestSettingsFrame(sweeps: Partial<Record<Knob, PointResult[]>>): pl.DataFrame {
  const rows = Object.entries(sweeps).map(([knob, points]) => {
    const b = bestOf(points!);
    return { knob: KNOB_LABELS[knob as Knob], best: String(b.best), msgs_per_s: Math.round(b.msgs_per_s), p99_ms: Math.round(b.p99_ms * 100) / 100, clear_winner: b.clear ? "yes" : "no (within noise)", evidence: b.text };
  });
  return pl.DataFrame(rows);
}
