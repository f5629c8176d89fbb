/**
 * Batch timings from a measured run: notebook 01's DataFrame, one row per batch. Computed after
 * the run from the recorder's per-record times, so the hot path keeps no per-batch counters.
 */
import pl from "nodejs-polars";
import { OUTCOME, type DeliveryRecorder } from "../core/recorder";
import type { Chunk, MeasuredRun } from "../producers/measured-run";
import type { ProducerMode } from "../producers/settings";

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

/** A chunk's outcome: its last acknowledgement (NaN while any record is unacknowledged) and counts. */
function chunkOutcome(rec: DeliveryRecorder, c: Chunk): { lastAck: number; delivered: number; failed: number } {
  let lastAck = -Infinity;
  let delivered = 0;
  let failed = 0;
  for (let seq = c.first; seq < c.first + c.count; seq++) {
    const o = rec.outcome[seq];
    if (o === OUTCOME.delivered) delivered++;
    else if (o === OUTCOME.failed) failed++;
    if (rec.ackAt[seq] > lastAck) lastAck = rec.ackAt[seq];
  }
  return { lastAck: c.count > 0 && delivered + failed === c.count ? lastAck : NaN, delivered, failed };
}

/** Warm-up batches numbered 0, -1, ... (the last warm-up batch is 0); measured ones 1, 2, ... */
export function batchRows(run: MeasuredRun, at: { trial: number; mode: ProducerMode; warmupBatches: number }): BatchTiming[] {
  const rows: BatchTiming[] = [];
  const add = (c: Chunk, batch: number, warmup: boolean, interval: number, o: ReturnType<typeof chunkOutcome>) => {
    const elapsed = o.lastAck - c.start;
    rows.push({
      trial: at.trial,
      producer: at.mode,
      batch,
      warmup,
      messages: c.count,
      start_ms: c.start - run.t0,
      // The synchronous send() returns a moment after the last ack; by definition one time.
      enqueue_ms: at.mode === "sync" ? elapsed : c.handedOver - c.start,
      elapsed_ms: elapsed,
      ack_interval_ms: interval,
      delivered: o.delivered,
      failed: o.failed,
    });
  };
  const warm = run.warmupChunks;
  warm.forEach((c, i) => add(c, i - warm.length + 1, true, NaN, chunkOutcome(run.warmupRecorder, c)));
  let completedAt = run.t0; // running max: batches on different partitions may finish out of order
  run.chunks.forEach((c, i) => {
    const o = chunkOutcome(run.recorder, c);
    let interval = NaN;
    if (Number.isFinite(o.lastAck)) {
      const completion = Math.max(completedAt, o.lastAck);
      interval = completion - completedAt;
      completedAt = completion;
    }
    add(c, i + 1, false, interval, o);
  });
  return rows;
}

/** Batch rows as one DataFrame, with explicit column types. */
export function batchesFrame(rows: BatchTiming[]): pl.DataFrame {
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
