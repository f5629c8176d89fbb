/**
 * Summaries computed from a run: per-producer batch statistics (from the batches DataFrame)
 * and whole-run throughput, plus the comparison the analysis states.
 */
import pl from "nodejs-polars";
import type { BenchmarkResult, ProducerRun } from "./harness";
import type { ProducerMode } from "./producers";

export interface ProducerSummary {
  producer: ProducerMode;
  batches: number;
  messages: number;
  delivered: number;
  failed: number;
  /** Batch start to last acknowledgement. */
  mean_batch_ms: number;
  median_batch_ms: number;
  p95_batch_ms: number;
  max_batch_ms: number;
  /** Time to hand a batch to the client. */
  mean_enqueue_ms: number;
  /** What each batch added to the run's wall time; these add up to wall_s. The fair per-batch
   *  comparison, since asynchronous batches overlap. */
  mean_ack_interval_ms: number;
  median_ack_interval_ms: number;
  /** First send to last acknowledgement. */
  wall_s: number;
  msgs_per_s: number;
}

/** Linear-interpolated quantile of finite values (q in [0, 1]); NaN for none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const xs = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

export function mean(values: ArrayLike<number>): number {
  const xs = Array.from(values).filter(Number.isFinite);
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

export function summarizeRun(run: ProducerRun): ProducerSummary {
  const elapsed = run.batches.map((b) => b.elapsed_ms);
  const messages = run.batches.reduce((s, b) => s + b.messages, 0);
  const wallS = run.wallMs / 1000;
  return {
    producer: run.mode,
    batches: run.batches.length,
    messages,
    delivered: run.delivered,
    failed: run.failed,
    mean_batch_ms: mean(elapsed),
    median_batch_ms: quantile(elapsed, 0.5),
    p95_batch_ms: quantile(elapsed, 0.95),
    max_batch_ms: Math.max(...elapsed.filter(Number.isFinite)),
    mean_enqueue_ms: mean(run.batches.map((b) => b.enqueue_ms)),
    mean_ack_interval_ms: mean(run.batches.map((b) => b.ack_interval_ms)),
    median_ack_interval_ms: quantile(run.batches.map((b) => b.ack_interval_ms), 0.5),
    wall_s: wallS,
    msgs_per_s: wallS > 0 ? run.delivered / wallS : NaN,
  };
}

export function summaries(result: BenchmarkResult): ProducerSummary[] {
  return result.runs.map(summarizeRun);
}

/** The summary as a DataFrame, rounded for display. */
export function summaryFrame(result: BenchmarkResult): pl.DataFrame {
  const df = pl.DataFrame(summaries(result) as unknown as Record<string, unknown>[]);
  const floats = df.columns.filter((c) => c.endsWith("_ms") || c === "wall_s");
  return df.withColumns(...floats.map((c) => pl.col(c).round(2)), pl.col("msgs_per_s").round(0));
}

export interface Comparison {
  faster: ProducerMode;
  slower: ProducerMode;
  /** Slower wall time / faster wall time: how many times sooner the same messages were delivered
   *  (equal to the ratio of mean ack intervals, as those add up to the wall time). */
  wallRatio: number;
  /** Ratio of the median time a batch added to the run: the same comparison, robust to outliers. */
  medianIntervalRatio: number;
}

/** Which producer finished the same messages sooner, and by how much (null unless both ran). */
export function compare(result: BenchmarkResult): Comparison | null {
  const s = summaries(result);
  const sync = s.find((x) => x.producer === "sync");
  const async_ = s.find((x) => x.producer === "async");
  if (!sync || !async_) return null;
  const [fast, slow] = async_.wall_s <= sync.wall_s ? [async_, sync] : [sync, async_];
  return {
    faster: fast.producer,
    slower: slow.producer,
    wallRatio: slow.wall_s / fast.wall_s,
    medianIntervalRatio: slow.median_ack_interval_ms / fast.median_ack_interval_ms,
  };
}
