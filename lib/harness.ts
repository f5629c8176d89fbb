/**
 * The benchmark harness: the same messages through each producer, in batches, timed on a
 * monotonic clock (performance.now()), results as a nodejs-polars DataFrame.
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
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import pl from "nodejs-polars";
import type { BenchmarkParams, ConnectionSummary, KafkaConnection } from "./config";
import { createProducer, clientVersions, type LibrdkafkaStats, type MeasuredProducer, type OutgoingMessage, type ProducerMode, type Settings } from "./producers";
import { generatePurchases, serializerFor, type Purchase, type Serializer } from "./schema";
import { ensureTopic } from "./topics";

export interface BatchTiming {
  trial: number;
  producer: ProducerMode;
  /** 1, 2, ... for measured batches; 0, -1, ... for warm-up batches. */
  batch: number;
  warmup: boolean;
  messages: number;
  /** Batch start, ms after the measured part of the run started (negative for warm-up). */
  start_ms: number;
  /** Time to hand the batch to the client (the sync producer waits for every ack, so = elapsed_ms). */
  enqueue_ms: number;
  /** Batch start to its last acknowledgement. Asynchronous batches overlap, so these add up to
   *  more than the run took. */
  elapsed_ms: number;
  /** How much later this batch was complete than the one before (the first: than the run's
   *  start). These add up to the producer's wall time, so they compare fairly across producers. */
  ack_interval_ms: number;
  delivered: number;
  failed: number;
}

/** A sample of librdkafka's counters, cumulative since the run's measured part started. */
export interface StatsSample {
  /** ms after the measured part started (performance.now() when the sample reached JavaScript). */
  t_ms: number;
  /** Requests sent to / responses received from the brokers (all kinds). */
  requests_sent: number;
  responses_received: number;
  /** Produce requests only. */
  produce_requests: number;
  /** Messages waiting in librdkafka's queue. */
  queued_messages: number;
  /** Mean broker round-trip time over the last interval, µs (0 when nothing was sent). */
  rtt_avg_us: number;
}

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
  /** Measured messages handed to the client; delivered + failed = sent. */
  sent: number;
  delivered: number;
  /** Failed deliveries, plus messages still unacknowledged when a stopped run gave up. */
  failed: number;
  /** True when the run stopped before sending every message, or some deliveries failed. */
  partial: boolean;
  stopReason?: string;
  /** Times a full local queue made the asynchronous producer wait. */
  queueFullWaits: number;
  errors: string[];
  /** librdkafka's counters over the run (every statistics.interval.ms). */
  stats: StatsSample[];
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

/** Splits n messages into batches of batchSize (the last may be shorter). */
export function batchBounds(n: number, batchSize: number): { first: number; count: number }[] {
  const out: { first: number; count: number }[] = [];
  for (let first = 0; first < n; first += batchSize) out.push({ first, count: Math.min(batchSize, n - first) });
  return out;
}

/** Tracks, per batch, how many reports are outstanding and when the last one came. */
class BatchTracker {
  readonly sentAt: Float64Array;
  readonly ackAt: Float64Array;
  readonly pending: Int32Array;
  readonly lastAck: Float64Array;
  readonly delivered: Int32Array;
  readonly failed: Int32Array;
  readonly errors: string[] = [];
  failures = 0;

  constructor(
    readonly n: number,
    readonly batchSize: number,
  ) {
    const batches = Math.ceil(n / batchSize);
    this.sentAt = new Float64Array(n).fill(NaN);
    this.ackAt = new Float64Array(n).fill(NaN);
    this.pending = new Int32Array(batches);
    this.lastAck = new Float64Array(batches);
    this.delivered = new Int32Array(batches);
    this.failed = new Int32Array(batches);
    batchBounds(n, batchSize).forEach((b, i) => (this.pending[i] = b.count));
  }

  record(seq: number, ok: boolean, at: number, error?: string): void {
    if (seq < 0 || seq >= this.n) return;
    const b = Math.floor(seq / this.batchSize);
    this.ackAt[seq] = at;
    if (ok) this.delivered[b]++;
    else {
      this.failed[b]++;
      this.failures++;
      if (this.errors.length < 20 && error) this.errors.push(error);
    }
    if (--this.pending[b] === 0) this.lastAck[b] = at;
  }

  acknowledged(from = 0): number {
    let s = 0;
    for (let i = from; i < this.delivered.length; i++) s += this.delivered[i] + this.failed[i];
    return s;
  }
}

/** Collects librdkafka statistics, relative to a baseline taken when timing starts. */
class StatsRecorder {
  readonly samples: StatsSample[] = [];
  private latest: LibrdkafkaStats | undefined;
  private base: LibrdkafkaStats | undefined;
  private t0 = 0;
  private waiters: (() => void)[] = [];

  constructor(producer: MeasuredProducer) {
    producer.onStats((s) => {
      this.latest = s;
      if (this.base) this.samples.push(this.sample(s, performance.now()));
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  /** The next statistics event, or after maxWaitMs. */
  next(maxWaitMs = 1_000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  start(t0: number): void {
    this.t0 = t0;
    this.base = this.latest ?? emptyStats();
    this.samples.push(this.sample(this.base, t0));
  }

  private sample(s: LibrdkafkaStats, at: number): StatsSample {
    const base = this.base ?? s;
    const brokers = Object.values(s.brokers ?? {}).filter((b) => b.nodeid >= 0);
    const baseBrokers = Object.values(base.brokers ?? {}).filter((b) => b.nodeid >= 0);
    const produce = (bs: typeof brokers) => bs.reduce((sum, b) => sum + (b.req?.Produce ?? 0), 0);
    const rtts = brokers.map((b) => b.rtt).filter((r): r is NonNullable<typeof r> => !!r && r.cnt > 0);
    return {
      t_ms: at - this.t0,
      requests_sent: s.tx - base.tx,
      responses_received: s.rx - base.rx,
      produce_requests: produce(brokers) - produce(baseBrokers),
      queued_messages: s.msg_cnt,
      rtt_avg_us: rtts.length ? rtts.reduce((sum, r) => sum + r.avg * r.cnt, 0) / rtts.reduce((sum, r) => sum + r.cnt, 0) : 0,
    };
  }
}

function emptyStats(): LibrdkafkaStats {
  return { ts: 0, tx: 0, rx: 0, txmsgs: 0, msg_cnt: 0, brokers: {} };
}

interface TrialInput {
  trial: number;
  trials: number;
  mode: ProducerMode;
  messages: OutgoingMessage[];
  /** Warm-up batches are the first warmupBatches batches of `messages`. */
  warmupBatches: number;
  signal: AbortSignal;
}

/** Runs one producer over warm-up plus measured messages and returns its timings. */
async function runProducer(input: TrialInput, opts: RunOptions): Promise<ProducerRun> {
  const { connection, params } = opts;
  const { trial, mode, messages, warmupBatches, signal } = input;
  const extra: Settings = { ...opts.settings?.[mode] };
  if (opts.deliveryTimeoutMs !== undefined) extra["message.timeout.ms"] = opts.deliveryTimeoutMs;
  const deliveryTimeout = Number(extra["message.timeout.ms"] ?? 60_000);
  const producer = createProducer(mode, connection, params.topic, extra);
  const total = messages.length;
  const warmN = Math.min(total, warmupBatches * params.batchSize);
  const tracker = new BatchTracker(total, params.batchSize);
  const stats = new StatsRecorder(producer);
  producer.onDelivery((d) => tracker.record(d.seq, d.ok, d.ackedAt, d.error));
  producer.trackSendTimes(tracker.sentAt);
  const bounds = batchBounds(total, params.batchSize);
  const firstMeasured = warmupBatches;
  const starts: number[] = [];
  const enqueued: number[] = [];
  let stopReason: string | undefined;
  let sent = 0;
  let t0 = performance.now();
  const measuredFailures = () => tracker.failures > 0;
  const shouldStop = () => signal.aborted || measuredFailures();
  const progress = (batch: number, done: boolean) =>
    opts.onProgress?.({ trial, trials: params.trials, mode, batch, batches: bounds.length - firstMeasured, acknowledged: tracker.acknowledged(firstMeasured), total: total - warmN, elapsedMs: performance.now() - t0, done });

  try {
    await producer.connect();
    for (let i = 0; i < bounds.length; i++) {
      if (i === firstMeasured) {
        // Warm-up done: everything acknowledged before timing starts, and a fresh stats baseline.
        if (warmN > 0) await producer.flush(deliveryTimeout + 5_000);
        await stats.next();
        t0 = performance.now();
        stats.start(t0);
      }
      if (shouldStop()) break;
      const { first, count } = bounds[i];
      starts[i] = performance.now();
      const n = await producer.send(messages.slice(first, first + count), first, i >= firstMeasured ? shouldStop : () => signal.aborted);
      enqueued[i] = performance.now();
      if (i >= firstMeasured) sent += n;
      if (n < count) break;
      if (i >= firstMeasured) progress(i - firstMeasured + 1, false);
      // Let delivery reports that arrived meanwhile be timed now, not after the next batch.
      await yieldToEventLoop();
    }
    await producer.flush(signal.aborted ? 2_000 : deliveryTimeout + 5_000);
  } catch (e) {
    stopReason = (e as Error).message;
  } finally {
    await stats.next(300); // the final counters
    await producer.disconnect();
  }
  if (signal.aborted) stopReason ??= "interrupted";
  if (!stopReason && tracker.failures > 0) stopReason = `delivery failed: ${tracker.errors[0] ?? "unknown error"}`;

  const batches = timings(input, tracker, bounds, starts, enqueued, t0);
  const measured = batches.filter((b) => !b.warmup);
  const delivered = measured.reduce((s, b) => s + b.delivered, 0);
  const failedReports = measured.reduce((s, b) => s + b.failed, 0);
  const unacknowledged = Math.max(0, sent - delivered - failedReports);
  if (unacknowledged > 0) tracker.errors.push(`${unacknowledged} messages still unacknowledged when the run stopped`);
  const ackAt = tracker.ackAt.subarray(warmN).map((a) => a - t0);
  const latencyMs = tracker.ackAt.subarray(warmN).map((a, i) => a - tracker.sentAt[warmN + i]);
  const lastAck = ackAt.reduce((m, a) => (Number.isFinite(a) && a > m ? a : m), 0);
  progress(measured.length, true);
  return {
    trial,
    mode,
    settings: producer.settings,
    batches,
    latencyMs,
    ackAtMs: ackAt,
    wallMs: lastAck,
    sent,
    delivered,
    failed: failedReports + unacknowledged,
    partial: stopReason !== undefined || sent < total - warmN,
    stopReason,
    queueFullWaits: producer.mode === "async" ? producer.queueFullWaits : 0,
    errors: tracker.errors,
    stats: stats.samples,
  };
}

/** Batch rows from the tracker: warm-up batches numbered 0, -1, ...; measured 1, 2, ... */
function timings(
  input: TrialInput,
  tracker: BatchTracker,
  bounds: { first: number; count: number }[],
  starts: number[],
  enqueued: number[],
  t0: number,
): BatchTiming[] {
  const rows: BatchTiming[] = [];
  let completedAt = t0; // running max: batches on different partitions may finish out of order
  for (let i = 0; i < bounds.length; i++) {
    if (starts[i] === undefined) break; // never sent
    const warmup = i < input.warmupBatches;
    const done = tracker.pending[i] === 0;
    const elapsed = done ? tracker.lastAck[i] - starts[i] : NaN;
    let interval = NaN;
    if (!warmup && done) {
      const completion = Math.max(completedAt, tracker.lastAck[i]);
      interval = completion - completedAt;
      completedAt = completion;
    }
    rows.push({
      trial: input.trial,
      producer: input.mode,
      batch: i - input.warmupBatches + 1,
      warmup,
      messages: bounds[i].count,
      start_ms: starts[i] - t0,
      // The synchronous send() returns a moment after the last ack; by definition one time.
      enqueue_ms: input.mode === "sync" ? elapsed : (enqueued[i] ?? NaN) - starts[i],
      elapsed_ms: elapsed,
      ack_interval_ms: interval,
      delivered: tracker.delivered[i],
      failed: tracker.failed[i],
    });
  }
  return rows;
}

/** The batch timings of every run as one DataFrame. */
export function batchesFrame(runs: ProducerRun[]): pl.DataFrame {
  const rows = runs.flatMap((r) => r.batches);
  const col = <K extends keyof BatchTiming>(k: K) => rows.map((r) => r[k]);
  return pl.DataFrame({
    trial: pl.Series("trial", col("trial"), pl.Int32),
    producer: pl.Series("producer", col("producer"), pl.Utf8),
    batch: pl.Series("batch", col("batch"), pl.Int32),
    warmup: pl.Series("warmup", col("warmup"), pl.Bool),
    messages: pl.Series("messages", col("messages"), pl.Int32),
    start_ms: pl.Series("start_ms", col("start_ms"), pl.Float64),
    enqueue_ms: pl.Series("enqueue_ms", col("enqueue_ms"), pl.Float64),
    elapsed_ms: pl.Series("elapsed_ms", col("elapsed_ms"), pl.Float64),
    ack_interval_ms: pl.Series("ack_interval_ms", col("ack_interval_ms"), pl.Float64),
    delivered: pl.Series("delivered", col("delivered"), pl.Int32),
    failed: pl.Series("failed", col("failed"), pl.Int32),
  });
}

let lastResult: BenchmarkResult | undefined;
let running: Promise<unknown> | undefined;

/** The most recent run's result, also when it was interrupted (e.g. by a kernel interrupt). */
export function lastBenchmark(): BenchmarkResult | undefined {
  return lastResult;
}

/**
 * Resolves once no benchmark is running any more, with the last result. After a kernel interrupt
 * the interrupted cell's run goes on until it has stopped its producers; this waits for that.
 */
export async function benchmarkSettled(): Promise<BenchmarkResult | undefined> {
  while (running) await running.catch(() => undefined);
  return lastResult;
}

/** An AbortSignal that also fires on SIGINT while `body` runs. */
async function withInterrupt<T>(interruptible: boolean, outer: AbortSignal | undefined, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  outer?.addEventListener("abort", abort);
  if (outer?.aborted) controller.abort();
  if (interruptible) process.on("SIGINT", abort);
  try {
    return await body(controller.signal);
  } finally {
    outer?.removeEventListener("abort", abort);
    if (interruptible) process.off("SIGINT", abort);
  }
}

/**
 * Runs the benchmark: for each trial, every producer over the same serialized messages, one after
 * the other (the order alternates between trials, so neither always goes first).
 */
export function runBenchmark(opts: RunOptions): Promise<BenchmarkResult> {
  const run = runBenchmarkNow(opts);
  const tracked = run.finally(() => {
    if (running === tracked) running = undefined;
  });
  running = tracked;
  return run;
}

async function runBenchmarkNow(opts: RunOptions): Promise<BenchmarkResult> {
  const { connection, params } = opts;
  const serializer = opts.serializer ?? serializerFor(params.serializer);
  const purchases = opts.purchases ?? generatePurchases(params.numMessages);
  const measured: OutgoingMessage[] = purchases.map((p) => ({ key: p.userId, value: serializer.serialize(p) }));
  // Warm-up batches re-send the first messages, so every batch has the same kind of payload.
  const warmN = params.warmupBatches * params.batchSize;
  const warm = Array.from({ length: warmN }, (_, i) => measured[i % measured.length]);
  const messages = [...warm, ...measured];
  const total = measured.reduce((s, m) => s + m.value.length, 0);
  await ensureTopic(connection, { name: params.topic, partitions: opts.partitions ?? 3 });
  const startedAt = new Date().toISOString();
  const runs: ProducerRun[] = [];
  const modes = opts.modes ?? (["sync", "async"] as ProducerMode[]);
  const versions = clientVersions();
  const build = (): BenchmarkResult => {
    const stopped = runs.find((r) => r.partial);
    return {
      params: { ...params, numMessages: measured.length },
      target: connection.summary(),
      client: versions.client,
      librdkafka: versions.librdkafka,
      serializer: serializer.name,
      payloadBytes: { mean: total / Math.max(1, measured.length), total },
      startedAt,
      runs,
      batches: batchesFrame(runs),
      partial: !!stopped || runs.length < params.trials * modes.length,
      stopReason: stopped?.stopReason,
    };
  };
  await withInterrupt(opts.interruptible ?? false, opts.signal, async (signal) => {
    for (let trial = 1; trial <= params.trials && !signal.aborted; trial++) {
      const order = trial % 2 === 1 ? modes : [...modes].reverse();
      for (const mode of order) {
        if (signal.aborted) break;
        const run = await runProducer({ trial, trials: params.trials, mode, messages, warmupBatches: params.warmupBatches, signal }, opts);
        runs.push(run);
        lastResult = build();
        if (run.partial && !signal.aborted && run.failed > 0) return; // the target is failing: stop here
      }
    }
  });
  lastResult = build();
  if (lastResult.partial && !lastResult.stopReason) lastResult.stopReason = "interrupted";
  return lastResult;
}
