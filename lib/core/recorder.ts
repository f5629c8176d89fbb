/**
 * The one recorder of deliveries. Every producer, driver and experiment that measures sends its
 * acknowledgements through `record()`; what a run reports (delivered, failed, error samples, the
 * last acknowledgement, per-message latency) is read from here and nowhere else.
 *
 * Times are performance.now() milliseconds. A record's latency is from its first send attempt
 * (`markSent`; waits for a full local queue included) to its acknowledgement reaching the program.
 *
 * Warm-up is a second recorder, not a branch in the hot path (as Java's ProducerPerformance keeps
 * a second Stats for its steady state): a run records its warm-up into one recorder, flushes, and
 * records the measured messages into a fresh one.
 */
import { latencySummary, type LatencySummary } from "./latency";

/** Per-record outcome in `outcome[seq]`. */
export const OUTCOME = { none: 0, delivered: 1, failed: 2 } as const;

export interface DeliveryRecorderOptions {
  /** Sequence numbers recorded are 0 .. capacity-1; others are counted but not kept per record. */
  capacity: number;
  /** Keep per-record send and acknowledgement times (latency, batch timings). Default true;
   *  false leaves only the counts, to measure what the per-record bookkeeping costs. */
  perRecord?: boolean;
  /** How many error texts to keep (default 20). */
  errorSamples?: number;
}

export class DeliveryRecorder {
  readonly capacity: number;
  readonly perRecord: boolean;
  /** First send attempt per record (NaN: not sent). Empty unless perRecord. */
  readonly sentAt: Float64Array;
  /** Acknowledgement per record (NaN: none yet). Empty unless perRecord. */
  readonly ackAt: Float64Array;
  /** OUTCOME per record. Empty unless perRecord. */
  readonly outcome: Uint8Array;
  delivered = 0;
  failed = 0;
  /** The first few distinct error texts (broker and client messages, never secrets). */
  readonly errors: string[] = [];
  /** The latest acknowledgement's time (NaN before the first). */
  lastAckAt = NaN;
  private readonly maxErrors: number;

  constructor(opts: DeliveryRecorderOptions) {
    this.capacity = opts.capacity;
    this.perRecord = opts.perRecord ?? true;
    this.maxErrors = opts.errorSamples ?? 20;
    const n = this.perRecord ? opts.capacity : 0;
    this.sentAt = new Float64Array(n).fill(NaN);
    this.ackAt = new Float64Array(n).fill(NaN);
    this.outcome = new Uint8Array(n);
  }

  /** Stamps a record's send time; only the first attempt counts. */
  markSent(seq: number, at: number): void {
    if (seq < this.sentAt.length && Number.isNaN(this.sentAt[seq])) this.sentAt[seq] = at;
  }

  /** The hot path: one acknowledgement (ok) or failure, at `atMs`. */
  record(seq: number, ok: boolean, atMs: number, error?: string): void {
    if (ok) this.delivered++;
    else {
      this.failed++;
      // Consecutive repeats of one error (a whole batch failing alike) are kept once.
      if (error && this.errors.length < this.maxErrors && this.errors[this.errors.length - 1] !== error) this.errors.push(error);
    }
    if (!(atMs <= this.lastAckAt)) this.lastAckAt = atMs;
    if (seq >= 0 && seq < this.ackAt.length) {
      this.ackAt[seq] = atMs;
      this.outcome[seq] = ok ? OUTCOME.delivered : OUTCOME.failed;
    }
  }

  /**
   * Acknowledgements not seen one by one (a producer with delivery.report.only.error): `count`
   * records known delivered at `atMs`, with no per-record times.
   */
  recordDelivered(count: number, atMs: number): void {
    this.delivered += count;
    if (!(atMs <= this.lastAckAt)) this.lastAckAt = atMs;
  }

  /** Reports received so far, delivered or failed. */
  get acknowledged(): number {
    return this.delivered + this.failed;
  }

  /** Per record: acknowledgement minus first send, ms (NaN where either is missing). */
  latencies(): Float64Array {
    const out = new Float64Array(this.ackAt.length);
    for (let i = 0; i < out.length; i++) out[i] = this.ackAt[i] - this.sentAt[i];
    return out;
  }

  latencySummary(): LatencySummary {
    return latencySummary([this.latencies()]);
  }
}
