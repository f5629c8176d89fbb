/**
 * The producer comparison and tuning study (`npm run bench`, notebooks 04 and 05):
 * `import * as bench from "../dist/lib/bench"`.
 */
export {
  ACKS,
  COMPRESSIONS,
  DEFAULT_WORKLOAD,
  describeWorkload,
  javaProperties,
  librdkafkaSettings,
  makePayloads,
  messageFactory,
  messagesPerSend,
  oursSettings,
  settingsMapping,
  validateWorkload,
  type Acks,
  type Compression,
  type Workload,
  type WorkloadInput,
} from "./workload";
export { PRODUCER_IDS, PRODUCER_LABELS, unsupportedRun, type BenchRun, type ProducerId } from "./run";
export { benchRunOf, FLUSH_TIMEOUT_MS, runDriver, type BenchProgress, type Driver, type RunContext, type Runner } from "./framework";
export {
  DRIVERS,
  kafkajsVersion,
  parsePerfToolLine,
  parsePerfToolOutput,
  PERF_TOOL_CLASS,
  perfToolArgs,
  PerfToolError,
  perfToolVersion,
  runOne,
  runParallel,
  RUNNERS,
  type PerfToolSummary,
} from "./drivers/index";
export { bookkeepingMs, measureHarnessCost, type HarnessCost } from "./harness-cost";
export { describeMonitoringCost, measureMonitoringCost, type MonitoringCost } from "./monitoring-cost";
export { benchRows, buildReport, medianRun, writeBenchReport, type BenchReport, type BenchRow } from "./results";
export { checkTargets, type TargetCheck } from "./targets";
export { benchEnvironment, javaVersionLine, loadClientParams, runComparison, type ClientParams, type CompareOptions } from "./compare";
export {
  bestOf,
  bestSettingsFrame,
  compareSpread,
  grid,
  KNOB_LABELS,
  KNOBS,
  loadTuningParams,
  pointsFrame,
  summarizePoint,
  sweep,
  SWEEP_VALUES,
  withKnob,
  type BestSetting,
  type Knob,
  type KnobValue,
  type PointResult,
  type TuningOptions,
  type TuningParams,
} from "./tuning";
export { forgotPollDemo, lingerPitfall, stopThreeNodeCluster, threeNodeCluster, type ForgotPollResult } from "./pitfalls";
export {
  API_LABELS,
  API_RUNNER,
  backpressureDemo,
  CLIENT_APIS,
  codecFrame,
  codecMatrix,
  idempotenceCheck,
  sendOneWithEach,
  type BackpressureResult,
  type ClientApi,
  type CodecCell,
  type IdempotenceCell,
  type SendOneResult,
} from "./clients";
export { chartCaption, clientsFigure, heatmapFigure, sweepFigure, type ChartContext } from "./charts";
export {
  acksText,
  clientsText,
  formatTable,
  formatTargets,
  forgotPollText,
  frameworkCheck,
  lingerText,
  onePartitionText,
  sideBySideMarkdown,
  sweepSentence,
  targetValue,
  type ClientEvidence,
} from "./texts";
export { lineProgress, pointProgress, showBenchRows, showSweep } from "./show";
export { conclusionText, reportTemplate, writeReportTemplate } from "./report-template";
