/**
 * Metrics computed from a run, named as the assignment's Appendix names them:
 * - elapsed time per batch (start to last acknowledgement, and, for the asynchronous producer,
 *   the hand-over time) and what each batch added to the total;
 * - producer response rate: acknowledged messages per second, over time;
 * - request rate: requests per second from librdkafka's own counters, over time;
 * - throughput (messages/s, MB/s), per-message delivery latency percentiles (HDR histogram),
 *   delivery errors.
 * Warm-up batches are excluded everywhere here.
 */
import * as hdr from "hdr-histogram-js";
import pl from "nodejs-polars";
import type { BatchTiming, BenchmarkResult, ProducerRun } from "./harness";
import type { ProducerMode } from "./producers";

/** Linear-interpolated quantile of finite values (q in [0, 1]); NaN for none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const xs = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

/** Largest finite value (-Infinity for none); no spread, so any length works. */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] > m) m = values[i];
  return m;
}

/** Smallest finite value (Infinity for none). */
export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] < m) m = values[i];
  return m;
}

export function mean(values: ArrayLike<number>): number {
  const xs = Array.from(values).filter(Number.isFinite);
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

export function measuredBatches(run: ProducerRun): BatchTiming[] {
  return run.batches.filter((b) => !b.warmup);
}

export const LATENCY_PERCENTILES = [50, 95, 99, 99.9] as const;

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  mean_ms: number;
}

/**
 * Per-message latency percentiles from an HDR histogram (1 µs resolution, 3 significant
 * digits, up to an hour), over every finite value of every series given.
 */
export function latencySummary(series: ArrayLike<number>[]): LatencySummary {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  try {
    for (const xs of series) {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i];
        if (Number.isFinite(v) && v >= 0) h.recordValue(Math.max(1, Math.round(v * 1000)));
      }
    }
    // A percentile reports its bucket's highest equivalent value, which can pass the true max.
    const at = (p: number) => (h.totalCount ? Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000 : NaN);
    return {
      count: h.totalCount,
      p50_ms: at(50),
      p95_ms: at(95),
      p99_ms: at(99),
      p999_ms: at(99.9),
      max_ms: h.totalCount ? h.maxValue / 1000 : NaN,
      mean_ms: h.totalCount ? h.mean / 1000 : NaN,
    };
  } finally {
    h.destroy();
  }
}

/** Points of the latency distribution (percentile → ms), for a CDF chart. */
export function latencyCdf(series: ArrayLike<number>[], percentiles: number[] = defaultCdfPercentiles()): { percentile: number; latency_ms: number }[] {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  try {
    for (const xs of series) for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && xs[i] >= 0) h.recordValue(Math.max(1, Math.round(xs[i] * 1000)));
    if (!h.totalCount) return [];
    return percentiles.map((p) => ({ percentile: p, latency_ms: Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000 }));
  } finally {
    h.destroy();
  }
}

function defaultCdfPercentiles(): number[] {
  const ps: number[] = [];
  for (let p = 0; p <= 90; p += 2) ps.push(p);
  ps.push(92, 94, 95, 96, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 100);
  return ps;
}

/** One producer in one trial. */
export interface RunSummary {
  trial: number;
  producer: ProducerMode;
  sent: number;
  delivered: number;
  failed: number;
  partial: boolean;
  wall_s: number;
  msgs_per_s: number;
  mb_per_s: number;
  produce_requests: number;
  requests_sent: number;
  responses_received: number;
}

function lastStats(run: ProducerRun) {
  return run.stats[run.stats.length - 1] ?? { produce_requests: 0, requests_sent: 0, responses_received: 0 };
}

export function summarizeRun(run: ProducerRun, payloadBytesPerMessage: number): RunSummary {
  const wallS = run.wallMs / 1000;
  const s = lastStats(run);
  return {
    trial: run.trial,
    producer: run.mode,
    sent: run.sent,
    delivered: run.delivered,
    failed: run.failed,
    partial: run.partial,
    wall_s: wallS,
    msgs_per_s: wallS > 0 ? run.delivered / wallS : NaN,
    mb_per_s: wallS > 0 ? (run.delivered * payloadBytesPerMessage) / wallS / 1e6 : NaN,
    produce_requests: s.produce_requests,
    requests_sent: s.requests_sent,
    responses_received: s.responses_received,
  };
}

/** One producer over all trials. */
export interface ProducerSummary {
  producer: ProducerMode;
  trials: number;
  batches: number;
  messages: number;
  delivered: number;
  failed: number;
  /** Batch start to last acknowledgement. */
  mean_batch_ms: number;
  median_batch_ms: number;
  p95_batch_ms: number;
  p99_batch_ms: number;
  max_batch_ms: number;
  /** Time to hand a batch to the client. */
  mean_enqueue_ms: number;
  /** What each batch added to the run's wall time (the fair per-batch comparison). */
  mean_ack_interval_ms: number;
  median_ack_interval_ms: number;
  /** Median over trials, with the spread (min, max) between trials. */
  wall_s: number;
  msgs_per_s: number;
  msgs_per_s_min: number;
  msgs_per_s_max: number;
  mb_per_s: number;
  /** Producer response rate: acknowledged messages per second (median over trials). */
  response_rate: number;
  /** Request rate: produce requests per second (median over trials). */
  request_rate: number;
  requests_per_message: number;
  latency: LatencySummary;
}

export function producerSummary(result: BenchmarkResult, mode: ProducerMode): ProducerSummary | undefined {
  const runs = result.runs.filter((r) => r.mode === mode);
  if (runs.length === 0) return undefined;
  const per = runs.map((r) => summarizeRun(r, result.payloadBytes.mean));
  const batches = runs.flatMap(measuredBatches);
  const elapsed = batches.map((b) => b.elapsed_ms);
  const delivered = per.reduce((s, r) => s + r.delivered, 0);
  const requests = per.reduce((s, r) => s + r.produce_requests, 0);
  const rates = per.map((r) => r.msgs_per_s);
  return {
    producer: mode,
    trials: runs.length,
    batches: batches.length,
    messages: per.reduce((s, r) => s + r.sent, 0),
    delivered,
    failed: per.reduce((s, r) => s + r.failed, 0),
    mean_batch_ms: mean(elapsed),
    median_batch_ms: quantile(elapsed, 0.5),
    p95_batch_ms: quantile(elapsed, 0.95),
    p99_batch_ms: quantile(elapsed, 0.99),
    max_batch_ms: maxOf(elapsed),
    mean_enqueue_ms: mean(batches.map((b) => b.enqueue_ms)),
    mean_ack_interval_ms: mean(batches.map((b) => b.ack_interval_ms)),
    median_ack_interval_ms: quantile(batches.map((b) => b.ack_interval_ms), 0.5),
    wall_s: quantile(per.map((r) => r.wall_s), 0.5),
    msgs_per_s: quantile(rates, 0.5),
    msgs_per_s_min: minOf(rates),
    msgs_per_s_max: maxOf(rates),
    mb_per_s: quantile(per.map((r) => r.mb_per_s), 0.5),
    response_rate: quantile(rates, 0.5),
    request_rate: quantile(per.map((r) => (r.wall_s > 0 ? r.produce_requests / r.wall_s : NaN)), 0.5),
    requests_per_message: delivered > 0 ? requests / delivered : NaN,
    latency: latencySummary(runs.map((r) => r.latencyMs)),
  };
}

export function summaries(result: BenchmarkResult): ProducerSummary[] {
  const modes = [...new Set(result.runs.map((r) => r.mode))];
  return modes.map((m) => producerSummary(result, m)).filter((s): s is ProducerSummary => !!s);
}

/** The per-producer summary as a DataFrame, rounded for display. */
export function summaryFrame(result: BenchmarkResult): pl.DataFrame {
  const rows = summaries(result).map((s) => ({
    producer: s.producer,
    trials: s.trials,
    batches: s.batches,
    delivered: s.delivered,
    failed: s.failed,
    mean_batch_ms: round(s.mean_batch_ms, 2),
    median_batch_ms: round(s.median_batch_ms, 2),
    p95_batch_ms: round(s.p95_batch_ms, 2),
    p99_batch_ms: round(s.p99_batch_ms, 2),
    median_added_ms: round(s.median_ack_interval_ms, 3),
    mean_handover_ms: round(s.mean_enqueue_ms, 3),
    msgs_per_s: Math.round(s.msgs_per_s),
    msgs_per_s_range: `${Math.round(s.msgs_per_s_min)}–${Math.round(s.msgs_per_s_max)}`,
    mb_per_s: round(s.mb_per_s, 3),
    requests_per_s: Math.round(s.request_rate),
    requests_per_msg: round(s.requests_per_message, 4),
    latency_p50_ms: round(s.latency.p50_ms, 3),
    latency_p99_ms: round(s.latency.p99_ms, 3),
    latency_p999_ms: round(s.latency.p999_ms, 3),
    latency_max_ms: round(s.latency.max_ms, 3),
  }));
  return pl.DataFrame(rows);
}

/** Each trial's throughput, for the spread between runs. */
export function trialsFrame(result: BenchmarkResult): pl.DataFrame {
  const rows = result.runs.map((r) => summarizeRun(r, result.payloadBytes.mean));
  return pl.DataFrame(
    rows.map((r) => ({ ...r, wall_s: round(r.wall_s, 3), msgs_per_s: Math.round(r.msgs_per_s), mb_per_s: round(r.mb_per_s, 3) })),
  );
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : x;
}

/**
 * A bin width for the response rate: about two produce requests per bin (acknowledgements come in
 * bursts, one per response), between 5 and 40 bins over the run.
 */
export function responseBinMs(run: ProducerRun): number {
  const requests = run.stats[run.stats.length - 1]?.produce_requests ?? 0;
  const bins = Math.min(40, Math.max(5, Math.floor(requests / 2)));
  return Math.max(0.1, run.wallMs / bins);
}

/** Producer response rate over time: acknowledgements per second in bins of binMs. */
export function responseRate(run: ProducerRun, binMs: number): { t_s: number; acks_per_s: number }[] {
  const acks = Array.from(run.ackAtMs).filter(Number.isFinite);
  if (acks.length === 0 || binMs <= 0) return [];
  const end = maxOf(acks);
  const bins = new Array(Math.max(1, Math.ceil(end / binMs))).fill(0);
  for (const a of acks) bins[Math.min(bins.length - 1, Math.floor(a / binMs))]++;
  return bins.map((count, i) => ({ t_s: ((i + 0.5) * binMs) / 1000, acks_per_s: count / (binMs / 1000) }));
}

/** Request rate over time from librdkafka's counters: per interval between two samples. */
export function requestRate(run: ProducerRun): { t_s: number; requests_per_s: number; responses_per_s: number; produce_per_s: number }[] {
  const out = [];
  for (let i = 1; i < run.stats.length; i++) {
    const a = run.stats[i - 1];
    const b = run.stats[i];
    const dt = (b.t_ms - a.t_ms) / 1000;
    if (dt <= 0) continue;
    out.push({
      t_s: b.t_ms / 1000,
      requests_per_s: (b.requests_sent - a.requests_sent) / dt,
      responses_per_s: (b.responses_received - a.responses_received) / dt,
      produce_per_s: (b.produce_requests - a.produce_requests) / dt,
    });
  }
  return out;
}

/** Cumulative acknowledged messages over time, at most maxPoints points. */
export function cumulativeAcks(run: ProducerRun, maxPoints = 400): { t_s: number; acknowledged: number }[] {
  const acks = Array.from(run.ackAtMs).filter(Number.isFinite).sort((a, b) => a - b);
  if (acks.length === 0) return [];
  const step = Math.max(1, Math.floor(acks.length / maxPoints));
  const out = [];
  for (let i = step - 1; i < acks.length; i += step) out.push({ t_s: acks[i] / 1000, acknowledged: i + 1 });
  if (out[out.length - 1].acknowledged !== acks.length) out.push({ t_s: acks[acks.length - 1] / 1000, acknowledged: acks.length });
  return out;
}

export interface Comparison {
  faster: ProducerMode;
  slower: ProducerMode;
  /** Slower / faster median wall time: how many times sooner the same messages were delivered. */
  wallRatio: number;
  /** Ratio of the median time a batch added to the run: the same comparison, robust to outliers. */
  medianIntervalRatio: number;
  /** In how many trials the faster producer was faster. */
  trialsWon: number;
  trials: number;
}

/** Which producer finished the same messages sooner, and by how much (null unless both ran). */
export function compare(result: BenchmarkResult): Comparison | null {
  const sync = producerSummary(result, "sync");
  const async_ = producerSummary(result, "async");
  if (!sync || !async_) return null;
  const [fast, slow] = async_.wall_s <= sync.wall_s ? [async_, sync] : [sync, async_];
  let trialsWon = 0;
  let trials = 0;
  for (const t of new Set(result.runs.map((r) => r.trial))) {
    const f = result.runs.find((r) => r.trial === t && r.mode === fast.producer);
    const s = result.runs.find((r) => r.trial === t && r.mode === slow.producer);
    if (!f || !s) continue;
    trials++;
    if (f.wallMs <= s.wallMs) trialsWon++;
  }
  return {
    faster: fast.producer,
    slower: slow.producer,
    wallRatio: slow.wall_s / fast.wall_s,
    medianIntervalRatio: slow.median_ack_interval_ms / fast.median_ack_interval_ms,
    trialsWon,
    trials,
  };
}
