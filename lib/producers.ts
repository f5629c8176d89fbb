/**
 * The two producers under test, behind one interface, on @confluentinc/kafka-javascript's
 * callback API (librdkafka underneath).
 *
 * - SyncProducer: each message waits for its broker acknowledgement before the next is sent.
 * - AsyncProducer: messages go into librdkafka's local queue without waiting; a full queue is
 *   backpressure (wait for deliveries, retry); flush() ends the run.
 *
 * Delivery reports are served by librdkafka's background thread (setPollInBackground), so they
 * reach JavaScript as soon as the event loop is free, with no poll interval added to a timing.
 */
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import type { KafkaConnection } from "./config";

export type ProducerMode = "sync" | "async";
export type Settings = Record<string, string | number | boolean>;

export interface OutgoingMessage {
  key: string | Buffer | null;
  value: Buffer;
}

/** One delivery report. Times are performance.now() milliseconds (monotonic). */
export interface Delivery {
  seq: number;
  ok: boolean;
  error?: string;
  partition?: number;
  offset?: number;
  /** When the report reached JavaScript. */
  ackedAt: number;
}

export interface DeliveryCounts {
  sent: number;
  delivered: number;
  failed: number;
}

/** Settings shared by both producers, so the comparison is about waiting, not durability. */
export const COMMON_SETTINGS: Settings = {
  acks: "all",
  "enable.idempotence": false,
  // librdkafka's default is five minutes of silent retrying; a benchmark should fail sooner.
  "message.timeout.ms": 60_000,
  "client.id": "kafka-producer-perf",
  // librdkafka's own counters (requests sent, responses received, round-trip times) every
  // 100 ms: the source of the request-rate metric.
  "statistics.interval.ms": 100,
};

/**
 * Per-mode settings and why. The synchronous producer sends one message at a time, so any
 * linger would be pure waiting (librdkafka's default linger.ms is 5: 5 ms per message for nothing).
 * The asynchronous producer keeps librdkafka's batching defaults, stated here so the notebook
 * can show them.
 */
export const MODE_SETTINGS: Record<ProducerMode, Settings> = {
  sync: { "linger.ms": 0 },
  async: {
    "linger.ms": 5,
    "batch.num.messages": 10_000,
    "batch.size": 1_000_000,
    "queue.buffering.max.messages": 100_000,
  },
};

export const QUEUE_FULL = -184; // ERR__QUEUE_FULL, "Local: Queue full"

/** The part of librdkafka's statistics JSON (STATISTICS.md) that the metrics use. */
export interface LibrdkafkaStats {
  /** Microseconds, librdkafka's monotonic clock. */
  ts: number;
  tx: number;
  rx: number;
  txmsgs: number;
  msg_cnt: number;
  brokers: Record<string, { nodeid: number; tx: number; rx: number; req?: Record<string, number>; rtt?: { avg: number; p50: number; p99: number; cnt: number } }>;
}

export class ProducerError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = "ProducerError";
  }
}

function describeError(err: { message?: string; code?: number } | null | undefined): string {
  if (!err) return "unknown error";
  return err.code !== undefined ? `${err.message} (code ${err.code})` : String(err.message);
}

/** Shared plumbing: connect, delivery-report dispatch, counting, flush and disconnect. */
abstract class BaseProducer {
  abstract readonly mode: ProducerMode;
  readonly settings: Settings;
  protected readonly client: Kafka.Producer;
  protected counts: DeliveryCounts = { sent: 0, delivered: 0, failed: 0 };
  private listeners: ((d: Delivery) => void)[] = [];
  private sendTimes: Float64Array | undefined;
  private statsListeners: ((s: LibrdkafkaStats) => void)[] = [];
  private waiters: (() => void)[] = [];
  /** Waiting for outstanding to reach 0 (flush): one resolver, not a promise per report. */
  private drainWaiters: (() => void)[] = [];
  private connected = false;

  constructor(
    readonly connection: KafkaConnection,
    readonly topic: string,
    settings: Settings,
  ) {
    this.settings = settings;
    this.client = new Kafka.Producer({
      ...connection.clientConfig(),
      ...settings,
      dr_cb: true,
    } as Kafka.ProducerGlobalConfig);
    this.client.on("delivery-report", (err, report) => this.onReport(err, report));
    // Errors librdkafka reports outside a delivery (e.g. all brokers down) are logged by the
    // delivery path when they cost a message; here they must not crash the process.
    this.client.on("event.error", () => undefined);
    this.client.on("event.stats", (e: { message: string }) => {
      if (this.statsListeners.length === 0) return;
      const stats = JSON.parse(e.message) as LibrdkafkaStats;
      for (const l of this.statsListeners) l(stats);
    });
  }

  /** librdkafka's statistics, every statistics.interval.ms. */
  onStats(listener: (s: LibrdkafkaStats) => void): void {
    this.statsListeners.push(listener);
  }

  /** Connects and waits for metadata; bounded by timeoutMs. */
  async connect(timeoutMs = 15_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProducerError(`could not connect to ${this.connection.bootstrapServers} within ${timeoutMs} ms`)), timeoutMs);
      this.client.connect({ timeout: timeoutMs }, (err) => {
        clearTimeout(timer);
        if (err) reject(new ProducerError(`could not connect to ${this.connection.bootstrapServers}: ${describeError(err)}`, err.code));
        else resolve();
      });
    });
    this.connected = true;
    this.client.setPollInBackground(true);
  }

  /** Stamp sendTimes[seq] with performance.now() at a message's first produce() attempt. */
  trackSendTimes(sendTimes: Float64Array): void {
    this.sendTimes = sendTimes;
  }

  onDelivery(listener: (d: Delivery) => void): void {
    this.listeners.push(listener);
  }

  deliveryCounts(): DeliveryCounts {
    return { ...this.counts };
  }

  get outstanding(): number {
    return this.counts.sent - this.counts.delivered - this.counts.failed;
  }

  private onReport(err: Kafka.LibrdKafkaError | null | undefined, report: Kafka.DeliveryReport): void {
    const ackedAt = performance.now();
    const ok = !err;
    if (ok) this.counts.delivered++;
    else this.counts.failed++;
    const d: Delivery = { seq: report.opaque as number, ok, ackedAt, partition: report.partition, offset: report.offset };
    if (!ok) d.error = describeError(err);
    for (const l of this.listeners) l(d);
    if (this.waiters.length) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
    if (this.drainWaiters.length && this.outstanding === 0) {
      const drained = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of drained) w();
    }
  }

  /** Resolves at the next delivery report, or after maxWaitMs, whichever comes first. */
  protected nextReport(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Hands one message to librdkafka; true if queued, false if the local queue is full. */
  protected tryProduce(msg: OutgoingMessage, seq: number): boolean {
    // The first attempt counts, so a latency includes any wait caused by a full queue.
    const times = this.sendTimes;
    if (times && seq < times.length && Number.isNaN(times[seq])) times[seq] = performance.now();
    try {
      this.client.produce(this.topic, null, msg.value, msg.key ?? undefined, null, seq);
    } catch (e) {
      const err = e as { code?: number; message?: string };
      if (err.code === QUEUE_FULL) return false;
      throw new ProducerError(`produce failed: ${describeError(err)}`, err.code);
    }
    this.counts.sent++;
    return true;
  }

  /** Sends everything queued and waits until every sent message is acknowledged or failed. */
  async flush(timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    await new Promise<void>((resolve, reject) =>
      this.client.flush(timeoutMs, (err) => (err ? reject(new ProducerError(`flush: ${describeError(err)}`, err.code)) : resolve())),
    );
    // flush() returns when librdkafka's queue is empty; the last reports may still be on their
    // way to JavaScript.
    if (this.outstanding > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.outstanding > 0) throw new ProducerError(`flush: ${this.outstanding} messages still unacknowledged after ${timeoutMs} ms`);
  }

  /** Always safe to call; bounded so that no process is left hanging on a dead broker. */
  async disconnect(timeoutMs = 10_000): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.client.setPollInBackground(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.client.disconnect(timeoutMs, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Sends messages[i] as sequence number firstSeq + i, checking shouldStop() before each message;
   * resolves to how many were sent. See the subclasses for when it resolves.
   */
  abstract send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number>;
}

/** Waits for each message's acknowledgement before sending the next. */
export class SyncProducer extends BaseProducer {
  readonly mode = "sync" as const;
  private pending = new Map<number, (d: Delivery) => void>();

  constructor(connection: KafkaConnection, topic: string, extra: Settings = {}) {
    super(connection, topic, { ...COMMON_SETTINGS, ...MODE_SETTINGS.sync, ...extra });
    this.onDelivery((d) => {
      const resolve = this.pending.get(d.seq);
      if (resolve) {
        this.pending.delete(d.seq);
        resolve(d);
      }
    });
  }

  /** Resolves when every message sent has been acknowledged (or failed). */
  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i++) {
      if (shouldStop?.()) return i;
      const seq = firstSeq + i;
      const acked = new Promise<Delivery>((resolve) => this.pending.set(seq, resolve));
      while (!this.tryProduce(messages[i], seq)) await this.nextReport(10);
      await acked;
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
    super(connection, topic, { ...COMMON_SETTINGS, ...MODE_SETTINGS.async, ...extra });
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
}

export type MeasuredProducer = SyncProducer | AsyncProducer;

export function createProducer(mode: ProducerMode, connection: KafkaConnection, topic: string, extra: Settings = {}): MeasuredProducer {
  return mode === "sync" ? new SyncProducer(connection, topic, extra) : new AsyncProducer(connection, topic, extra);
}

/** The client's and librdkafka's versions, for the notebook's environment cell and chart titles. */
export function clientVersions(): { client: string; librdkafka: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require("@confluentinc/kafka-javascript/package.json") as { version: string };
  return { client: `@confluentinc/kafka-javascript ${pkg.version}`, librdkafka: (Kafka as unknown as { librdkafkaVersion: string }).librdkafkaVersion };
}
