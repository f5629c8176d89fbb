/**
 * The front door the notebooks import (`import * as kpp from "../dist/lib"`): notebook 01's
 * benchmark, the target and its environment, the Purchase record, and the display helpers every
 * notebook uses. Each study has its own folder and index for the rest (`../dist/lib/bench`,
 * `../dist/lib/getting-started`, `../dist/lib/flush-semantics`, `../dist/lib/end-to-end`,
 * `../dist/lib/latency-under-load`, `../dist/lib/monitoring`); internals stay internal.
 */

import { openTarget as openTargetWith } from "./broker";
import type { Env, KafkaConnection } from "./config";

// The target: .env or the embedded broker, and the facts a grader needs to reproduce a run.
export {
  brokerStatus,
  BrokerError,
  ensureBroker,
  environmentInfo,
  kafkaVersion,
  startBroker,
  stopBroker,
  type BrokerStatus,
  type EnvironmentInfo,
} from "./broker";
export {
  loadConnection,
  localConnection,
  paths,
  PROJECT_ROOT,
  projectRelative,
  readEnv,
  type ConnectionSummary,
  type Env,
  KafkaConnection,
} from "./config";
export { checkConnection, clientVersions, ConnectionError } from "./kafka";

/**
 * The target for a notebook: .env's cluster, or the embedded broker (started when needed), checked
 * with one bounded request. Its progress is plain output: stderr would read as an error in a report.
 */
export function openTarget(env?: Env): Promise<KafkaConnection> {
  return openTargetWith(env, { log: (line) => console.log(line) });
}

// Errors: the one base class and its kinds.
export { ConfigError, DeliveryError, KppError, type ErrorKind } from "./core";

// What the producers send.
export { generatePurchases, jsonSerializer, Purchase, SchemaError, serializerFor, type Serializer } from "./producers";
export { AsyncProducer, COMMON_SETTINGS, createProducer, MODE_SETTINGS, SyncProducer, type ProducerMode } from "./producers";

// Notebook 01.
export {
  batchDistributionFigure,
  batchTimesFigure,
  benchmarkSettled,
  compare,
  consoleSummary,
  cumulativeFigure,
  latencyFigure,
  lastBenchmark,
  loadParams,
  payloadSizeFrame,
  progressReporter,
  ratesFigure,
  resultsMarkdown,
  runBenchmark,
  settingsFrame,
  summaries,
  summaryFrame,
  trialsFrame,
  writeResults,
  type BenchmarkParams,
  type BenchmarkResult,
  type ProducerRun,
  type ProgressEvent,
} from "./producer-benchmark";

// Showing things in a notebook.
export { liveProgress, rowsFrame, showChart, showMarkdown, showRecord, showTable, type Figure } from "./notebook";
