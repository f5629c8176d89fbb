/** The pure core: errors, time, formatting, statistics, units, validation, latency and the recorders. */
export { abortOnFirstSigint, runCommand, RunTracker, withInterrupt } from "./command";
export { awaitMessage, runChild, type ChildOptions, type ChildResult } from "./child";
export {
  ConfigError,
  DeliveryError,
  EXIT_CODES,
  InterruptedError,
  KppError,
  UsageError,
  errorText,
  exitCodeOf,
  type ErrorKind,
} from "./errors";
export { Notifier, now, settleWithin, sleep, withTimeout } from "./time";
export { capitalize, escapeHtml, fmt, fmtMs, fmtPct, mdCell, mdTable, plural, round, textTable } from "./format";
export {
  binomialHalfCdf,
  compareSamples,
  mannWhitney,
  mannWhitneyDistribution,
  maxOf,
  mean,
  median,
  medianCI,
  minOf,
  normalCdf,
  quantile,
  ratioCI,
  spread,
  type Interval,
  type MannWhitney,
  type SampleComparison,
  type Spread,
} from "./stats";
export { affinityOf, pinningUnavailable, setAffinity } from "./affinity";
export { ownCpuSnapshot, ownCpuWindow, processCpuSeconds, threadCpu, type OwnCpuSnapshot, type OwnCpuWindow, type ThreadCpu } from "./cpu";
export {
  appendHistory,
  compareWithHistory,
  HISTORY_FILE,
  historyFile,
  hostInfo,
  loadAverage,
  readHistory,
  verdictText,
  type HistoryComparison,
  type HistoryEntry,
  type HistoryRow,
  type HistorySeries,
  type HostInfo,
} from "./history";
export { BYTES_PER_MB, throughput, type Throughput } from "./units";
export { describeRange, flag, given, oneOf, wholeNumber, type Range, type RawValue } from "./validate";
export { CDF_PERCENTILES, LatencyRecorder, NO_LATENCY, latencyCdf, latencySummary, type LatencySummary } from "./latency";
export { DeliveryRecorder, OUTCOME, type DeliveryRecorderOptions } from "./recorder";
export {
  onEmission,
  StatisticsRecorder,
  type BrokerStats,
  type DeliveryTotals,
  type EmissionListener,
  type LibrdkafkaStats,
  type StatsSample,
  type StatsWindow,
} from "./statistics";
export {
  cmdline,
  describeHolders,
  isAlive,
  portAccepting,
  tcpConnect,
  portHolders,
  procState,
  signal,
  spawnDetached,
  terminate,
  waitForExit,
  withLockFile,
  type PortHolder,
} from "./processes";
