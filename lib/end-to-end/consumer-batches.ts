/**
 * The consumer process's per-batch rows (consumer-child.ts), apart from its Kafka loop so that
 * their arithmetic can be checked without a broker. Times are Unix ms on the consumer's clock:
 * when the consume() call that returned a record came back.
 *
 * Every time is measured from the first record to a record: a batch ends when its last record
 * arrived, the last (shorter) one too, so that no wait after the last record (the idle wait for
 * more, an interrupt) counts in a batch's time, the run's time or its throughput.
 */
import type { ConsumerBatchRow, ResourceSample } from "./protocol";

export class ConsumerBatches {
  readonly rows: ConsumerBatchRow[] = [];
  /** When the first record arrived (NaN before it). */
  firstEpoch = NaN;
  /** When the latest record arrived (NaN before the first). */
  lastEpoch = NaN;
  /** Records so far, duplicates and foreign ones included. */
  received = 0;
  private open = { messages: 0, words: 0, unique: new Set<string>() };

  /** `resources`: the process's CPU and memory since the previous call, sampled as each batch closes. */
  constructor(
    private readonly batchSize: number,
    private readonly resources: () => ResourceSample,
  ) {}

  /** One record and its words, arrived at `at`; `lag` is asked for only when the record completes a batch. */
  add(words: readonly string[], at: number, lag: () => number): void {
    if (Number.isNaN(this.firstEpoch)) this.firstEpoch = at;
    this.lastEpoch = at;
    this.received++;
    this.open.words += words.length;
    for (const w of words) this.open.unique.add(w);
    if (++this.open.messages === this.batchSize) this.close(at, lag());
  }

  /** Closes the last, shorter batch, if any, at its last record's arrival. */
  finish(lag: () => number): void {
    if (this.open.messages > 0) this.close(this.lastEpoch, lag());
  }

  /** First record to last, ms; 0 with fewer than one record. */
  get wallMs(): number {
    const ms = this.lastEpoch - this.firstEpoch;
    return Number.isFinite(ms) ? ms : 0;
  }

  private close(at: number, lag: number): void {
    const prevEnd = this.rows.length ? this.firstEpoch + this.rows[this.rows.length - 1].end_ms : this.firstEpoch;
    const batchMs = at - prevEnd;
    const endMs = at - this.firstEpoch;
    this.rows.push({
      batch: this.rows.length + 1,
      messages: this.open.messages,
      words: this.open.words,
      unique_words: this.open.unique.size,
      end_ms: endMs,
      batch_ms: batchMs,
      msgs_per_s: batchMs > 0 ? this.open.messages / (batchMs / 1000) : NaN,
      cumulative_msgs_per_s: endMs > 0 ? this.received / (endMs / 1000) : NaN,
      lag,
      ...this.resources(),
    });
    this.open = { messages: 0, words: 0, unique: new Set<string>() };
  }
}
