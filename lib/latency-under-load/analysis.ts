/**
 * What the sweep's steps say, computed and nothing else (pure functions, unit-tested): whether a
 * step saturated its sender, whether it sustained the rate under the latency bound, the search
 * for the highest such rate, where latency from the intended time parts from latency from the
 * send, and the rate every producer kept up with.
 *
 * - Saturated: the sender could not keep up with the offered rate: it delivered less than
 *   98 % of the rate (delivered records over the step's first intended send to its last
 *   acknowledgement) or left records unsent at the step's end (it was more than 2 % of the step
 *   behind its schedule). The tolerance is the pacer's grace (lib/producers/paced-run.ts).
 * - Sustained: not saturated, and p99 publish latency (from the intended time where measured,
 *   else from the send) within the bound.
 * - Diverged: the median record waited to be sent (p50 from the intended time − p50 from the
 *   send) at least DIVERGENCE_MIN_MS and at least DIVERGENCE_SHARE of its latency from the send:
 *   the sender is behind for most records, not just stalled now and then (a stall moves p99
 *   only; the pacer's timer jitter is about a millisecond).
 */
import { fmt } from "../core/format";
import type { LatencySummary } from "../core/latency";
import { SEND_GRACE } from "../producers/paced-run";
import type { SweepProducer } from "./params";

/** What the analysis needs of a step (a StepResult has all of it). */
export interface StepFigures {
  producer: SweepProducer;
  offered_per_s: number;
  achieved_per_s: number;
  missed: number;
  behind_at_end_ms: number;
  /** NaN-filled where not measured (Java's tool times from its own send() only). */
  from_intended: LatencySummary;
  from_send: LatencySummary;
  failed: number;
  /** "grid" for the sweep's rates, "search" for the search's probes. */
  probe: "grid" | "search";
}

export const SATURATION_TOLERANCE = SEND_GRACE;
export const DIVERGENCE_SHARE = 0.5;
export const DIVERGENCE_MIN_MS = 10;

/** Why the step saturated its sender, in words; "" when it kept up. */
export function saturation(s: Pick<StepFigures, "offered_per_s" | "achieved_per_s" | "missed" | "behind_at_end_ms">): string {
  const reasons: string[] = [];
  const share = s.achieved_per_s / s.offered_per_s;
  if (!(share >= 1 - SATURATION_TOLERANCE))
    reasons.push(`achieved ${Number.isFinite(share) ? (100 * share).toFixed(1) : "0"} % of the offered rate`);
  if (s.missed > 0) reasons.push(`${fmt(s.missed)} records never sent (${(s.behind_at_end_ms / 1000).toFixed(2)} s behind at the end)`);
  return reasons.join("; ");
}

export function isSaturated(s: Pick<StepFigures, "offered_per_s" | "achieved_per_s" | "missed" | "behind_at_end_ms">): boolean {
  return saturation(s) !== "";
}

/** Whether the step measured latency from the intended time (our producers do; Java's tool times from its own send() only). */
export function fromIntendedMeasured(s: Pick<StepFigures, "from_intended">): boolean {
  return Number.isFinite(s.from_intended.p50_ms);
}

/** Publish latency: from the intended time where the step measured it, else from the send. */
export function publishLatency(s: Pick<StepFigures, "from_intended" | "from_send">): LatencySummary {
  return fromIntendedMeasured(s) ? s.from_intended : s.from_send;
}

/** p99 publish latency (see publishLatency). */
export function publishP99(s: Pick<StepFigures, "from_intended" | "from_send">): number {
  return publishLatency(s).p99_ms;
}

export function sustains(s: StepFigures, boundMs: number): boolean {
  return s.failed === 0 && !isSaturated(s) && publishP99(s) <= boundMs;
}

/**
 * The highest rate that sustained (lo) and the lowest rate above it that did not (hi). A rate that
 * failed below lo is a disturbance of the run (a stall, other work on the machine), not the limit:
 * it is returned in `below` for the note, and does not cap the answer.
 */
export function bracket(points: readonly { rate: number; ok: boolean }[]): { lo?: number; hi?: number; below: number[] } {
  const passing = points.filter((p) => p.ok).map((p) => p.rate);
  const lo = passing.length ? Math.max(...passing) : undefined;
  const failing = points.filter((p) => !p.ok).map((p) => p.rate);
  const above = failing.filter((r) => lo === undefined || r > lo);
  const below = [...new Set(failing.filter((r) => lo !== undefined && r < lo))].sort((a, b) => a - b);
  return { lo, hi: above.length ? Math.min(...above) : undefined, below };
}

/** A rate rounded to two significant digits (12,345 → 12,000), so probes read like the grid. */
export function roundRate(x: number): number {
  if (!(x > 0)) return 0;
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.max(1, Math.round(x / unit) * unit);
}

/**
 * The next rate to try between lo (sustained) and hi (did not): their geometric middle, rounded;
 * undefined once hi is within `precision` of lo or no rounded rate lies strictly between them.
 */
export function nextProbe(lo: number, hi: number, precision = 0.1): number | undefined {
  if (!(lo > 0) || !(hi > lo) || hi / lo <= 1 + precision) return undefined;
  let p = roundRate(Math.sqrt(lo * hi));
  if (p <= lo || p >= hi) p = Math.round(Math.sqrt(lo * hi));
  return p > lo && p < hi ? p : undefined;
}

export interface Sustainable {
  producer: SweepProducer;
  bound_ms: number;
  /** The highest rate that sustained (NaN: none did). */
  rate: number;
  /** The lowest rate above it that did not (NaN: every rate tried did). */
  fails_at: number;
  /** The search's probes, in the order tried. */
  probes: number[];
  /** How to read `rate` when the grid did not bracket it. */
  note: string;
}

/**
 * Narrows the sustainable rate between the grid's bracket with up to maxProbes extra steps; probe(rate)
 * runs one step and says whether it sustained. Points are the grid's (rate, sustained) pairs.
 */
export async function searchSustainable(
  producer: SweepProducer,
  boundMs: number,
  points: readonly { rate: number; ok: boolean }[],
  probe: (rate: number) => Promise<boolean>,
  maxProbes: number,
  precision = 0.1,
): Promise<Sustainable> {
  const tried = [...points];
  const probes: number[] = [];
  for (;;) {
    const { lo, hi, below } = bracket(tried);
    const next = lo !== undefined && hi !== undefined && probes.length < maxProbes ? nextProbe(lo, hi, precision) : undefined;
    if (next === undefined) {
      const n = (x: number) => `${fmt(x)} msgs/s`;
      const notes = [
        lo === undefined
          ? `none of the rates tried sustained p99 ≤ ${boundMs} ms: the sustainable rate is below ${n(Math.min(...tried.map((p) => p.rate)))}`
          : hi === undefined
            ? `no rate above it failed: the sustainable rate is at least ${n(lo)}`
            : "",
        below.length
          ? `${below.map((r) => fmt(r)).join(", ")} msgs/s failed below rates that sustained it: a disturbance of the run, not the limit`
          : "",
      ];
      return { producer, bound_ms: boundMs, rate: lo ?? NaN, fails_at: hi ?? NaN, probes, note: notes.filter(Boolean).join("; ") };
    }
    probes.push(next);
    tried.push({ rate: next, ok: await probe(next) });
  }
}

/** Whether latency from the intended time has parted from latency from the send (false where not measured). */
export function diverged(s: Pick<StepFigures, "from_intended" | "from_send">): boolean {
  const gap = s.from_intended.p50_ms - s.from_send.p50_ms;
  return gap >= DIVERGENCE_MIN_MS && gap >= DIVERGENCE_SHARE * s.from_send.p50_ms;
}

/** The first offered rate (ascending) at which the producer's two latencies parted. */
export function divergence<S extends StepFigures>(steps: readonly S[], producer: SweepProducer): S | undefined {
  return byRate(steps, producer).find((s) => diverged(s));
}

/** The first offered rate (ascending) at which the producer saturated. */
export function firstSaturated<S extends StepFigures>(steps: readonly S[], producer: SweepProducer): S | undefined {
  return byRate(steps, producer).find((s) => isSaturated(s));
}

/** A producer's steps in ascending offered rate (grid and search alike). */
export function byRate<S extends StepFigures>(steps: readonly S[], producer: SweepProducer): S[] {
  return steps.filter((s) => s.producer === producer).sort((a, b) => a.offered_per_s - b.offered_per_s);
}

/** The highest grid rate at which every producer ran and kept up (NaN when there is none). */
export function commonRate(steps: readonly StepFigures[], producers: readonly SweepProducer[]): number {
  const grid = steps.filter((s) => s.probe === "grid");
  const rates = [...new Set(grid.map((s) => s.offered_per_s))].sort((a, b) => b - a);
  for (const r of rates) {
    const at = producers.map((p) => grid.find((s) => s.producer === p && s.offered_per_s === r));
    if (at.every((s) => s !== undefined && !isSaturated(s) && s.failed === 0)) return r;
  }
  return NaN;
}

/** One producer's grid step at a rate. */
export function stepAt<S extends StepFigures>(steps: readonly S[], producer: SweepProducer, rate: number): S | undefined {
  return steps.find((s) => s.producer === producer && s.probe === "grid" && s.offered_per_s === rate);
}
