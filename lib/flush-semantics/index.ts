/**
 * Notebook 03's experiments on producer.flush() (the in-class activity's "G section"):
 * `import * as lab from "../dist/lib/flush-semantics"`.
 *
 *   params.ts           the notebook's counts and pause, from the environment or .env
 *   plan.ts             the produce / pause / flush steps of a run
 *   timeline.ts         runs a plan with a concurrent consumer; per-message times (questions 1, 3, 4)
 *   exit-experiment.ts  child processes that exit with and without flush (question 2), exit-child.ts the child
 *   analysis.ts         the numbers from a run
 *   texts.ts            the answers the notebook shows, written from those numbers
 *   charts.ts           the timeline chart
 */
export { DEFAULT_FLUSH_PARAMS, loadFlushParams, type FlushParams } from "./params";
export { flushDemoSteps, planSteps, type PlanOptions, type Step } from "./plan";
export { runTimeline, type MessageTimes, type TimelineEvent, type TimelineOptions, type TimelineRun } from "./timeline";
export { runExitExperiment, type ExitRun, type ExitVariant } from "./exit-experiment";
export {
  arrivals,
  arrivalSummary,
  flushCostRows,
  runStats,
  timelineRows,
  type ArrivalSummary,
  type FlushCostRow,
  type MessageArrival,
  type RunStats,
} from "./analysis";
export { arrivalMarkdown, exitMarkdown, flushCostMarkdown, flushDemoMarkdown, q4Conclusion } from "./texts";
export { timelineFigure } from "./charts";
