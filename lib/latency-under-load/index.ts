/**
 * Notebook 07 and `npm run bench -- --sweep`: latency under load. Each producer (ours synchronous
 * and asynchronous, paced by lib/producers/paced-run.ts; Java's ProducerPerformance with
 * --throughput) at a series of offered rates past saturation, latency from the intended send time
 * and from the actual send, a consumer alongside for end-to-end latency, a search for the highest
 * rate each sustains under a p99 bound, and Java's EndToEndLatency as reference:
 * `import * as lul from "../dist/lib/latency-under-load"`.
 */
export {
  DEFAULT_SWEEP,
  ENV_KEYS,
  loadSweepParams,
  OPTION_KEYS,
  paramsRecord,
  parsePercentiles,
  parseRates,
  samplesNeeded,
  SWEEP_PRODUCERS,
  sweepWorkload,
  TAIL_SAMPLES,
  validateSweep,
  type SweepInput,
  type SweepParams,
  type SweepProducer,
} from "./params";
export {
  bracket,
  commonRate,
  divergence,
  diverged,
  firstSaturated,
  fromIntendedMeasured,
  isSaturated,
  nextProbe,
  publishLatency,
  publishP99,
  roundRate,
  saturation,
  searchSustainable,
  sustains,
  type StepFigures,
  type Sustainable,
} from "./analysis";
export { runStep, type StepContext, type StepResult } from "./steps";
export { END_TO_END_CLASS, parseEndToEndLatency, runEndToEndLatency, runPerfToolAt, type JavaEndToEnd } from "./java";
export { runSweep, stepLine, stepRows, sweepSettled, writeSweepResults, type SweepOptions, type SweepResult } from "./sweep";
export {
  analysisMarkdown,
  commandReport,
  commonRateRows,
  divergenceMarkdown,
  endToEndMarkdown,
  PRODUCER_NAMES,
  runSentence,
  sustainableRows,
} from "./texts";
export { achievedFigure, divergenceFigure, endToEndFigure, latencyCurveFigure } from "./charts";
export { sweepCommand, SWEEP_HELP } from "./command";
