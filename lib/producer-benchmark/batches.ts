/** Notebook 01's batch timings: one row per batch (a chunk of the measured run), as a DataFrame. */
import pl from "nodejs-polars";
import { chunkTimings } from "../producers/chunks";
import type { MeasuredRun } from "../producers/measured-run";
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

/** Warm-up batches numbered 0, -1, ... (the last warm-up batch is 0); measured ones 1, 2, ... */
export function batchRows(run: MeasuredRun, at: { trial: number; mode: ProducerMode }): BatchTiming[] {
  const timings = chunkTimings(run);
  const warm = timings.filter((t) => t.warmup).length;
  return timings.map((t) => ({
    trial: at.trial,
    producer: at.mode,
    batch: t.warmup ? t.index - warm + 1 : t.index + 1,
    warmup: t.warmup,
    messages: t.messages,
    start_ms: t.start_ms,
    // The synchronous send() returns a moment after the last ack; by definition one time.
    enqueue_ms: at.mode === "sync" ? t.elapsed_ms : t.handover_ms,
    elapsed_ms: t.elapsed_ms,
    ack_interval_ms: t.ack_interval_ms,
    delivered: t.delivered,
    failed: t.failed,
  }));
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
