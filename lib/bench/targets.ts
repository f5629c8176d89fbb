/**
 * The project's performance targets for `npm run bench`, each a ratio of our producer's median to
 * a peer's, measured side by side in the same run and placement (never as timed tests: a busy
 * machine would make them flake). Each check carries the ratio's 95% confidence interval and the
 * Mann–Whitney p, says whether the goal is met or missed beyond the noise, and, when missed, by
 * how much.
 */
import { fmt, fmtPct } from "../core/format";
import type { Placement } from "./placement";
import { medianRun } from "./results";
import type { BenchRun, ProducerId } from "./run";
import { comparePair, METRICS, type MetricId } from "./significance";

export interface TargetSpec {
  target: string;
  ours: ProducerId;
  peer: ProducerId;
  metric: MetricId;
  /** ours / peer must be at least ("≥") or at most ("≤") goal. */
  bound: "≥" | "≤";
  goal: number;
  how: string;
}

export const TARGETS: readonly TargetSpec[] = Object.freeze([
  {
    target: "asynchronous per-record ≥ 1.0× Python confluent-kafka's asynchronous producer",
    ours: "ours-async",
    peer: "py-confluent-async",
    metric: "msgs_per_s",
    bound: "≥",
    goal: 1.0,
    how: "median messages/s of our asynchronous producer / Python confluent-kafka's produce + poll(0)",
  },
  {
    target: "asynchronous per-record ≥ 0.6× Java's ProducerPerformance",
    ours: "ours-async",
    peer: "perf-tool",
    metric: "msgs_per_s",
    bound: "≥",
    goal: 0.6,
    how: "median messages/s of our asynchronous producer / ProducerPerformance's steady state",
  },
  {
    target: "asynchronous, aggregate acknowledgements ≥ 0.9× Java's ProducerPerformance",
    ours: "ours-async-aggregate",
    peer: "perf-tool",
    metric: "msgs_per_s",
    bound: "≥",
    goal: 0.9,
    how: "median messages/s of our asynchronous producer with delivery.report.only.error=true (no per-record reports) / ProducerPerformance's",
  },
  {
    target: "synchronous median time per message ≤ 1.0× Python confluent-kafka's produce + flush",
    ours: "ours-sync",
    peer: "py-confluent-sync",
    metric: "ms_per_msg",
    bound: "≤",
    goal: 1.0,
    how: "median over repeats of each run's time per message (its wall time / its messages: every wait between two sends included), ours / Python's produce + flush",
  },
  {
    target: "asynchronous ≥ 2× KafkaJS",
    ours: "ours-async",
    peer: "kafkajs",
    metric: "msgs_per_s",
    bound: "≥",
    goal: 2,
    how: "median messages/s of our asynchronous producer / KafkaJS's",
  },
]);

export interface TargetCheck {
  target: string;
  placement: Placement;
  /** e.g. "≥ 1.0×". */
  goal: string;
  /** Ratio of the medians, ours / peer (NaN: not measured). */
  measured: number;
  ci_lo: number;
  ci_hi: number;
  /** The interval's exact coverage. */
  confidence: number;
  /** Mann–Whitney two-sided p of ours against the peer. */
  p: number;
  /** null: either side did not run. */
  met: boolean | null;
  /** The whole interval, at 95% or more, is on the verdict's side of the goal. */
  clear: boolean;
  /** How far a missed target is from its goal, in words ("" when met or not measured). */
  shortfall: string;
  how: string;
}

function check(spec: TargetSpec, runs: BenchRun[], placement: Placement): TargetCheck {
  const c = comparePair(runs, spec.ours, spec.peer, spec.metric, placement);
  const base = { target: spec.target, placement, goal: `${spec.bound} ${fmt(spec.goal, 1)}×` };
  if (!c || !Number.isFinite(c.comparison.ratio))
    return {
      ...base,
      measured: NaN,
      ci_lo: NaN,
      ci_hi: NaN,
      confidence: NaN,
      p: NaN,
      met: null,
      clear: false,
      shortfall: "",
      how: `${spec.ours} or ${spec.peer} not run`,
    };
  const { ratio, ci, p } = c.comparison;
  const atLeast = spec.bound === "≥";
  const met = atLeast ? ratio >= spec.goal : ratio <= spec.goal;
  // Beyond the noise only with an interval that reaches 95% (too few repeats cannot give one).
  const clear =
    ci.confidence >= 0.95 && (met ? (atLeast ? ci.lo >= spec.goal : ci.hi <= spec.goal) : atLeast ? ci.hi < spec.goal : ci.lo > spec.goal);
  const shortfall = met
    ? ""
    : atLeast
      ? `missed by ${fmtPct(1 - ratio / spec.goal, 0)}: ${spec.ours} needs ${fmt(spec.goal / ratio, 2)}× its ${METRICS[spec.metric].label}`
      : `over by ${fmtPct(ratio / spec.goal - 1, 0)}: ${spec.ours} needs ${fmtPct(1 - spec.goal / ratio, 0)} less ${METRICS[spec.metric].label}`;
  const detail =
    spec.metric === "ms_per_msg" ? syncHow(runs.filter((r) => r.producer === spec.ours && (r.placement ?? "unpinned") === placement)) : "";
  return {
    ...base,
    measured: ratio,
    ci_lo: ci.lo,
    ci_hi: ci.hi,
    confidence: ci.confidence,
    p,
    met,
    clear,
    shortfall,
    how: `${spec.how}: ${fmt(c.ours_median, 3)} / ${fmt(c.peer_median, 3)} ${METRICS[spec.metric].unit}${detail ? `; ${detail}` : ""}`,
  };
}

/** Every target in every placement that ran. */
export function checkTargets(runs: BenchRun[], placements: readonly Placement[]): TargetCheck[] {
  return placements.flatMap((pl) => TARGETS.map((t) => check(t, runs, pl)));
}

/** The synchronous producer's median send→acknowledgement latency split into librdkafka's own stages (statistics) and the rest. */
function syncHow(runs: BenchRun[]): string {
  if (!runs.length) return "";
  const s = medianRun(runs);
  const med = s.figures.latency.p50_ms;
  const rtt = Number(s.extra.rtt_p50_ms);
  const q = Number(s.extra.int_latency_p50_ms);
  const ob = Number(s.extra.outbuf_latency_p50_ms);
  if (!Number.isFinite(med) || !Number.isFinite(rtt)) return "";
  const rest = med - rtt - q - ob;
  return (
    `our median run's median send→acknowledgement latency ${fmt(med, 3)} ms: librdkafka's broker rtt p50 ${fmt(rtt, 3)} ms ` +
    `(over ${s.extra.rtt_requests} requests)` +
    (Number.isFinite(q)
      ? `, internal queue ${fmt(q, 3)} ms, output buffer ${fmt(ob, 3)} ms, ${fmt(rest, 3)} ms from the response to the report in JavaScript`
      : "")
  );
}
