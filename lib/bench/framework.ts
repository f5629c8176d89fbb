/**
 * How `npm run bench` runs one producer: a driver (lib/bench/drivers/) builds the client and only
 * sends; this runs the shared sequence (lib/producers/measured-run.ts: warm-up, measure, flush,
 * disconnect) on the workload's records and turns the recorder into a BenchRun, so every client
 * is measured the same way. Each run gets a fresh topic, deleted afterwards.
 */
import type { KafkaConnection } from "../config/connection";
import { now } from "../core/time";
import { withFreshTopic, type FreshTopic } from "../kafka/admin";
import type { Settings } from "../kafka/client";
import { awaitScrape, lingerForScrape } from "../monitoring/exporter";
import { measureRun, runFigures, type MeasuredRun, type RunFigures } from "../producers/measured-run";
import type { MeasuredClient } from "../producers/base";
import { closingWindowOnFlush, OwnCpuMeter } from "./cpu-window";
import { PRODUCER_LABELS, type BenchRun, type ProducerId } from "./run";
import { messageFactory, type Workload } from "./workload";

export interface BenchProgress {
  producer: ProducerId;
  phase: "warm-up" | "measuring" | "done";
  acknowledged: number;
  total: number;
  elapsedMs: number;
}

export interface RunContext {
  connection: KafkaConnection;
  workload: Workload;
  topic: string;
  onProgress?: (e: BenchProgress) => void;
  /** Awaited after the warm-up, just before timing starts (parallel runs use it as a start barrier). */
  beforeMeasure?: () => Promise<void>;
  /** false drops the per-record times and latencies (to measure what they cost). Default true. */
  perRecord?: boolean;
  /** Extra librdkafka settings on top of the workload's (ours and confluent-kafkajs). */
  librdkafka?: Settings;
  /** Receives the per-record latencies (ms) of the measured records (in-process drivers and the Python peers). */
  keepLatencies?: (ms: Float64Array) => void;
  /** The broker JVM's pid (embedded broker): its CPU is read over each run's measured part. */
  brokerPid?: number;
}

/** A client adapter: builds its client for a run and says what its timing means. */
export interface Driver {
  id: ProducerId;
  /** Client library and version. */
  client(): string;
  /** The client for this run; or a BenchRun saying why the workload cannot run on it. */
  create(ctx: RunContext): Promise<MeasuredClient | BenchRun>;
  /** Warm-up records (default: the workload's). */
  warmupRecords?(w: Workload): number;
  /** Records per send() call (default 1,000). */
  chunk?(w: Workload): number;
  /** false: the client keeps no per-record times (it cannot: it sees no acknowledgement per record). Default: the context's. */
  perRecord?: boolean;
  /** What the timing and the latencies include, in words. */
  timing(w: Workload): string;
  /** Figures of its own for the results. */
  extra?(run: MeasuredRun, figures: RunFigures, w: Workload): Record<string, number | string>;
}

/** Bound on each flush of a bench run: generous, a slow client must finish rather than fail. */
export const FLUSH_TIMEOUT_MS = 300_000;

function isBenchRun(x: MeasuredClient | BenchRun): x is BenchRun {
  return "figures" in x;
}

/** Progress at most every 250 ms, plus the last event of each phase. */
function throttled(ctx: RunContext, producer: ProducerId): ((e: Omit<BenchProgress, "producer">) => void) | undefined {
  const report = ctx.onProgress;
  if (!report) return undefined;
  let last = -Infinity;
  return (e) => {
    if (e.phase === "measuring" && now() - last < 250) return;
    last = now();
    report({ producer, ...e });
  };
}

/** One driver through the shared sequence on ctx.topic (which must exist). */
export async function runDriver(driver: Driver, ctx: RunContext): Promise<BenchRun> {
  const made = await driver.create(ctx);
  if (isBenchRun(made)) return made;
  const w = ctx.workload;
  const make = messageFactory(w);
  const progress = throttled(ctx, driver.id);
  const cpu = new OwnCpuMeter(ctx.brokerPid);
  const run = await measureRun(closingWindowOnFlush(made, cpu), {
    records: w.records,
    message: make,
    warmupRecords: driver.warmupRecords?.(w) ?? w.warmupRecords,
    warmupMessage: make,
    chunk: driver.chunk?.(w) ?? 1_000,
    perRecord: driver.perRecord ?? ctx.perRecord ?? true,
    flushTimeoutMs: FLUSH_TIMEOUT_MS,
    // A bench run goes to its end and reports its failures in the table.
    stopOnFailure: false,
    beforeMeasure: async () => {
      // Monitoring on: Prometheus holds the warm-up's counts before timing starts (untimed; at once otherwise).
      await awaitScrape();
      await ctx.beforeMeasure?.();
      cpu.start();
    },
    onProgress: progress && ((e) => progress({ phase: e.phase, acknowledged: e.acknowledged, total: e.total, elapsedMs: e.elapsedMs })),
  });
  if (run.error !== undefined) throw run.error;
  if (run.recorder.perRecord) ctx.keepLatencies?.(run.recorder.latencies());
  return { ...benchRunOf(driver, ctx, run), cpu: cpu.result(run.sent) };
}

/** A measured run as the bench reports it; its figures are the ones notebook 01 computes too. */
export function benchRunOf(driver: Driver, ctx: RunContext, run: MeasuredRun): BenchRun {
  const w = ctx.workload;
  const figures = runFigures(run, w.recordSize);
  return {
    producer: driver.id,
    label: PRODUCER_LABELS[driver.id],
    client: driver.client(),
    topic: ctx.topic,
    records: w.records,
    recordSize: w.recordSize,
    figures,
    errorSamples: run.recorder.errors.slice(0, 3),
    timing: driver.timing(w),
    settings: run.settings,
    extra: { ...run.extra, ...driver.extra?.(run, figures, w) },
  };
}

/** A run's topic: the workload's partitions and replication factor. */
export function topicOf(w: Workload, prefix: string): FreshTopic {
  return { prefix, partitions: w.partitions, replicationFactor: w.replicationFactor };
}

export type Runner = (ctx: RunContext) => Promise<BenchRun>;

/** A fresh topic, one producer's run, and the topic deleted afterwards unless keepTopic. */
export async function runOnFreshTopic(
  producer: ProducerId,
  runner: Runner,
  ctx: Omit<RunContext, "topic"> & { topic?: string; keepTopic?: boolean },
): Promise<BenchRun> {
  const spec = { ...topicOf(ctx.workload, `bench-${producer}`), name: ctx.topic, keep: ctx.keepTopic };
  return withFreshTopic(ctx.connection, spec, async (topic) => {
    try {
      return await runner({ ...ctx, topic });
    } finally {
      // Monitoring on: the broker's final count for the topic is scraped before it is deleted.
      if (!ctx.keepTopic) await lingerForScrape();
    }
  });
}
