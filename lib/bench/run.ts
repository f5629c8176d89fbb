/**
 * What one producer's run of a workload produced, the same shape for every producer (ours, the
 * two promisified APIs, KafkaJS and Java's ProducerPerformance), so one table holds them all.
 * Its figures are RunFigures: the names and units notebook 01 reports too (MB = 10^6 bytes).
 */
import { NO_LATENCY } from "../core/latency";
import type { Settings } from "../kafka/client";
import type { RunFigures } from "../producers/measured-run";
import type { RunCpu } from "./cpu-window";
import type { Placement } from "./placement";
import type { Workload } from "./workload";

export const PRODUCER_IDS = [
  "perf-tool",
  "ours-async",
  "ours-sync",
  "confluent-kafkajs",
  "kafkajs",
  "py-confluent-async",
  "py-confluent-sync",
  "py-kafka-python",
  // Last, apart from the per-record producers it must not be ranked with.
  "ours-async-aggregate",
] as const;
export type ProducerId = (typeof PRODUCER_IDS)[number];

export const PRODUCER_LABELS: Readonly<Record<ProducerId, string>> = Object.freeze({
  "perf-tool": "ProducerPerformance (Java, reference)",
  "ours-async": "our asynchronous producer",
  "ours-async-aggregate": "our asynchronous producer, aggregate acknowledgements (no per-record reports)",
  "ours-sync": "our synchronous producer",
  "confluent-kafkajs": "@confluentinc KafkaJS-compatible API",
  kafkajs: "KafkaJS (pure JavaScript)",
  "py-confluent-async": "Python confluent-kafka, asynchronous (produce + poll(0))",
  "py-confluent-sync": "Python confluent-kafka, synchronous (produce + flush)",
  "py-kafka-python": "Python kafka-python, asynchronous (send)",
});

export interface BenchRun {
  producer: ProducerId;
  label: string;
  /** Client library and version. */
  client: string;
  topic: string;
  /** Records measured (warm-up excluded). */
  records: number;
  recordSize: number;
  /** delivered, failed, wall_s, msgs_per_s, mb_per_s and latency (first measured send to last acknowledgement, monotonic clock). */
  figures: RunFigures;
  /** The first few error texts (never secrets: these are broker/client messages). */
  errorSamples: string[];
  /** What the timing and the latencies include, in words. */
  timing: string;
  /** The settings the client was given (connection secrets never included). */
  settings: Settings;
  /** Producer-specific measurements (e.g. librdkafka's rtt for the synchronous producer). */
  extra: Record<string, number | string>;
  /** Set when this client cannot run the workload (e.g. a codec it lacks): the reason. */
  unsupported?: string;
  /** CPU over the measured part: the client process and the broker (lib/bench/cpu-window.ts). */
  cpu?: RunCpu;
  /** Where it ran: unpinned, or broker and client each pinned to a core of their own (default unpinned). */
  placement?: Placement;
}

/** Figures of a run that measured nothing. */
export function noFigures(): RunFigures {
  return { sent: 0, delivered: 0, failed: 0, wall_s: NaN, msgs_per_s: NaN, mb_per_s: NaN, latency: { ...NO_LATENCY } };
}

/** A run that could not happen, recorded as such rather than dropped. */
export function unsupportedRun(producer: ProducerId, client: string, w: Workload, topic: string, reason: string): BenchRun {
  return {
    producer,
    label: PRODUCER_LABELS[producer],
    client,
    topic,
    records: w.records,
    recordSize: w.recordSize,
    figures: noFigures(),
    errorSamples: [],
    timing: "not run",
    settings: {},
    extra: {},
    unsupported: reason,
  };
}
