/**
 * Every producer `npm run bench` can run, one driver file per client: our producers (the
 * asynchronous one also in its aggregate-acknowledgement mode), the
 * KafkaJS-compatible API, KafkaJS, Java's ProducerPerformance, the Python peers, and several
 * processes at once.
 */
import { runDriver, runOnFreshTopic, type Driver, type RunContext, type Runner } from "../framework";
import type { BenchRun, ProducerId } from "../run";
import { confluentKafkaJS } from "./confluent-kafkajs";
import { kafkaJS } from "./kafkajs";
import { oursAsyncAggregate } from "./ours-aggregate";
import { oursAsync } from "./ours-async";
import { oursSync } from "./ours-sync";
import { perfToolRunner } from "./perf-tool";
import { pythonRunner } from "./python";

/** The in-process clients, each a driver of the shared measuring sequence. */
export const DRIVERS: Readonly<Record<Exclude<ProducerId, "perf-tool" | `py-${string}`>, Driver>> = Object.freeze({
  "ours-async": oursAsync,
  "ours-async-aggregate": oursAsyncAggregate,
  "ours-sync": oursSync,
  "confluent-kafkajs": confluentKafkaJS,
  kafkajs: kafkaJS,
});

/** Every producer: the drivers, and Java's tool, which runs as its own process. */
export const RUNNERS: Readonly<Record<ProducerId, Runner>> = Object.freeze({
  "perf-tool": perfToolRunner,
  "ours-async": (ctx: RunContext) => runDriver(DRIVERS["ours-async"], ctx),
  "ours-async-aggregate": (ctx: RunContext) => runDriver(DRIVERS["ours-async-aggregate"], ctx),
  "ours-sync": (ctx: RunContext) => runDriver(DRIVERS["ours-sync"], ctx),
  "confluent-kafkajs": (ctx: RunContext) => runDriver(DRIVERS["confluent-kafkajs"], ctx),
  kafkajs: (ctx: RunContext) => runDriver(DRIVERS.kafkajs, ctx),
  "py-confluent-async": pythonRunner("py-confluent-async"),
  "py-confluent-sync": pythonRunner("py-confluent-sync"),
  "py-kafka-python": pythonRunner("py-kafka-python"),
});

/** A fresh topic, one producer's run, and the topic deleted afterwards unless keepTopic. */
export function runOne(producer: ProducerId, ctx: Omit<RunContext, "topic"> & { topic?: string; keepTopic?: boolean }): Promise<BenchRun> {
  return runOnFreshTopic(producer, RUNNERS[producer], ctx);
}

export { CONFLUENT_KAFKAJS_WINDOW } from "./confluent-kafkajs";
export { kafkajsVersion } from "./kafkajs";
export {
  execPerfTool,
  parsePerfToolLine,
  parsePerfToolOutput,
  PERF_TOOL_CLASS,
  perfToolArgs,
  PerfToolError,
  perfToolVersion,
  runPerfTool,
  type PerfToolOutcome,
  type PerfToolSummary,
} from "./perf-tool";
export { runParallel, type WorkerJob, type WorkerMessage } from "./parallel";
export {
  decodeLatencies,
  parsePythonLine,
  PYTHON_PEERS,
  pythonArgs,
  pythonBenchRun,
  PythonPeerError,
  pythonVersions,
  type PythonEvent,
  type PythonPeerId,
  type PythonResult,
} from "./python";
export { saslOf } from "./promisified";
