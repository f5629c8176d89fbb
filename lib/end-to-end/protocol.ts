/**
 * What the end-to-end study's two child processes (producer-child.ts, consumer-child.ts) and the
 * coordinator that forks them (run.ts) say to each other over IPC, and the per-batch rows they
 * report. Each side runs in its own process so that its CPU time and memory are its own, not the
 * notebook kernel's.
 */
import type { LatencySummary } from "../core/latency";
import type { RunFigures } from "../producers/measured-run";

/** How a child reaches the target: PLAINTEXT targets by bootstrap list; secured ones load .env themselves (no secret on the wire). */
export interface ChildTarget {
  bootstrap?: string;
  embedded: boolean;
}

/** Resource use of a process over one batch: CPU time over wall time (% of one core) and memory. */
export interface ResourceSample {
  cpu_pct: number;
  rss_mib: number;
}

export type ProducerMethod = "async" | "sync" | "promise-per-produce";

export interface ProducerJob {
  target: ChildTarget;
  topic: string;
  records: number;
  batchSize: number;
  csvPath: string;
  textColumn: string;
  method: ProducerMethod;
}

/** One producer batch: handed over, acknowledged, what it cost. */
export interface ProducerBatchRow extends ResourceSample {
  batch: number;
  messages: number;
  words: number;
  /** ms after the producer's t0 when the batch's first record was handed over. */
  start_ms: number;
  handover_ms: number;
  /** First send to the batch's last acknowledgement. */
  elapsed_ms: number;
  /** What the batch added to the run's wall time; messages / this = the batch's throughput. */
  ack_interval_ms: number;
  msgs_per_s: number;
  /** Acknowledged so far over the time so far. */
  cumulative_msgs_per_s: number;
}

export interface ProducerSide {
  method: ProducerMethod;
  figures: RunFigures;
  batches: ProducerBatchRow[];
  /** Unix ms when the producer's t0 was taken (to put both sides on one time axis). */
  t0EpochMs: number;
  partial: boolean;
  stopReason?: string;
  errors: string[];
  peakRssMiB: number;
  /** CPU seconds the producer process used while measuring, per second of wall time (% of one core). */
  cpu_pct: number;
  /** How many times the CSV was read from the top to make the records. */
  csvPasses: number;
}

export interface ConsumerJob {
  target: ChildTarget;
  topic: string;
  groupId: string;
  /** Records to read; the consumer stops once it has seen every sequence number up to this. */
  records: number;
  batchSize: number;
  /** Stop when no message came for this long after the producer finished. */
  idleMs: number;
  /** Sequence numbers below this are read and checked but not timed (a producer's warm-up); default: every record is timed. */
  latencyFrom?: number;
}

/** One consumer batch of `messages` records (the last may be shorter). */
export interface ConsumerBatchRow extends ResourceSample {
  batch: number;
  messages: number;
  words: number;
  unique_words: number;
  /** ms after the first message when the batch's last record arrived. */
  end_ms: number;
  /** From the previous batch's end (the first: the first message) to this one's. */
  batch_ms: number;
  msgs_per_s: number;
  cumulative_msgs_per_s: number;
  /** Records the consumer had not read yet when the batch completed (high watermark − position, all partitions). */
  lag: number;
}

export interface LagSample {
  /** ms after the first message (samples taken before it are dropped). */
  t_ms: number;
  lag: number;
}

export interface ConsumerSide {
  batches: ConsumerBatchRow[];
  lag: LagSample[];
  /** Messages read, counting duplicates. */
  received: number;
  /** Distinct sequence numbers read. */
  distinct: number;
  duplicates: number;
  /** Sequence numbers outside 0 .. records-1 (not from this run). */
  foreign: number;
  /** First message to last, ms. */
  wallMs: number;
  msgs_per_s: number;
  /** Produce → consume per message: consume time (this process's clock) minus the record's timestamp (ms, set by the producer's client). */
  latency: LatencySummary;
  latencyCdf: { percentile: number; latency_ms: number }[];
  /** Unix ms of the first message. */
  firstEpochMs: number;
  /** Unix ms when the consumer, in its group with its partitions, started waiting for records (the seed's `st`). */
  startEpochMs: number;
  /** Unix ms of the last message. */
  lastEpochMs: number;
  peakRssMiB: number;
  cpu_pct: number;
  stoppedBecause: "complete" | "idle" | "stopped";
}

export type ProducerMessage =
  | { type: "progress"; acknowledged: number; total: number; elapsedMs: number }
  | { type: "done"; side: ProducerSide }
  | { type: "error"; message: string; exitCode: number };

export type ConsumerMessage =
  | { type: "ready" }
  | { type: "progress"; received: number; total: number; lag: number; elapsedMs: number }
  | { type: "done"; side: ConsumerSide }
  | { type: "error"; message: string; exitCode: number };

/** Coordinator → child. */
export type ControlMessage = { type: "stop" } | { type: "producer-done" };
