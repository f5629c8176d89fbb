/**
 * The asynchronous producer without a delivery report per message: librdkafka is told
 * delivery.report.only.error=true, so JavaScript hears of failures only, and the per-report cost
 * (a report object, an event and the bookkeeping, about 3 µs a message) is gone.
 *
 * It is a different measurement from the per-record producers, never ranked with them in one
 * column: it knows no acknowledgement time per record, so it has no per-record latency (librdkafka's
 * statistics give its stages: internal queue, output buffer, round trip). Its count is exact all
 * the same: after flush() every message is acknowledged or failed, so delivered = sent − failed; and
 * that count is checked against how far the topic's high watermarks moved (exact when nothing else
 * writes to the topic, as in the bench's fresh topics).
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { now, sleep } from "../core/time";
import type { KafkaConnection } from "../config/connection";
import { watermarks } from "../kafka/admin";
import { flushWithin, type Settings } from "../kafka/client";
import { BaseProducer, type OutgoingMessage } from "./base";
import { producerSettings } from "./settings";

/** Event-loop turns to let failure reports that were on their way when flush() returned reach JavaScript. */
const SETTLE_TURNS = 3;

/**
 * How deep librdkafka's queue may grow (queue.buffering.max.messages, at most): this mode's own
 * backpressure, as the per-record producer's window is its. When produce() outruns librdkafka's
 * sending, a deeper queue holds messages longer and costs more CPU per message: measured on the embedded broker
 * with 2,000,000 records unpinned, a 100,000-message queue gave 400-420k msgs/s at 5.6 CPU s, a
 * 5,000-message one 570-620k at 3.6 CPU s (1,000 was too shallow for send()'s 1 ms waits: 260k);
 * with the client on a core of its own the queue never filled and the depth made no difference.
 */
export const AGGREGATE_QUEUE_DEPTH = 5_000;

export interface AggregateOptions {
  /** At most this many messages in librdkafka's queue (default AGGREGATE_QUEUE_DEPTH; Infinity: the settings' limit). */
  queueDepth?: number;
}

export class AggregateProducer extends BaseProducer {
  readonly mode = "async" as const;
  /** How many times a full librdkafka queue made send() wait. */
  queueFullWaits = 0;
  /** Sent and failed up to the last flush (accounted for). */
  private settledSent = 0;
  private settledFailed = 0;
  /** Sum of the topic's high watermarks at the last check (NaN: unknown). */
  private highWatermark = NaN;
  private watermarkGrowth = 0;
  /** Delivered as counted minus the watermarks' growth, over every flush (0: they agree). */
  private watermarkDifference = 0;

  constructor(connection: KafkaConnection, topic: string, extra: Settings = {}, opts: AggregateOptions = {}) {
    const settings = producerSettings("async", { ...extra, "delivery.report.only.error": true });
    const limit = Math.min(Number(settings["queue.buffering.max.messages"]), opts.queueDepth ?? AGGREGATE_QUEUE_DEPTH);
    settings["queue.buffering.max.messages"] = Math.max(1, limit);
    // No report order to keep: librdkafka's background thread serves the (failure) reports.
    super(connection, topic, settings, { polling: "background" });
  }

  async connect(timeoutMs = 15_000): Promise<void> {
    await super.connect(timeoutMs);
    this.highWatermark = await this.highWatermarks();
  }

  /** Resolves once every message is in librdkafka's queue; a full queue is waited out a millisecond at a time (no report would wake it). */
  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i++) {
      if (shouldStop?.()) return i;
      while (!this.tryProduce(messages[i], firstSeq + i)) {
        this.queueFullWaits++;
        if (shouldStop?.()) return i;
        await sleep(1);
      }
    }
    return messages.length;
  }

  /** Waits for librdkafka's queue to empty, then counts what was delivered since the last flush and checks it against the watermarks. */
  async flush(timeoutMs = 60_000): Promise<void> {
    await flushWithin(this.client, timeoutMs);
    const at = now();
    for (let i = 0; i < SETTLE_TURNS; i++) await yieldToEventLoop();
    // Every report here is a failure.
    const failed = this.reported - this.settledFailed;
    const delivered = this.sent - this.settledSent - failed;
    this.settledSent = this.sent;
    this.settledFailed = this.reported;
    this.recorder.recordDelivered(delivered, at);
    const high = await this.highWatermarks();
    const growth = high - this.highWatermark;
    this.highWatermark = high;
    this.watermarkGrowth += growth;
    this.watermarkDifference += delivered - growth;
  }

  /** The sum over the topic's partitions (NaN when the metadata at connect() did not list the topic). */
  private async highWatermarks(): Promise<number> {
    let sum = 0;
    for (let p = 0; p < this.partitions; p++) sum += (await watermarks(this.client, this.topic, p)).high;
    return this.partitions > 0 ? sum : NaN;
  }

  extra(): Record<string, number | string> {
    return {
      ...super.extra(),
      queue_full_waits: this.queueFullWaits,
      queue_depth: Number(this.settings["queue.buffering.max.messages"]),
      watermark_growth: this.watermarkGrowth,
      watermark_check: Number.isNaN(this.watermarkDifference)
        ? "not checked (the topic's partitions were unknown)"
        : this.watermarkDifference === 0
          ? "delivered = watermark growth"
          : `delivered − watermark growth = ${this.watermarkDifference}`,
    };
  }
}
