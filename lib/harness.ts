/**
 * The benchmark harness: the same messages through each producer, in batches, timed on a
 * monotonic clock (performance.now()), results as a nodejs-polars DataFrame.
 *
 * What a batch time includes: from just before the batch's first produce() call to the moment
 * its last delivery report reaches JavaScript (elapsed_ms); for the asynchronous producer also
 * the time to hand the batch to the client (enqueue_ms). Serialization happens before timing
 * starts, and connecting plus one warm-up message per producer are excluded.
 */
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import pl from "nodejs-polars";
import type { BenchmarkParams, ConnectionSummary, KafkaConnection } from "./config";
import { createProducer, clientVersions, type MeasuredProducer, type OutgoingMessage, type ProducerMode, type Settings } from "./producers";
import { generatePurchases, jsonSerializer, type Purchase, type Serializer } from "./schema";
import { ensureTopic } from "./topics";

export interface BatchTiming {
  producer: ProducerMode;
  batch: number;
  messages: number;
  /** Batch start, ms after the producer's first batch started. */
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

export interface ProducerRun {
  mode: ProducerMode;
  settings: Settings;
  batches: BatchTiming[];
  /** Per message: send to acknowledgement, ms (NaN where no report arrived). */
  latencyMs: Float64Array;
  /** First send to last acknowledgement, ms. */
  wallMs: number;
  delivered: number;
  failed: number;
  /** Times a full local queue made the asynchronous producer wait. */
  queueFullWaits: number;
  errors: string[];
}

export interface BenchmarkResult {
  params: BenchmarkParams;
  target: ConnectionSummary;
  client: string;
  librdkafka: string;
  serializer: string;
  payloadBytes: { mean: number; total: number };
  startedAt: string;
  runs: ProducerRun[];
  /** One row per producer and batch (the columns of BatchTiming). */
  batches: pl.DataFrame;
}

export interface ProgressEvent {
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
  serializer?: Serializer<Purchase>;
  /** The messages to send; default: params.numMessages generated purchases (seed 42). */
  purchases?: Purchase[];
  partitions?: number;
  /** Extra librdkafka settings per mode (e.g. for tuning studies). */
  settings?: Partial<Record<ProducerMode, Settings>>;
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
  readonly latencyMs: Float64Array;
  readonly pending: Int32Array;
  readonly lastAck: Float64Array;
  readonly delivered: Int32Array;
  readonly failed: Int32Array;
  readonly errors: string[] = [];
  lastAckAt = 0;

  constructor(
    readonly n: number,
    readonly batchSize: number,
  ) {
    const batches = Math.ceil(n / batchSize);
    this.sentAt = new Float64Array(n).fill(NaN);
    this.latencyMs = new Float64Array(n).fill(NaN);
    this.pending = new Int32Array(batches);
    this.lastAck = new Float64Array(batches);
    this.delivered = new Int32Array(batches);
    this.failed = new Int32Array(batches);
    batchBounds(n, batchSize).forEach((b, i) => (this.pending[i] = b.count));
  }

  record(seq: number, ok: boolean, at: number, error?: string): void {
    if (seq < 0 || seq >= this.n) return; // warm-up messages are not measured
    const b = Math.floor(seq / this.batchSize);
    this.latencyMs[seq] = at - this.sentAt[seq];
    if (ok) this.delivered[b]++;
    else {
      this.failed[b]++;
      if (this.errors.length < 20 && error) this.errors.push(error);
    }
    if (--this.pending[b] === 0) this.lastAck[b] = at;
    this.lastAckAt = at;
  }

  acknowledged(): number {
    let s = 0;
    for (let i = 0; i < this.delivered.length; i++) s += this.delivered[i] + this.failed[i];
    return s;
  }
}

async function warmUp(producer: MeasuredProducer, message: OutgoingMessage, seq: number): Promise<void> {
  await producer.send([message], seq);
  await producer.flush(30_000);
}

/** Runs one producer over all messages and returns its batch timings. */
async function runProducer(
  mode: ProducerMode,
  messages: OutgoingMessage[],
  opts: RunOptions,
): Promise<ProducerRun> {
  const { connection, params } = opts;
  const producer = createProducer(mode, connection, params.topic, opts.settings?.[mode]);
  const n = messages.length;
  const tracker = new BatchTracker(n, params.batchSize);
  producer.onDelivery((d) => tracker.record(d.seq, d.ok, d.ackedAt, d.error));
  producer.trackSendTimes(tracker.sentAt);
  const bounds = batchBounds(n, params.batchSize);
  const batches: BatchTiming[] = [];
  const starts: number[] = [];
  try {
    await producer.connect();
    await warmUp(producer, messages[0], n); // seq n: outside the measured range
    const t0 = performance.now();
    for (let i = 0; i < bounds.length; i++) {
      const { first, count } = bounds[i];
      const start = performance.now();
      starts.push(start);
      await producer.send(messages.slice(first, first + count), first);
      const enqueued = performance.now();
      batches.push({ producer: mode, batch: i + 1, messages: count, start_ms: start - t0, enqueue_ms: enqueued - start, elapsed_ms: NaN, ack_interval_ms: NaN, delivered: 0, failed: 0 });
      opts.onProgress?.({ mode, batch: i + 1, batches: bounds.length, acknowledged: tracker.acknowledged(), total: n, elapsedMs: enqueued - t0, done: false });
      // Let delivery reports that arrived meanwhile be timed now, not after the next batch.
      await yieldToEventLoop();
    }
    await producer.flush(120_000);
    let completedAt = t0; // running max: batches on different partitions may finish out of order
    for (let i = 0; i < batches.length; i++) {
      const done = tracker.pending[i] === 0;
      batches[i].elapsed_ms = done ? tracker.lastAck[i] - starts[i] : NaN;
      const completion = done ? Math.max(completedAt, tracker.lastAck[i]) : NaN;
      batches[i].ack_interval_ms = completion - completedAt;
      // send() returned a moment after the last ack; by definition the two are one time here.
      if (mode === "sync") batches[i].enqueue_ms = batches[i].elapsed_ms;
      if (done) completedAt = completion;
      batches[i].delivered = tracker.delivered[i];
      batches[i].failed = tracker.failed[i];
    }
    const wallMs = tracker.lastAckAt - t0;
    opts.onProgress?.({ mode, batch: bounds.length, batches: bounds.length, acknowledged: tracker.acknowledged(), total: n, elapsedMs: wallMs, done: true });
    const delivered = batches.reduce((s, b) => s + b.delivered, 0);
    const failed = batches.reduce((s, b) => s + b.failed, 0);
    return {
      mode,
      settings: producer.settings,
      batches,
      latencyMs: tracker.latencyMs,
      wallMs,
      delivered,
      failed,
      queueFullWaits: producer.mode === "async" ? producer.queueFullWaits : 0,
      errors: tracker.errors,
    };
  } finally {
    await producer.disconnect();
  }
}

/** The batch timings of every run as one DataFrame. */
export function batchesFrame(runs: ProducerRun[]): pl.DataFrame {
  const rows = runs.flatMap((r) => r.batches);
  return pl.DataFrame({
    producer: pl.Series("producer", rows.map((r) => r.producer), pl.Utf8),
    batch: pl.Series("batch", rows.map((r) => r.batch), pl.Int32),
    messages: pl.Series("messages", rows.map((r) => r.messages), pl.Int32),
    start_ms: pl.Series("start_ms", rows.map((r) => r.start_ms), pl.Float64),
    enqueue_ms: pl.Series("enqueue_ms", rows.map((r) => r.enqueue_ms), pl.Float64),
    elapsed_ms: pl.Series("elapsed_ms", rows.map((r) => r.elapsed_ms), pl.Float64),
    ack_interval_ms: pl.Series("ack_interval_ms", rows.map((r) => r.ack_interval_ms), pl.Float64),
    delivered: pl.Series("delivered", rows.map((r) => r.delivered), pl.Int32),
    failed: pl.Series("failed", rows.map((r) => r.failed), pl.Int32),
  });
}

/** Runs the benchmark: every mode over the same serialized messages, one after the other. */
export async function runBenchmark(opts: RunOptions): Promise<BenchmarkResult> {
  const { connection, params } = opts;
  const serializer = opts.serializer ?? jsonSerializer;
  const purchases = opts.purchases ?? generatePurchases(params.numMessages);
  const messages: OutgoingMessage[] = purchases.map((p) => ({ key: p.userId, value: serializer.serialize(p) }));
  const total = messages.reduce((s, m) => s + m.value.length, 0);
  await ensureTopic(connection, { name: params.topic, partitions: opts.partitions ?? 3 });
  const startedAt = new Date().toISOString();
  const runs: ProducerRun[] = [];
  for (const mode of opts.modes ?? (["sync", "async"] as ProducerMode[])) {
    runs.push(await runProducer(mode, messages, opts));
  }
  const versions = clientVersions();
  return {
    params: { ...params, numMessages: messages.length },
    target: connection.summary(),
    client: versions.client,
    librdkafka: versions.librdkafka,
    serializer: serializer.name,
    payloadBytes: { mean: total / Math.max(1, messages.length), total },
    startedAt,
    runs,
    batches: batchesFrame(runs),
  };
}
