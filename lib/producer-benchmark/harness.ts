/**
 * Notebook 01's benchmark: the same messages through each producer, in batches, over several
 * trials, on the one measuring sequence (lib/producers/measured-run.ts) with a batch as its chunk;
 * results as a nodejs-polars DataFrame.
 *
 * What a batch time includes: from just before the batch's first produce() call to the moment
 * its last delivery report reaches JavaScript (elapsed_ms); for the asynchronous producer also
 * the time to hand the batch to the client (enqueue_ms). Serialization happens before timing
 * starts; connecting and the warm-up batches (sent and flushed first) are not in the summaries.
 *
 * A run never throws away what it measured: a dead broker (deliveries fail after
 * deliveryTimeoutMs), an abort signal or SIGINT stop it early, and the result comes back marked
 * partial, with delivered + failed = sent.
 */
import type pl from "nodejs-polars";
import type { ConnectionSummary, KafkaConnection } from "../config/connection";
import type { StatsSample } from "../core/statistics";
import { RunTracker, withInterrupt } from "../core/command";
import { clientVersions, type Settings } from "../kafka/client";
import { ensureTopic } from "../kafka/admin";
import { measureRun, runFigures, type MeasuredRun, type RunFigures, type RunProgress } from "../producers/measured-run";
import type { OutgoingMessage } from "../producers/base";
import { createProducer } from "../producers/producer";
import { generatePurchases, serializerFor, type Purchase, type Serializer } from "../producers/purchase";
import type { ProducerMode } from "../producers/settings";
import { batchesFrame, batchRows, type BatchTiming } from "./batches";
import type { BenchmarkParams } from "./params";

export interface ProducerRun {
  trial: number;
  mode: ProducerMode;
  settings: Settings;
  /** Warm-up and measured batches. */
  batches: BatchTiming[];
  /** Per measured message: send to acknowledgement, ms (NaN where no report arrived). */
  latencyMs: Float64Array;
  /** Per measured message: when its acknowledgement arrived, ms after the start (NaN if none). */
  ackAtMs: Float64Array;
  /** First send to last acknowledgement of the measured part, ms. */
  wallMs: number;
  /** True when the run stopped before sending every message, or some deliveries failed. */
  partial: boolean;
  stopReason?: string;
  /** The producer's own figures: how it waited and matched reports (producerDesign() puts them in words). */
  extra: Record<string, number | string>;
  errors: string[];
  /** librdkafka's counters over the run (every statistics.interval.ms). */
  stats: StatsSample[];
  /** The run's figures, under the names `npm run bench` uses too. */
  figures: RunFigures;
}

export interface BenchmarkResult {
  params: BenchmarkParams;
  target: ConnectionSummary;
  client: string;
  librdkafka: string;
  serializer: string;
  payloadBytes: { mean: number; total: number };
  startedAt: string;
  /** One per trial and producer, in the order they ran. */
  runs: ProducerRun[];
  /** One row per trial, producer and batch (the columns of BatchTiming). */
  batches: pl.DataFrame;
  partial: boolean;
  stopReason?: string;
}

export interface ProgressEvent {
  trial: number;
  trials: number;
  mode: ProducerMode;
  batch: number;
  batches: number;
  acknowledged: number;
  total: number;
  elapsedMs: number;
  done: boolean;
}

export interface RunOptions {
  connection: KafkaConnection;
  params: BenchmarkParams;
  modes?: ProducerMode[];
  /** Overrides params.serializer. */
  serializer?: Serializer<Purchase>;
  /** The messages to send; default: params.numMessages generated purchases (seed 42). */
  purchases?: Purchase[];
  partitions?: number;
  /** Extra librdkafka settings per mode (e.g. for tuning studies). */
  settings?: Partial<Record<ProducerMode, Settings>>;
  /** librdkafka's message.timeout.ms: how long a message may go unacknowledged before it fails. */
  deliveryTimeoutMs?: number;
  /** Stops the run (what was measured so far is returned, marked partial). */
  signal?: AbortSignal;
  /** Also stop on SIGINT (Ctrl-C, or a kernel interrupt in Jupyter) while the run lasts. */
  interruptible?: boolean;
  onProgress?: (e: ProgressEvent) => void;
}

interface TrialInput {
  trial: number;
  mode: ProducerMode;
  messages: readonly OutgoingMessage[];
  payloadBytes: number;
  signal: AbortSignal;
}

/** Runs one producer over warm-up plus measured messages and returns its timings. */
async function runProducer(input: TrialInput, opts: RunOptions): Promise<ProducerRun> {
  const { params } = opts;
  const { trial, mode, messages } = input;
  const extra: Settings = { ...opts.settings?.[mode] };
  if (opts.deliveryTimeoutMs !== undefined) extra["message.timeout.ms"] = opts.deliveryTimeoutMs;
  const producer = createProducer(mode, opts.connection, params.topic, extra);
  const deliveryTimeout = Number(producer.settings["message.timeout.ms"] ?? 60_000);
  const progress = (e: RunProgress) =>
    opts.onProgress?.({
      trial,
      trials: params.trials,
      mode,
      batch: e.chunk,
      batches: e.chunks,
      acknowledged: e.acknowledged,
      total: e.total,
      elapsedMs: e.elapsedMs,
      done: e.phase === "done",
    });
  const run = await measureRun(producer, {
    records: messages.length,
    message: (i) => messages[i],
    // Warm-up batches re-send the first messages, so every batch has the same kind of payload.
    warmupRecords: params.warmupBatches * params.batchSize,
    chunk: params.batchSize,
    flushTimeoutMs: deliveryTimeout + 5_000,
    signal: input.signal,
    onProgress: (e) => e.phase !== "warm-up" && progress(e),
  });
  return producerRunOf(run, { trial, mode, payloadBytes: input.payloadBytes });
}

/** A measured run as notebook 01 keeps it: batch rows, per-message times relative to t0, and the run's figures. */
export function producerRunOf(run: MeasuredRun, at: { trial: number; mode: ProducerMode; payloadBytes: number }): ProducerRun {
  const { trial, mode } = at;
  const figures = runFigures(run, at.payloadBytes);
  const ackAtMs = run.recorder.ackAt.map((a) => a - run.t0);
  return {
    trial,
    mode,
    settings: run.settings,
    batches: batchRows(run, { trial, mode }),
    latencyMs: run.recorder.latencies(),
    ackAtMs,
    wallMs: run.wallMs,
    partial: run.partial,
    stopReason: run.stopReason,
    extra: run.extra,
    errors: [...run.warmupRecorder.errors, ...run.recorder.errors],
    stats: run.statistics?.samples ?? [],
    figures,
  };
}

const tracker = new RunTracker<BenchmarkResult>();

/** The most recent run's result, also when it was interrupted (e.g. by a kernel interrupt). */
export function lastBenchmark(): BenchmarkResult | undefined {
  return tracker.last;
}

/**
 * Resolves once no benchmark is running any more, with the last result. After a kernel interrupt
 * the interrupted cell's run goes on until it has stopped its producers; this waits for that.
 */
export function benchmarkSettled(): Promise<BenchmarkResult | undefined> {
  return tracker.settled();
}

/**
 * Runs the benchmark: for each trial, every producer over the same serialized messages, one after
 * the other (the order alternates between trials, so neither always goes first).
 */
export function runBenchmark(opts: RunOptions): Promise<BenchmarkResult> {
  return tracker.track(runBenchmarkNow(opts));
}

async function runBenchmarkNow(opts: RunOptions): Promise<BenchmarkResult> {
  const { connection, params } = opts;
  const serializer = opts.serializer ?? serializerFor(params.serializer);
  const purchases = opts.purchases ?? generatePurchases(params.numMessages);
  const messages: OutgoingMessage[] = purchases.map((p) => ({ key: p.userId, value: serializer.serialize(p) }));
  const total = messages.reduce((s, m) => s + m.value.length, 0);
  const payloadBytes = total / Math.max(1, messages.length);
  await ensureTopic(connection, { name: params.topic, partitions: opts.partitions ?? 3 });
  const startedAt = new Date().toISOString();
  const runs: ProducerRun[] = [];
  const modes = opts.modes ?? (["sync", "async"] as ProducerMode[]);
  const versions = clientVersions();
  const build = (): BenchmarkResult => {
    const stopped = runs.find((r) => r.partial);
    return {
      params: { ...params, numMessages: messages.length },
      target: connection.summary(),
      client: versions.client,
      librdkafka: versions.librdkafka,
      serializer: serializer.name,
      payloadBytes: { mean: payloadBytes, total },
      startedAt,
      runs,
      batches: batchesFrame(runs.flatMap((r) => r.batches)),
      partial: !!stopped || runs.length < params.trials * modes.length,
      stopReason: stopped?.stopReason,
    };
  };
  await withInterrupt(opts.interruptible ?? false, opts.signal, async (signal) => {
    for (let trial = 1; trial <= params.trials && !signal.aborted; trial++) {
      const order = trial % 2 === 1 ? modes : [...modes].reverse();
      for (const mode of order) {
        if (signal.aborted) break;
        const run = await runProducer({ trial, mode, messages, payloadBytes, signal }, opts);
        runs.push(run);
        tracker.last = build();
        if (run.partial && !signal.aborted && run.figures.failed > 0) return; // the target is failing: stop here
      }
    }
  });
  const result = build();
  if (result.partial && !result.stopReason) result.stopReason = "interrupted";
  return result;
}
