/**
 * What one producer's run of a workload produced, the same shape for every producer (ours, the
 * two promisified APIs, KafkaJS and Java's ProducerPerformance), so one table holds them all.
 */
import type { LatencyStats } from "./latency";
import type { Workload } from "./workload";

export const PRODUCER_IDS = ["perf-tool", "ours-async", "ours-sync", "confluent-kafkajs", "kafkajs"] as const;
export type ProducerId = (typeof PRODUCER_IDS)[number];

export const PRODUCER_LABELS: Record<ProducerId, string> = {
  "perf-tool": "ProducerPerformance (Java, reference)",
  "ours-async": "our asynchronous producer",
  "ours-sync": "our synchronous producer",
  "confluent-kafkajs": "@confluentinc KafkaJS-compatible API",
  kafkajs: "KafkaJS (pure JavaScript)",
};

export interface BenchRun {
  producer: ProducerId;
  label: string;
  /** Client library and version. */
  client: string;
  topic: string;
  /** Records measured (warm-up excluded). */
  records: number;
  recordSize: number;
  delivered: number;
  errors: number;
  /** The first few error texts (never secrets: these are broker/client messages). */
  errorSamples: string[];
  /** First measured send to last acknowledgement, ms (monotonic clock). */
  wallMs: number;
  msgsPerSec: number;
  /** MiB/s of record values (2^20 bytes, as Java's tool counts "MB"). */
  mbPerSec: number;
  latency: LatencyStats;
  /** What the timing and the latencies include, in words. */
  timing: string;
  /** The settings the client was given (connection secrets never included). */
  settings: Record<string, string | number | boolean>;
  /** Producer-specific measurements (e.g. librdkafka's rtt for the synchronous producer). */
  extra: Record<string, number | string>;
  /** Set when this client cannot run the workload (e.g. a codec it lacks): the reason. */
  unsupported?: string;
}

/** msgs/s and MiB/s from delivered records and a wall time. */
export function rates(delivered: number, recordSize: number, wallMs: number): { msgsPerSec: number; mbPerSec: number } {
  if (!(wallMs > 0)) return { msgsPerSec: NaN, mbPerSec: NaN };
  const msgsPerSec = delivered / (wallMs / 1000);
  return { msgsPerSec, mbPerSec: (msgsPerSec * recordSize) / 2 ** 20 };
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
    delivered: 0,
    errors: 0,
    errorSamples: [],
    wallMs: NaN,
    msgsPerSec: NaN,
    mbPerSec: NaN,
    latency: { count: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, p999: NaN, max: NaN },
    timing: "not run",
    settings: {},
    extra: {},
    unsupported: reason,
  };
}
