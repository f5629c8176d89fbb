/**
 * Numbers from a timeline run (./timeline.ts): latencies, when each message arrived relative to
 * the flushes, question 1's facts, question 3's table and the per-message rows. Pure: the
 * sentences built on them are in ./texts.ts.
 */
import { maxOf, median, quantile } from "../core/stats";
import type { TimelineRun } from "./timeline";

export interface RunStats {
  label: string;
  messages: number;
  acknowledged: number;
  consumed: number;
  failed: number;
  flushes: number;
  /** Messages per second from the first produce() to the last acknowledgement. */
  msgs_per_s: number;
  median_ack_ms: number;
  p95_ack_ms: number;
  median_consume_ms: number;
  max_consume_ms: number;
  span_ms: number;
}

/** Latencies: produce() to acknowledgement and produce() to consumption, in ms. */
export function runStats(run: TimelineRun): RunStats {
  const ack = run.messages.filter((m) => m.ackedAt !== null && !m.error).map((m) => (m.ackedAt as number) - m.producedAt);
  const cons = run.messages.filter((m) => m.consumedAt !== null).map((m) => (m.consumedAt as number) - m.producedAt);
  return {
    label: run.label,
    messages: run.messages.length,
    acknowledged: ack.length,
    consumed: cons.length,
    failed: run.messages.filter((m) => m.error).length,
    flushes: run.events.filter((e) => e.kind === "flush").length,
    msgs_per_s: run.spanMs > 0 ? (1000 * run.messages.length) / run.spanMs : NaN,
    median_ack_ms: median(ack),
    p95_ack_ms: quantile(ack, 0.95),
    median_consume_ms: median(cons),
    max_consume_ms: cons.length ? maxOf(cons) : NaN,
    span_ms: run.spanMs,
  };
}

export type Arrival = "before-flush" | "at-flush" | "after-flush" | "never";

export interface MessageArrival {
  n: number;
  arrival: Arrival;
  /** From produce() to the start of the next flush() (Infinity when none followed). */
  gapToFlushMs: number;
  /** Whether the message had longer than linger.ms (+ 50 ms slack) before that flush, i.e. time to be sent without it. */
  hadTime: boolean;
}

/**
 * When each message reached the consumer relative to the first flush() that started at or after
 * it was produced: before that flush started, while it ran, after it ended, or never.
 */
export function arrivals(run: TimelineRun): MessageArrival[] {
  const flushes = run.events.filter((e) => e.kind === "flush");
  const linger = Number(run.settings["linger.ms"] ?? 5);
  return run.messages.map((m) => {
    const f = flushes.find((e) => e.start >= m.producedAt);
    const gapToFlushMs = f ? f.start - m.producedAt : Infinity;
    const hadTime = gapToFlushMs > linger + 50;
    let arrival: Arrival;
    if (m.consumedAt === null) arrival = "never";
    else if (!f || m.consumedAt < f.start) arrival = "before-flush";
    else arrival = m.consumedAt <= f.end ? "at-flush" : "after-flush";
    return { n: m.n, arrival, gapToFlushMs, hadTime };
  });
}

export interface ArrivalSummary {
  /** Messages that had time to go without a flush, and how many of them arrived before it. */
  hadTime: number;
  hadTimeBeforeFlush: number;
  /** Messages produced less than linger.ms before a flush (the flush was bound to send them). */
  noTime: number;
  beforeFlush: number;
  atOrAfterFlush: number;
  never: number;
  /** The largest gap from a produce() to the flush() after it (Infinity when one had none). */
  longestGapMs: number;
  verdict: "immediately" | "only after a flush" | "mixed";
}

export function arrivalSummary(run: TimelineRun): ArrivalSummary {
  const a = arrivals(run);
  const had = a.filter((x) => x.hadTime);
  const beforeFlush = a.filter((x) => x.arrival === "before-flush").length;
  const never = a.filter((x) => x.arrival === "never").length;
  const atOrAfterFlush = a.length - beforeFlush - never;
  const hadTimeBeforeFlush = had.filter((x) => x.arrival === "before-flush").length;
  const longestGapMs = Math.max(...a.map((x) => x.gapToFlushMs));
  const verdict =
    never === 0 && had.length > 0 && hadTimeBeforeFlush === had.length
      ? "immediately"
      : never === 0 && atOrAfterFlush === a.length
        ? "only after a flush"
        : "mixed";
  return {
    hadTime: had.length,
    hadTimeBeforeFlush,
    noTime: a.length - had.length,
    beforeFlush,
    atOrAfterFlush,
    never,
    longestGapMs,
    verdict,
  };
}

export interface FlushDemoFacts {
  count: number;
  lingerMs: number;
  waitMs: number;
  ackedBeforeFlush: number;
  consumedBeforeFlush: number;
  flushMs: number;
  /** Messages the broker acknowledged (each one's delivery report said so, whenever it reached JavaScript). */
  acknowledged: number;
  /** Delivery reports that reached JavaScript before flush()'s callback, and after it. */
  reportedBeforeReturn: number;
  reportedAfterReturn: number;
  /** How long after flush()'s callback the last report reached JavaScript (NaN when none came after). */
  lastReportAfterReturnMs: number;
  consumedAtEnd: number;
  /** From flush() starting to the last message reaching the consumer. */
  flushToLastConsumedMs: number;
}

/** Question 1's numbers: what happened before the first flush(), and by when it returned. */
export function flushDemoFacts(run: TimelineRun): FlushDemoFacts {
  const f = run.events.find((e) => e.kind === "flush");
  const wait = run.events.find((e) => e.kind === "pause");
  if (!f) throw new Error("the run has no flush");
  const consumed = run.messages.map((m) => m.consumedAt).filter((t): t is number => t !== null);
  const after = run.messages.map((m) => m.ackedAt).filter((t): t is number => t !== null && t > f.end);
  return {
    count: run.messages.length,
    lingerMs: Number(run.settings["linger.ms"]),
    waitMs: wait ? wait.end - wait.start : 0,
    ackedBeforeFlush: run.messages.filter((m) => m.ackedAt !== null && m.ackedAt < f.start).length,
    consumedBeforeFlush: run.messages.filter((m) => m.consumedAt !== null && m.consumedAt < f.start).length,
    flushMs: f.end - f.start,
    acknowledged: run.messages.filter((m) => m.ackedAt !== null && !m.error).length,
    reportedBeforeReturn: run.messages.filter((m) => m.ackedAt !== null && m.ackedAt <= f.end).length,
    reportedAfterReturn: after.length,
    lastReportAfterReturnMs: after.length ? maxOf(after) - f.end : NaN,
    consumedAtEnd: consumed.length,
    flushToLastConsumedMs: consumed.length ? maxOf(consumed) - f.start : NaN,
  };
}

export interface FlushCostRow {
  strategy: string;
  messages: number;
  flushes: number;
  msgs_per_s: number;
  median_ack_ms: number;
  p95_ack_ms: number;
  median_consume_ms: number;
  median_flush_ms: number;
  span_ms: number;
}

/** Question 3's table: one row per flush strategy. */
export function flushCostRows(runs: TimelineRun[]): FlushCostRow[] {
  return runs.map((r) => {
    const s = runStats(r);
    return {
      strategy: r.label,
      messages: s.messages,
      flushes: s.flushes,
      msgs_per_s: s.msgs_per_s,
      median_ack_ms: s.median_ack_ms,
      p95_ack_ms: s.p95_ack_ms,
      median_consume_ms: s.median_consume_ms,
      median_flush_ms: median(r.events.filter((e) => e.kind === "flush").map((e) => e.end - e.start)),
      span_ms: s.span_ms,
    };
  });
}

/** One row per message: times in ms since the run's first produce(), and its arrival class. */
export function timelineRows(run: TimelineRun): Record<string, string | number | null>[] {
  const rel = (t: number | null) => (t === null ? null : t - run.t0);
  const arr = arrivals(run);
  return run.messages.map((m, i) => ({
    run: run.label,
    linger_ms: Number(run.settings["linger.ms"]),
    message: m.n,
    produced_ms: rel(m.producedAt),
    acked_ms: rel(m.ackedAt),
    consumed_ms: rel(m.consumedAt),
    produce_to_consume_ms: m.consumedAt === null ? null : m.consumedAt - m.producedAt,
    next_flush_in_ms: Number.isFinite(arr[i].gapToFlushMs) ? arr[i].gapToFlushMs : null,
    arrived: arr[i].arrival,
  }));
}
