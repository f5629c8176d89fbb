/**
 * What the measuring costs. The per-record bookkeeping of the DeliveryRecorder (a send-time stamp
 * at the first produce() attempt, the acknowledgement time and outcome when the report arrives,
 * the latencies computed at the end) is measured two ways:
 *  1. directly: the same operations, n times, timed on their own, as a share of the run's time;
 *  2. A/B: the same produce loop with and without them, alternated, medians compared. Precise to
 *     the run-to-run noise only, which is reported next to it.
 */
import type { KafkaConnection } from "../config/connection";
import { fmt, fmtPct } from "../core/format";
import { DeliveryRecorder } from "../core/recorder";
import { median } from "../core/stats";
import { now } from "../core/time";
import { repeatOrder } from "../core/stats";
import { runOne } from "./drivers/index";
import type { Workload } from "./workload";

export interface HarnessCost {
  records: number;
  pairs: number;
  /** ms the bookkeeping of `records` records takes on its own (median of 5). */
  directMs: number;
  /** directMs / the median measured wall time (with bookkeeping). */
  directFraction: number;
  /** (median wall with − median wall without) / median wall with. */
  abOverhead: number;
  /** Run-to-run spread: the larger of the two groups' (max − min) / median. */
  abNoise: number;
  wallWithMs: number[];
  wallWithoutMs: number[];
}

/** Times n records' bookkeeping (what the recorder does per record when perRecord is on), in ms. */
export function bookkeepingMs(n: number): number {
  const times: number[] = [];
  for (let rep = 0; rep < 6; rep++) {
    // Allocated before timing, as a run allocates its recorders before it starts the clock.
    const with_ = new DeliveryRecorder({ capacity: n });
    const without = new DeliveryRecorder({ capacity: n, perRecord: false });
    const t0 = now();
    for (let seq = 0; seq < n; seq++) with_.markSent(seq, now());
    for (let seq = 0; seq < n; seq++) with_.record(seq, true, now());
    with_.latencies();
    const t1 = now();
    // …minus what a counts-only run does anyway: one clock read and a count per report.
    for (let seq = 0; seq < n; seq++) without.record(seq, true, now());
    const t2 = now();
    // The first repetition also pays for compiling the loops: left out.
    if (rep > 0) times.push(t1 - t0 - (t2 - t1));
  }
  return median(times);
}

/** Runs ours-async `pairs` times with and without bookkeeping, alternating which goes first. */
export async function measureHarnessCost(
  connection: KafkaConnection,
  workload: Workload,
  pairs: number,
  log?: (line: string) => void,
): Promise<HarnessCost> {
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    for (const bookkeeping of repeatOrder([true, false], i + 1)) {
      const r = await runOne("ours-async", { connection, workload, perRecord: bookkeeping });
      const wallMs = r.figures.wall_s * 1000;
      (bookkeeping ? withMs : withoutMs).push(wallMs);
      log?.(`harness cost: pair ${i + 1}/${pairs}, bookkeeping ${bookkeeping ? "on " : "off"}: ${wallMs.toFixed(1)} ms`);
    }
  }
  const w = median(withMs);
  const wo = median(withoutMs);
  const directMs = bookkeepingMs(workload.records);
  return {
    records: workload.records,
    pairs,
    directMs,
    directFraction: directMs / w,
    abOverhead: (w - wo) / w,
    abNoise: Math.max((Math.max(...withoutMs) - Math.min(...withoutMs)) / wo, (Math.max(...withMs) - Math.min(...withMs)) / w),
    wallWithMs: withMs,
    wallWithoutMs: withoutMs,
  };
}

/** The cost in one line, for information (it is no longer a target): the direct figure, and the A/B one with its noise. */
export function describeHarnessCost(h: HarnessCost): string {
  const ab = h.abOverhead;
  return (
    `Harness cost (information): the per-record bookkeeping timed on its own is ${fmtPct(h.directFraction)} of the measured time ` +
    `(${fmt(h.directMs, 1)} ms for ${fmt(h.records)} records); A/B (the same run with and without it, ${h.pairs} pairs, medians): ${fmtPct(ab)}` +
    (Number.isFinite(ab) && (ab < 0 || Math.abs(ab) < h.abNoise)
      ? ` — ${ab < 0 ? "the runs with bookkeeping were faster, so" : `within the run-to-run spread of ${fmtPct(h.abNoise)}:`} the A/B ` +
        "difference is machine noise, too coarse to see a cost this small; the direct figure is the measurement."
      : ".")
  );
}
