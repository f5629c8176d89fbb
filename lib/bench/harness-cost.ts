/**
 * What the measuring costs. The bench's per-record bookkeeping (a performance.now() stamp at the
 * first produce() attempt, a latency computed when the report arrives) is measured two ways:
 *  1. directly: the same operations, n times, timed on their own, as a share of the run's time;
 *  2. A/B: the same produce loop with and without them, alternated, medians compared. Precise to
 *     the run-to-run noise only, which is reported next to it.
 */
import { performance } from "node:perf_hooks";
import type { KafkaConnection } from "../config";
import { runOne } from "./runners";
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

/** Times n records' bookkeeping (stamp on send, latency on report) on its own, in ms. */
export function bookkeepingMs(n: number): number {
  const sentAt = new Float64Array(n).fill(NaN);
  const latency = new Float64Array(n).fill(NaN);
  const times: number[] = [];
  for (let rep = 0; rep < 6; rep++) {
    sentAt.fill(NaN);
    const t0 = performance.now();
    // What BaseProducer.tryProduce does when send times are tracked…
    for (let seq = 0; seq < n; seq++) if (seq < sentAt.length && Number.isNaN(sentAt[seq])) sentAt[seq] = performance.now();
    // …and what the runner's delivery listener adds per report (the report's own time, ackedAt,
    // is stamped by the producer whether or not anyone measures).
    const ackedAt = performance.now();
    for (let seq = 0; seq < n; seq++) latency[seq] = ackedAt - sentAt[seq];
    // The first repetition also pays for compiling the loops: left out.
    if (rep > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Runs ours-async `pairs` times with and without bookkeeping, alternating which goes first. */
export async function measureHarnessCost(connection: KafkaConnection, workload: Workload, pairs: number, log?: (line: string) => void): Promise<HarnessCost> {
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const bookkeeping of order) {
      const r = await runOne("ours-async", { connection, workload, bookkeeping });
      (bookkeeping ? withMs : withoutMs).push(r.wallMs);
      log?.(`harness cost: pair ${i + 1}/${pairs}, bookkeeping ${bookkeeping ? "on " : "off"}: ${r.wallMs.toFixed(1)} ms`);
    }
  }
  const w = med(withMs);
  const wo = med(withoutMs);
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
