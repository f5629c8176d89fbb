/** What a timeline run does, step by step: produce, pause or flush. Pure; runTimeline follows it. */

export type Step = { kind: "produce" } | { kind: "pause"; ms: number } | { kind: "flush" };

/** One experiment's messages: send count, pausing pauseMs after every pauseEvery-th and flushing after every flushEvery-th. */
export interface PlanOptions {
  count: number;
  pauseEvery?: number;
  pauseMs?: number;
  flushEvery?: number;
  /** Flush once after the last message even if count is not a multiple of flushEvery (default true). */
  finalFlush?: boolean;
}

/**
 * The steps for a plan. After message i (1-based): flush when i is a multiple of flushEvery,
 * then pause when i is a multiple of pauseEvery and more messages follow. The G-section
 * question 4 is planSteps({ count: 15, pauseEvery: 5, pauseMs: 2000, flushEvery: 15 }).
 */
export function planSteps(p: PlanOptions): Step[] {
  const steps: Step[] = [];
  let flushedLast = false;
  for (let i = 1; i <= p.count; i++) {
    steps.push({ kind: "produce" });
    flushedLast = false;
    if (p.flushEvery && i % p.flushEvery === 0) {
      steps.push({ kind: "flush" });
      flushedLast = true;
    }
    if (p.pauseEvery && p.pauseMs && i % p.pauseEvery === 0 && i < p.count) steps.push({ kind: "pause", ms: p.pauseMs });
  }
  if ((p.finalFlush ?? true) && !flushedLast) steps.push({ kind: "flush" });
  return steps;
}

/** Question 1's steps: produce `count`, wait `waitMs` (longer than nothing, shorter than linger), flush, wait for the consumer. */
export function flushDemoSteps(count: number, waitMs: number, afterMs = 300): Step[] {
  return [
    ...Array.from({ length: count }, (): Step => ({ kind: "produce" })),
    { kind: "pause", ms: waitMs },
    { kind: "flush" },
    { kind: "pause", ms: afterMs },
  ];
}
