/**
 * The two producers under test, on @confluentinc/kafka-javascript's callback API (librdkafka
 * underneath), on the shared plumbing of ./base.ts:
 *
 * - SyncProducer: each message waits for its broker acknowledgement before the next is sent.
 * - AsyncProducer: messages go into librdkafka's queue without waiting, at most a window ahead of
 *   the delivery reports JavaScript has seen; flush() ends the run.
 *
 * (./aggregate.ts has the asynchronous producer's aggregate-acknowledgement mode, which does not
 * see each acknowledgement: a different measurement, never ranked with these two.)
 */
import { availableParallelism } from "node:os";
import type { KafkaConnection } from "../config/connection";
import type { Settings } from "../kafka/client";
import { BaseProducer, type OutgoingMessage, type ProducerOptions } from "./base";
import { producerSettings, type ProducerMode } from "./settings";

/**
 * The ways the synchronous producer can wait for one acknowledgement (each waits for the broker's
 * acknowledgement of a message before sending the next):
 * - "poll loop": poll() from JavaScript until the report is in;
 * - "background poller": librdkafka's background thread serves the report, JavaScript awaits it;
 * - "flush per message": produce() then flush(), as the assignment's Python producer does.
 */
export const SYNC_WAITS = ["poll loop", "background poller", "flush per message"] as const;
export type SyncWait = (typeof SYNC_WAITS)[number];

/**
 * The fastest way to wait on this machine, as measured (`npm run bench`'s "synchronous waits"
 * table): a poll loop when the process may run on more than one core, since it then reacts at
 * once while librdkafka's threads run beside it (on 2 cores, about 2.5× the background poller's
 * rate); the background poller when the process is confined to one core (pinned), where a
 * spinning JavaScript thread would take the core from the very librdkafka thread it waits for
 * (there, the poll loop was about 0.75× the background poller's rate).
 */
export function defaultSyncWait(cores = availableParallelism()): SyncWait {
  return cores > 1 ? "poll loop" : "background poller";
}

/** Waits for each message's acknowledgement before sending the next. */
export class SyncProducer extends BaseProducer {
  readonly mode = "sync" as const;
  readonly wait: SyncWait;

  constructor(connection: KafkaConnection, topic: string, extra: Settings = {}, opts: ProducerOptions & { wait?: SyncWait } = {}) {
    const wait = opts.wait ?? defaultSyncWait();
    super(connection, topic, producerSettings("sync", extra), {
      ...opts,
      polling: wait === "background poller" ? "background" : "javascript",
    });
    this.wait = wait;
  }

  /** Resolves when every message sent has been acknowledged (or failed). */
  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i++) {
      if (shouldStop?.()) return i;
      while (!this.tryProduce(messages[i], firstSeq + i)) await this.acknowledged();
      await this.acknowledged();
    }
    return messages.length;
  }

  /** Until every record sent is reported, the configured way. */
  private async acknowledged(): Promise<void> {
    if (this.wait === "poll loop") return this.pollUntil(() => this.outstanding === 0);
    if (this.wait === "flush per message") return this.flush(this.timeoutMs);
    while (this.outstanding > 0) await this.nextReport(1_000);
  }

  /** librdkafka gives up on a message after message.timeout.ms; a flush waits a little longer. */
  private get timeoutMs(): number {
    return Number(this.settings["message.timeout.ms"] ?? 60_000) + 5_000;
  }

  extra(): Record<string, number | string> {
    return { ...super.extra(), wait: this.wait };
  }
}

/**
 * How far the asynchronous producer may run ahead of the delivery reports JavaScript has seen.
 * Without a bound, produce() outruns the binding's report delivery (at most 100 reports per
 * event-loop turn) and every latency then includes a backlog of the producer's own making;
 * measured on the embedded broker, 5,000-20,000 gave the best throughput, with median latencies
 * of 10-40 ms instead of 250. Not smaller, though 2,500 measured up to 10% faster at 100 B and
 * linger.ms=5: a window must hold a whole batch (batch.num.messages, 10,000; the tuning matrix's
 * 1 MB batches with linger.ms=100), or every batch waits out linger.ms (a window of 1,000 gave 130k msgs/s).
 */
export const ASYNC_WINDOW = 10_000;

/** Polls once per this many messages sent (a power of two, less one), so reports flow while send() runs. */
const POLL_EVERY_MASK = 255;

/** Queues messages without waiting; beyond its window it waits for reports, as for a full queue. */
export class AsyncProducer extends BaseProducer {
  readonly mode = "async" as const;
  /** How many times send() waited: the window was full, or librdkafka's queue (backpressure events). */
  queueFullWaits = 0;
  /** At most this many messages unacknowledged as JavaScript sees them. */
  readonly window: number;

  constructor(connection: KafkaConnection, topic: string, extra: Settings = {}, opts: ProducerOptions & { window?: number } = {}) {
    super(connection, topic, producerSettings("async", extra), opts);
    const queueLimit = Number(this.settings["queue.buffering.max.messages"] ?? 100_000);
    this.window = Math.max(1, Math.min(opts.window ?? ASYNC_WINDOW, queueLimit));
  }

  /** Resolves once every message is in librdkafka's queue; deliveries arrive later. */
  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    // Waiting, down to half the window: one wait per half window, not one per report.
    const lowWater = () => this.outstanding <= this.window >> 1;
    for (let i = 0; i < messages.length; i++) {
      if (shouldStop?.()) return i;
      if ((this.sent & POLL_EVERY_MASK) === 0) this.poll();
      while (this.outstanding >= this.window || !this.tryProduce(messages[i], firstSeq + i)) {
        this.queueFullWaits++;
        if (shouldStop?.()) return i;
        await this.pollUntil(lowWater);
      }
    }
    return messages.length;
  }

  extra(): Record<string, number | string> {
    return { ...super.extra(), queue_full_waits: this.queueFullWaits, window: this.window };
  }
}

export type MeasuredProducer = SyncProducer | AsyncProducer;

/** How our producer of a mode waits and matches its reports, in words: from a run's extra() figures, or the defaults before a run. */
export function producerDesign(mode: ProducerMode, extra: Record<string, number | string> = {}): { waiting: string; matching: string } {
  const attribution = String(extra.attribution ?? "send order");
  const matching =
    attribution === "send order"
      ? "send order per partition (the producer picks partitions as librdkafka's default partitioner would)"
      : attribution === "opaque"
        ? "the opaque: the record's number travels with the message (partitions left to librdkafka)"
        : "not matched (failures only)";
  const waiting =
    mode === "sync"
      ? `for each acknowledgement, by ${extra.wait ?? defaultSyncWait()}`
      : `not per message; at most ${Number(extra.window ?? ASYNC_WINDOW).toLocaleString("en-US")} messages ahead of the reports`;
  return { waiting, matching };
}

export function createProducer(mode: ProducerMode, connection: KafkaConnection, topic: string, extra: Settings = {}): MeasuredProducer {
  return mode === "sync" ? new SyncProducer(connection, topic, extra) : new AsyncProducer(connection, topic, extra);
}
