/**
 * What each chunk (one send() call: notebook 01's batch, the end-to-end study's batch) took, from
 * a measured run: computed after the run from the recorder's per-record times, so the hot path
 * keeps no per-chunk counters. Times are ms after the run's t0 (negative for warm-up chunks).
 */
import { OUTCOME, type DeliveryRecorder } from "../core/recorder";
import type { Chunk, MeasuredRun } from "./measured-run";

export interface ChunkTiming {
  /** 0-based, counted separately for warm-up and measured chunks. */
  index: number;
  warmup: boolean;
  messages: number;
  /** When its first record was handed to the client. */
  start_ms: number;
  /** Time to hand the chunk to the client (a synchronous producer waits for every ack in it). */
  handover_ms: number;
  /** First send to the last acknowledgement of the chunk; NaN while any record is unacknowledged. */
  elapsed_ms: number;
  /** How much later this chunk was complete than the one before (the first: than t0); these add up to the run's wall time. */
  ack_interval_ms: number;
  delivered: number;
  failed: number;
}

/** A chunk's last acknowledgement (NaN while any record is unacknowledged) and its counts. */
function outcome(rec: DeliveryRecorder, c: Chunk): { lastAck: number; delivered: number; failed: number } {
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

/** Warm-up chunks first, then the measured ones. Needs a per-record recorder. */
export function chunkTimings(run: MeasuredRun): ChunkTiming[] {
  const rows: ChunkTiming[] = [];
  const add = (c: Chunk, index: number, warmup: boolean, interval: number, o: ReturnType<typeof outcome>) =>
    rows.push({
      index,
      warmup,
      messages: c.count,
      start_ms: c.start - run.t0,
      handover_ms: c.handedOver - c.start,
      elapsed_ms: o.lastAck - c.start,
      ack_interval_ms: interval,
      delivered: o.delivered,
      failed: o.failed,
    });
  run.warmupChunks.forEach((c, i) => add(c, i, true, NaN, outcome(run.warmupRecorder, c)));
  let completedAt = run.t0; // running max: chunks on different partitions may finish out of order
  run.chunks.forEach((c, i) => {
    const o = outcome(run.recorder, c);
    let interval = NaN;
    if (Number.isFinite(o.lastAck)) {
      const completion = Math.max(completedAt, o.lastAck);
      interval = completion - completedAt;
      completedAt = completion;
    }
    add(c, i, false, interval, o);
  });
  return rows;
}
