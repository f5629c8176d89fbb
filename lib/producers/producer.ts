/**
 * The two producers under test, behind one interface, on @confluentinc/kafka-javascript's
 * callback API (librdkafka underneath).
 *
 * - SyncProducer: each message waits for its broker acknowledgement before the next is sent.
 * - AsyncProducer: messages go into librdkafka's local queue without waiting; a full queue is
 *   backpressure (wait for deliveries, retry); flush() ends the run.
 *
 * Every delivery report goes into the producer's DeliveryRecorder (lib/core/recorder.ts), and
 * librdkafka's statistics into its StatisticsRecorder, which also hands them, with the delivery
 * totals, to the monitoring exporter when MONITORING is on (lib/monitoring/). Reports are served by librdkafka's
 * background thread (setPollInBackground), so they reach JavaScript as soon as the event loop is
 * free, with no poll interval added to a timing.
 */
import { DeliveryError } from "../core/errors";
import { DeliveryRecorder } from "../core/recorder";
import { StatisticsRecorder } from "../core/statistics";
import { Notifier, now } from "../core/time";
import type { KafkaConnection } from "../config/connection";
import { connectWithin, describeKafkaError, disconnectWithin, ERR, flushWithin, Kafka, type Settings } from "../kafka/client";
import { exporterFromEnv } from "../monitoring/exporter";
import { producerSettings, type ProducerMode } from "./settings";

export interface OutgoingMessage {
  key: string | Buffer | null;
  value: Buffer;
}

export interface DeliveryCounts {
  sent: number;
  delivered: number;
  failed: number;
}

/**
 * What the measuring framework (lib/producers/measured-run.ts) drives: our producers implement
 * it, and the bench adapts other clients to it.
 */
export interface MeasuredClient {
  readonly settings: Settings;
  /** Where acknowledgements go from now on (a run switches it between warm-up and measurement, after a flush). */
  useRecorder(recorder: DeliveryRecorder): void;
  connect(): Promise<void>;
  /**
   * Sends messages[i] as record firstSeq + i, checking shouldStop() before each; resolves to how
   * many were sent, once handed over (or, for a synchronous producer, acknowledged).
   */
  send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number>;
  /** Waits until every record sent is acknowledged or failed, within timeoutMs. */
  flush(timeoutMs: number): Promise<void>;
  /** Always safe to call; bounded. */
  disconnect(): Promise<void>;
  /** librdkafka's statistics, where the client exposes them. */
  readonly statistics?: StatisticsRecorder;
  /** Client-specific figures for the results (e.g. backpressure waits). */
  extra?(): Record<string, number | string>;
}

/** Shared plumbing: connect, delivery reports into the recorder, flush and disconnect. */
abstract class BaseProducer implements MeasuredClient {
  abstract readonly mode: ProducerMode;
  readonly settings: Settings;
  readonly statistics = new StatisticsRecorder();
  protected readonly client: Kafka.Producer;
  private recorder = new DeliveryRecorder({ capacity: 0, perRecord: false });
  /** Records handed to librdkafka, in all, and since the current recorder was set. */
  private sent = 0;
  private sentBefore = 0;
  /** Delivered and failed in the recorders used before the current one. */
  private deliveredBefore = 0;
  private failedBefore = 0;
  /** Reports received, in all (flow control: sent − reported is what JavaScript has not heard back about). */
  private reported = 0;
  private readonly reports = new Notifier();
  /** Waiting for outstanding to reach 0 (flush): one resolver, not a promise per report. */
  private readonly drained = new Notifier();
  private connected = false;

  constructor(
    readonly connection: KafkaConnection,
    readonly topic: string,
    settings: Settings,
  ) {
    this.settings = settings;
    this.client = new Kafka.Producer({ ...connection.clientConfig(), ...settings, dr_cb: true } as Kafka.ProducerGlobalConfig);
    this.client.on("delivery-report", (err, report) => this.onReport(err, report));
    // Errors librdkafka reports outside a delivery (e.g. all brokers down) show up as failed
    // deliveries when they cost a message; here they must not crash the process.
    this.client.on("event.error", () => undefined);
    this.client.on("event.stats", (e: { message: string }) => this.statistics.add(e.message, now()));
    this.statistics.deliveries = () => ({
      topic,
      delivered: this.deliveredBefore + this.recorder.delivered,
      failed: this.failedBefore + this.recorder.failed,
    });
    exporterFromEnv();
  }

  useRecorder(recorder: DeliveryRecorder): void {
    this.deliveredBefore += this.recorder.delivered;
    this.failedBefore += this.recorder.failed;
    this.recorder = recorder;
    this.sentBefore = this.sent;
  }

  /** Connects and waits for metadata; bounded by timeoutMs. */
  async connect(timeoutMs = 15_000): Promise<void> {
    await connectWithin(this.client, this.connection.bootstrapServers, { what: `${this.mode} producer`, timeoutMs });
    this.connected = true;
    this.client.setPollInBackground(true);
  }

  /** Sent, delivered and failed since the current recorder was set. */
  deliveryCounts(): DeliveryCounts {
    return { sent: this.sent - this.sentBefore, delivered: this.recorder.delivered, failed: this.recorder.failed };
  }

  /** Sent, but not yet reported back to JavaScript. */
  get outstanding(): number {
    return this.sent - this.reported;
  }

  private onReport(err: Kafka.LibrdKafkaError | null | undefined, report: Kafka.DeliveryReport): void {
    this.recorder.record(report.opaque as number, !err, now(), err ? describeKafkaError(err) : undefined);
    this.reported++;
    this.reports.notify();
    if (this.outstanding === 0) this.drained.notify();
  }

  /** Resolves at the next delivery report, or after maxWaitMs, whichever comes first. */
  protected nextReport(maxWaitMs: number): Promise<void> {
    return this.reports.next(maxWaitMs);
  }

  /** Hands one message to librdkafka; true if queued, false if the local queue is full. */
  protected tryProduce(msg: OutgoingMessage, seq: number): boolean {
    // The first attempt counts, so a latency includes any wait caused by a full queue. A
    // counts-only recorder (measuring the bookkeeping's own cost) skips even the clock read.
    if (this.recorder.perRecord) this.recorder.markSent(seq, now());
    try {
      this.client.produce(this.topic, null, msg.value, msg.key ?? undefined, null, seq);
    } catch (e) {
      const err = e as { code?: number; message?: string };
      if (err.code === ERR.ERR__QUEUE_FULL) return false;
      throw new DeliveryError(`produce failed: ${describeKafkaError(err)}`, err.code);
    }
    this.sent++;
    return true;
  }

  /** Sends everything queued and waits until every sent message is acknowledged or failed. */
  async flush(timeoutMs = 60_000): Promise<void> {
    const deadline = now() + timeoutMs;
    await flushWithin(this.client, timeoutMs);
    // flush() returns when librdkafka's queue is empty; the last reports may still be on their
    // way to JavaScript.
    if (this.outstanding > 0) await this.drained.next(Math.max(0, deadline - now()));
    if (this.outstanding > 0) throw new DeliveryError(`flush: ${this.outstanding} messages still unacknowledged after ${timeoutMs} ms`);
  }

  /** Always safe to call; bounded so that no process is left hanging on a dead broker. */
  async disconnect(timeoutMs = 10_000): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.client.setPollInBackground(false);
    await disconnectWithin(this.client, timeoutMs);
  }

  abstract send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number>;
}

/** Waits for each message's acknowledgement before sending the next. */
export class SyncProducer extends BaseProducer {
  readonly mode = "sync" as const;

  constructor(connection: KafkaConnection, topic: string, extra: Settings = {}) {
    super(connection, topic, producerSettings("sync", extra));
  }

  /** Resolves when every message sent has been acknowledged (or failed). */
  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i++) {
      if (shouldStop?.()) return i;
      while (!this.tryProduce(messages[i], firstSeq + i)) await this.nextReport(10);
      while (this.outstanding > 0) await this.nextReport(1_000);
    }
    return messages.length;
  }
}

/** Queues messages without waiting; a full queue makes it wait for deliveries and retry. */
export class AsyncProducer extends BaseProducer {
  readonly mode = "async" as const;
  /** How many times a full local queue made send() wait (backpressure events). */
  queueFullWaits = 0;
  /**
   * At most this many messages unacknowledged as JavaScript sees them: librdkafka's queue limit.
   * Without it, delivery reports pile up unread while send() keeps the event loop busy, and
   * memory grows with the run (hundreds of MiB for a million messages).
   */
  private readonly maxOutstanding: number;

  constructor(connection: KafkaConnection, topic: string, extra: Settings = {}) {
    super(connection, topic, producerSettings("async", extra));
    this.maxOutstanding = Number(this.settings["queue.buffering.max.messages"] ?? 100_000);
  }

  /** Resolves once every message is in librdkafka's queue; deliveries arrive later. */
  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i++) {
      if (shouldStop?.()) return i;
      while (this.outstanding >= this.maxOutstanding || !this.tryProduce(messages[i], firstSeq + i)) {
        this.queueFullWaits++;
        if (shouldStop?.()) return i;
        await this.nextReport(10);
      }
    }
    return messages.length;
  }

  extra(): Record<string, number> {
    return { queue_full_waits: this.queueFullWaits };
  }
}

export type MeasuredProducer = SyncProducer | AsyncProducer;

export function createProducer(mode: ProducerMode, connection: KafkaConnection, topic: string, extra: Settings = {}): MeasuredProducer {
  return mode === "sync" ? new SyncProducer(connection, topic, extra) : new AsyncProducer(connection, topic, extra);
}
