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
  MAX_RECORDS,
  MESSAGE_TIMEOUT_MS,
  messageFactory,
  messagesPerSend,
  oursSettings,
  settingsMapping,
  SYNC_WARMUP_MAX,
  validateWorkload,
  type Acks,
  type Compression,
  type Workload,
  type WorkloadInput,
} from "./workload";
export { PRODUCER_IDS, PRODUCER_LABELS, unsupportedRun, type BenchRun, type ProducerId } from "./run";
export { perMillion, type RunCpu } from "./cpu-window";
export { PINNED_CPUS, PLACEMENT_LABELS, PLACEMENTS, pinnedUnavailable, withPinned, type Placement } from "./placement";
export { comparePair, METRICS, PAIRS, pairComparisons, samples, type MetricId, type PairComparison } from "./significance";
export { benchHistoryEntry, historyMarkdown, historyText, recordBenchRun } from "./history";
export { benchRunOf, FLUSH_TIMEOUT_MS, runDriver, type BenchProgress, type Driver, type RunContext, type Runner } from "./framework";
export {
  decodeLatencies,
  DRIVERS,
  kafkajsVersion,
  parsePerfToolLine,
  parsePerfToolOutput,
  PERF_TOOL_CLASS,
  perfToolArgs,
  PerfToolError,
  perfToolVersion,
  parsePythonLine,
  PYTHON_PEERS,
  pythonArgs,
  pythonBenchRun,
  PythonPeerError,
  pythonVersions,
  runOne,
  runParallel,
  RUNNERS,
  type PerfToolSummary,
  type PythonEvent,
  type PythonPeerId,
  type PythonResult,
} from "./drivers/index";
export {
  ladderCells,
  ladderMarkdown,
  ladderReading,
  ladderSteps,
  measureLadder,
  RUNGS,
  type Ladder,
  type LadderStep,
  type Rung,
  type RungId,
} from "./ladder";
export { measureSyncWaits, syncWaitCells, syncWaitRows, syncWaitsReading, type SyncWaitRow, type SyncWaits } from "./sync-waits";
export { bookkeepingMs, describeHarnessCost, measureHarnessCost, type HarnessCost } from "./harness-cost";
export { describeMonitoringCost, measureMonitoringCost, type MonitoringCost } from "./monitoring-cost";
export {
  benchRows,
  buildReport,
  fastestTypeScript,
  medianRun,
  placementsOf,
  writeBenchReport,
  type BenchReport,
  type BenchRow,
  type Sizing,
} from "./results";
export { checkTargets, TARGETS, type TargetCheck, type TargetSpec } from "./targets";
export {
  benchEnvironment,
  DEFAULT_MIN_SECONDS,
  DEFAULT_REPEATS,
  javaVersionLine,
  loadClientParams,
  ONE_AT_A_TIME,
  runComparison,
  sizedRecords,
  SIZING_MARGIN,
  type ClientParams,
  type CompareOptions,
} from "./compare";
export {
  comparisonCells,
  CPU_NOTE,
  mappingLines,
  reportTables,
  resultCells,
  sizingText,
  targetCells,
  TIMING_NOTE,
  targetValue,
  targetVerdict,
} from "./report-text";
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
export { chartCaption, clientsFigure, cpuFigure, heatmapFigure, sweepFigure, type ChartContext } from "./charts";
export {
  acksText,
  clientsText,
  forgotPollText,
  frameworkCheck,
  lingerText,
  onePartitionText,
  sideBySideMarkdown,
  sweepSentence,
  type ClientEvidence,
} from "./texts";
export { lineProgress, pointProgress, showSweep } from "./show";
export { conclusionText, reportTemplate, writeReportTemplate } from "./report-template";
