/**
 * Our producers against each peer, repeat by repeat: the ratio of the medians, its 95%
 * confidence interval (distribution-free, from the pairwise ratios of the repeats) and the
 * Mann–Whitney two-sided p, within one placement (unpinned or pinned). A difference is called
 * beyond the noise at p < 0.05; with too few repeats (3 against 3 cannot go below p = 0.1) the
 * verdict says so instead of guessing.
 */
import { verdictText } from "../core/history";
import { compareSamples, median, type SampleComparison } from "../core/stats";
import type { Placement } from "./placement";
import type { BenchRun, ProducerId } from "./run";

export interface Metric {
  label: string;
  unit: string;
  better: "higher" | "lower";
  of(run: BenchRun): number;
}

export const METRICS = Object.freeze({
  msgs_per_s: { label: "messages/s", unit: "msgs/s", better: "higher", of: (r: BenchRun) => r.figures.msgs_per_s },
  ms_per_msg: {
    label: "time per message (wall time / messages)",
    unit: "ms/msg",
    better: "lower",
    of: (r: BenchRun) => 1000 / r.figures.msgs_per_s,
  },
  p50_ms: {
    label: "median time per message (send to acknowledgement)",
    unit: "ms",
    better: "lower",
    of: (r: BenchRun) => r.figures.latency.p50_ms,
  },
} satisfies Record<string, Metric>);

export type MetricId = keyof typeof METRICS;

/** Which of our producers is set against which peer, on what. */
export const PAIRS: readonly { ours: ProducerId; peer: ProducerId; metric: MetricId }[] = Object.freeze([
  { ours: "ours-async", peer: "py-confluent-async", metric: "msgs_per_s" },
  { ours: "ours-async", peer: "perf-tool", metric: "msgs_per_s" },
  { ours: "ours-async", peer: "confluent-kafkajs", metric: "msgs_per_s" },
  { ours: "ours-async", peer: "kafkajs", metric: "msgs_per_s" },
  { ours: "ours-async", peer: "py-kafka-python", metric: "msgs_per_s" },
  { ours: "ours-async-aggregate", peer: "perf-tool", metric: "msgs_per_s" },
  { ours: "ours-sync", peer: "py-confluent-sync", metric: "ms_per_msg" },
  { ours: "ours-sync", peer: "py-confluent-sync", metric: "p50_ms" },
]);

export interface PairComparison {
  placement: Placement;
  ours: ProducerId;
  peer: ProducerId;
  metric: MetricId;
  ours_median: number;
  peer_median: number;
  comparison: SampleComparison;
  verdict: string;
}

/** The values of a metric over one producer's measured runs in one placement. */
export function samples(runs: BenchRun[], producer: ProducerId, placement: Placement, metric: MetricId): number[] {
  return runs
    .filter((r) => r.producer === producer && (r.placement ?? "unpinned") === placement && !r.unsupported)
    .map((r) => METRICS[metric].of(r))
    .filter(Number.isFinite);
}

/** One of our producers against one peer in one placement; undefined when either has no run there. */
export function comparePair(
  runs: BenchRun[],
  ours: ProducerId,
  peer: ProducerId,
  metric: MetricId,
  placement: Placement,
): PairComparison | undefined {
  const a = samples(runs, ours, placement, metric);
  const b = samples(runs, peer, placement, metric);
  if (!a.length || !b.length) return undefined;
  const comparison = compareSamples(a, b);
  return {
    placement,
    ours,
    peer,
    metric,
    ours_median: median(a),
    peer_median: median(b),
    comparison,
    verdict: verdictText(comparison, METRICS[metric].better),
  };
}

/** Every pair of PAIRS that ran, in every placement that ran. */
export function pairComparisons(runs: BenchRun[], placements: readonly Placement[]): PairComparison[] {
  return placements.flatMap((pl) =>
    PAIRS.map((x) => comparePair(runs, x.ours, x.peer, x.metric, pl)).filter((c): c is PairComparison => c !== undefined),
  );
}
