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
import pl from "nodejs-polars";
import { round } from "../core/format";
import { latencySummary, type LatencySummary } from "../core/latency";
import { maxOf, mean, minOf, quantile } from "../core/stats";
import type { RunFigures } from "../producers/measured-run";
import type { ProducerMode } from "../producers/settings";
import type { BatchTiming } from "./batches";
import type { BenchmarkResult, ProducerRun } from "./harness";

export function measuredBatches(run: ProducerRun): BatchTiming[] {
  return run.batches.filter((b) => !b.warmup);
}

/** One producer in one trial: the run's figures (as `npm run bench` names them) and librdkafka's request counts. */
export interface RunSummary extends Omit<RunFigures, "latency"> {
  trial: number;
  producer: ProducerMode;
  partial: boolean;
  produce_requests: number;
  requests_sent: number;
  responses_received: number;
}

function lastStats(run: ProducerRun) {
  return run.stats[run.stats.length - 1] ?? { produce_requests: 0, requests_sent: 0, responses_received: 0 };
}

export function summarizeRun(run: ProducerRun): RunSummary {
  const s = lastStats(run);
  const f = run.figures;
  return {
    trial: run.trial,
    producer: run.mode,
    sent: f.sent,
    delivered: f.delivered,
    failed: f.failed,
    partial: run.partial,
    wall_s: f.wall_s,
    msgs_per_s: f.msgs_per_s,
    mb_per_s: f.mb_per_s,
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
  /** Producer response rate: acknowledged messages per second (median over trials), = msgs_per_s. */
  response_rate: number;
  /** Request rate: produce requests per second (median over trials). */
  request_rate: number;
  requests_per_message: number;
  latency: LatencySummary;
}

export function producerSummary(result: Pick<BenchmarkResult, "runs">, mode: ProducerMode): ProducerSummary | undefined {
  const runs = result.runs.filter((r) => r.mode === mode);
  if (runs.length === 0) return undefined;
  const per = runs.map((r) => summarizeRun(r));
  const batches = runs.flatMap(measuredBatches);
  const elapsed = batches.map((b) => b.elapsed_ms);
  const delivered = per.reduce((s, r) => s + r.delivered, 0);
  const requests = per.reduce((s, r) => s + r.produce_requests, 0);
  const rates = per.map((r) => r.msgs_per_s);
  const msgsPerS = quantile(rates, 0.5);
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
    median_ack_interval_ms: quantile(
      batches.map((b) => b.ack_interval_ms),
      0.5,
    ),
    wall_s: quantile(
      per.map((r) => r.wall_s),
      0.5,
    ),
    msgs_per_s: msgsPerS,
    msgs_per_s_min: minOf(rates),
    msgs_per_s_max: maxOf(rates),
    mb_per_s: quantile(
      per.map((r) => r.mb_per_s),
      0.5,
    ),
    // The Appendix's name for the same figure, kept for the summary files.
    response_rate: msgsPerS,
    request_rate: quantile(
      per.map((r) => (r.wall_s > 0 ? r.produce_requests / r.wall_s : NaN)),
      0.5,
    ),
    requests_per_message: delivered > 0 ? requests / delivered : NaN,
    latency: latencySummary(runs.map((r) => r.latencyMs)),
  };
}

export function summaries(result: Pick<BenchmarkResult, "runs">): ProducerSummary[] {
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
  const rows = result.runs.map((r) => summarizeRun(r));
  return pl.DataFrame(
    rows.map((r) => ({ ...r, wall_s: round(r.wall_s, 3), msgs_per_s: Math.round(r.msgs_per_s), mb_per_s: round(r.mb_per_s, 3) })),
  );
}

/**
 * The response rate's window: a 40th of the run, at least 1 ms, so that even a 0.2 s run shows a
 * rate over time (acknowledgements come in bursts, one per produce response: a window holding
 * none reads 0).
 */
export function responseBinMs(run: ProducerRun): number {
  return Math.max(1, run.wallMs / 40);
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

/** The request rate as the chart shows it: over time when the run had enough statistics samples, else over the whole run. */
export interface RequestRateView {
  points: ReturnType<typeof requestRate>;
  /** The median time between two statistics samples (the rate's window), ms. */
  windowMs: number;
  /** Produce requests per second over the whole run. */
  wholeRun: number;
  /** False when the run had fewer than 3 windows: too short for a rate over time. */
  overTime: boolean;
}

export function requestRateView(run: ProducerRun): RequestRateView {
  const points = requestRate(run);
  const gaps = run.stats.slice(1).map((s, i) => s.t_ms - run.stats[i].t_ms);
  const requests = lastStats(run).produce_requests;
  return {
    points,
    windowMs: quantile(gaps, 0.5),
    wholeRun: run.wallMs > 0 ? requests / (run.wallMs / 1000) : NaN,
    overTime: points.length >= 3,
  };
}

/** Cumulative acknowledged messages over time, at most maxPoints points. */
export function cumulativeAcks(run: ProducerRun, maxPoints = 400): { t_s: number; acknowledged: number }[] {
  const acks = Array.from(run.ackAtMs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
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
