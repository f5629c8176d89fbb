/** Notebook 01 (Problem 1): the synchronous and asynchronous producers, batch by batch, over several trials. */
export { DEFAULT_PARAMS, loadParams, SERIALIZER_NAMES, type BenchmarkParams, type SerializerName } from "./params";
export {
  benchmarkSettled,
  lastBenchmark,
  producerRunOf,
  runBenchmark,
  type BenchmarkResult,
  type ProducerRun,
  type ProgressEvent,
  type RunOptions,
} from "./harness";
export { batchesFrame, batchRows, type BatchTiming } from "./batches";
export {
  compare,
  cumulativeAcks,
  measuredBatches,
  producerSummary,
  requestRate,
  requestRateView,
  responseBinMs,
  responseRate,
  summaries,
  summarizeRun,
  summaryFrame,
  trialsFrame,
  type Comparison,
  type ProducerSummary,
  type RunSummary,
} from "./metrics";
export { payloadSizeFrame, reportSummary, settingsFrame, writeResults, type ReportSummary, type WrittenResults } from "./files";
export { consoleSummary, progressLine, progressReporter, resultsMarkdown } from "./texts";
export { batchDistributionFigure, batchTimesFigure, cumulativeFigure, latencyFigure, ratesFigure, runCaption } from "./charts";
