/**
 * What every producer of ours shares (lib/producers/producer.ts has the synchronous and the
 * asynchronous one, ./aggregate.ts the aggregate-acknowledgement mode): the interface the measuring
 * framework drives, connecting, serving librdkafka's events from one thread, delivery reports into
 * the DeliveryRecorder matched to their records by send order (./send-order.ts) or by the opaque,
 * librdkafka's statistics into the StatisticsRecorder (handed, with the delivery totals, to the
 * monitoring exporter when MONITORING is on), flush and disconnect.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { DeliveryError } from "../core/errors";
import { DeliveryRecorder } from "../core/recorder";
import { StatisticsRecorder } from "../core/statistics";
import { Notifier, now, sleep } from "../core/time";
import type { KafkaConnection } from "../config/connection";
import { connectWithin, describeKafkaError, disconnectWithin, ERR, flushWithin, Kafka, type Settings } from "../kafka/client";
import { exporterFromEnv } from "../monitoring/exporter";
import { defaultPartitioner, partitionCount, SeqQueue, type Attribution, type DefaultPartitioner } from "./send-order";
import type { ProducerMode } from "./settings";

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

/**
 * How a producer serves librdkafka's events (delivery reports, statistics):
 * - "javascript": poll() from the JavaScript thread, while sending and waiting, and from an idle
 *   poller between sends; flush() stops the poller, so only flush's own thread polls meanwhile. One
 *   thread at a time serves the reports, which keeps them in librdkafka's order per partition
 *   (matching by send order depends on it).
 * - "background": librdkafka's background thread. Faster to react, but flush() then polls the same
 *   queue from a second thread and reports of two batches interleave (measured: dozens of a
 *   partition's reports out of offset order per 300,000 messages, all during flush); fine where
 *   reports are not matched by order.
 */
export type Polling = "background" | "javascript";

/** How a producer is built, beyond its librdkafka settings (the attribution ladder varies these). */
export interface ProducerOptions {
  /**
   * How reports are matched to records: default send order where possible, else the opaque;
   * "opaque" forces the opaque; "none" counts reports without matching them (no per-record times).
   * A producer told of failures only (delivery.report.only.error) always has "none".
   */
  attribution?: Attribution;
  polling?: Polling;
}

/**
 * Waiting for reports (pollUntil): spin this long (a local broker answers in a fraction of a
 * millisecond); then pause PAUSE_MS between polls up to POLITE_MS; then poll once a millisecond
 * (a remote broker answers in tens, where spinning would only burn a core).
 */
const SPIN_MS = 0.3;
const POLITE_MS = 50;
const PAUSE_MS = 0.05;
/** What Atomics.wait() sleeps on: nothing ever wakes it, the pause is its timeout. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** How often the idle poller polls with no report outstanding, ms. */
const IDLE_POLL_MS = 1;

/** Shared plumbing: connect, delivery reports into the recorder, flush and disconnect. */
export abstract class BaseProducer implements MeasuredClient {
  abstract readonly mode: ProducerMode;
  readonly settings: Settings;
  readonly statistics = new StatisticsRecorder();
  protected readonly client: Kafka.Producer;
  protected recorder = new DeliveryRecorder({ capacity: 0, perRecord: false });
  /** Records handed to librdkafka, in all, and since the current recorder was set. */
  protected sent = 0;
  private sentBefore = 0;
  /** Delivered and failed in the recorders used before the current one. */
  private deliveredBefore = 0;
  private failedBefore = 0;
  /** Reports received, in all (flow control: sent − reported is what JavaScript has not heard back about). */
  protected reported = 0;
  private readonly reports = new Notifier();
  /** Waiting for outstanding to reach 0 (flush): one resolver, not a promise per report. */
  private readonly drained = new Notifier();
  private connected = false;
  /** How reports are matched to records; "send order" becomes "opaque" at connect() where partitions cannot be chosen. */
  private match: Attribution;
  private readonly polling: Polling;
  /** Bumped to stop the idle poller (flush, disconnect); a poller runs while its generation is current. */
  private idleGeneration = 0;
  /** pollUntil() calls in progress: they poll, the idle poller stands back. */
  private waiting = 0;
  /** The topic's partitions as the metadata at connect() gave them (0: not in it). */
  protected partitions = 0;
  /** Set when the producer chooses partitions itself and matches reports by send order. */
  private partitioner: DefaultPartitioner | undefined;
  private queues: SeqQueue[] = [];
  /** Per partition, the offset of the last delivered report (-1: none yet). */
  private lastOffsets: number[] = [];
  /** Delivered reports whose offset did not follow their partition's previous one (send order broken). */
  private outOfOrder = 0;

  constructor(
    readonly connection: KafkaConnection,
    readonly topic: string,
    settings: Settings,
    opts: ProducerOptions = {},
  ) {
    this.settings = settings;
    // delivery.report.only.error: librdkafka reports failures only, so a report cannot be matched to a record.
    this.match = settings["delivery.report.only.error"] === true ? "none" : (opts.attribution ?? "send order");
    this.polling = opts.polling ?? "javascript";
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

  /** How delivery reports are matched to records (known once connected). */
  get attribution(): Attribution {
    return this.match;
  }

  /** Connects and waits for metadata; bounded by timeoutMs. */
  async connect(timeoutMs = 15_000): Promise<void> {
    const metadata = await connectWithin(this.client, this.connection.bootstrapServers, { what: `${this.mode} producer`, timeoutMs });
    this.connected = true;
    this.useSendOrder(metadata);
    this.startPolling();
  }

  private startPolling(): void {
    if (this.polling === "background") this.client.setPollInBackground(true);
    else this.startIdlePoller();
  }

  private stopPolling(): void {
    if (this.polling === "background") this.client.setPollInBackground(false);
    else this.stopIdlePoller();
  }

  private startIdlePoller(): void {
    const generation = ++this.idleGeneration;
    void this.idlePoll(generation);
  }

  private stopIdlePoller(): void {
    this.idleGeneration++;
  }

  /**
   * JavaScript polling while nothing else polls (between sends, between batches, while a caller
   * sleeps): with reports outstanding, every event-loop turn with a PAUSE_MS pause, so a report
   * reaches the program within a fraction of a millisecond for a few per cent of a core; with
   * none, once a millisecond (statistics, errors). Not the client's setPollInterval(): a
   * millisecond is too coarse for latencies, and it adds a listener at every call.
   */
  private async idlePoll(generation: number): Promise<void> {
    const current = () => generation === this.idleGeneration && this.connected;
    while (current()) {
      const alone = this.waiting === 0;
      if (alone) this.poll();
      if (alone && this.outstanding > 0) {
        await yieldToEventLoop();
        if (current() && this.waiting === 0 && this.outstanding > 0) Atomics.wait(PAUSE, 0, 0, PAUSE_MS);
      } else {
        // Unreferenced: a producer left connected does not keep the process alive.
        await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS).unref());
      }
    }
  }

  /** Serves librdkafka's events now (JavaScript polling; a no-op with background polling). */
  protected poll(): void {
    if (this.polling === "javascript" && this.connected) this.client.poll();
  }

  /** Chooses partitions (and matches reports by send order) where the topic's partitions are known. */
  protected useSendOrder(metadata: Kafka.Metadata | undefined): void {
    const partitions = partitionCount(metadata, this.topic);
    this.partitions = partitions;
    if (this.match !== "send order") return;
    this.partitioner = defaultPartitioner(this.settings, partitions);
    if (!this.partitioner) this.match = "opaque";
    else this.queues = Array.from({ length: partitions }, () => new SeqQueue());
    this.lastOffsets = new Array<number>(partitions).fill(-1);
  }

  /** Sent, delivered and failed since the current recorder was set. */
  deliveryCounts(): DeliveryCounts {
    return { sent: this.sent - this.sentBefore, delivered: this.recorder.delivered, failed: this.recorder.failed };
  }

  /** Sent, but not yet reported back to JavaScript. */
  get outstanding(): number {
    return this.sent - this.reported;
  }

  /** The record a report belongs to: its partition's oldest unreported record, or its opaque. */
  private seqOf(report: Kafka.DeliveryReport, ok: boolean): number {
    if (this.match === "none") return -1;
    if (this.match === "opaque") return report.opaque as number;
    const p = report.partition;
    const seq = this.queues[p]?.shift() ?? -1;
    if (ok) {
      if (report.offset <= this.lastOffsets[p]) this.outOfOrder++;
      this.lastOffsets[p] = report.offset;
    }
    return seq;
  }

  private onReport(err: Kafka.LibrdKafkaError | null | undefined, report: Kafka.DeliveryReport): void {
    const at = now();
    this.recorder.record(this.seqOf(report, !err), !err, at, err ? describeKafkaError(err) : undefined);
    this.reported++;
    this.reports.notify();
    if (this.outstanding === 0) this.drained.notify();
  }

  /** Resolves at the next delivery report, or after maxWaitMs, whichever comes first. */
  protected nextReport(maxWaitMs: number): Promise<void> {
    return this.reports.next(maxWaitMs);
  }

  /**
   * Polls until done() holds. poll() hands librdkafka's reports over, the next event-loop turn
   * delivers them: every turn while reports keep coming and for SPIN_MS after the last one; then
   * every turn after a pause that gives the CPU to the broker and librdkafka's threads (on a busy
   * machine a spinning loop delays the very answer it waits for); after POLITE_MS, once a
   * millisecond.
   */
  protected async pollUntil(done: () => boolean): Promise<void> {
    let start = now();
    let seen = this.reported;
    this.waiting++;
    try {
      while (!done()) {
        this.poll();
        // Reports still coming (the binding hands over 100 per event-loop turn): keep spinning.
        if (this.reported !== seen) {
          seen = this.reported;
          start = now();
        }
        const waited = now() - start;
        if (waited < POLITE_MS) {
          await yieldToEventLoop();
          if (waited >= SPIN_MS && !done()) Atomics.wait(PAUSE, 0, 0, PAUSE_MS);
        } else await sleep(1);
      }
    } finally {
      this.waiting--;
    }
  }

  /** Hands one message to librdkafka; true if queued, false if the local queue is full. */
  protected tryProduce(msg: OutgoingMessage, seq: number): boolean {
    // The first attempt counts, so a latency includes any wait caused by a full queue. A
    // counts-only recorder (measuring the bookkeeping's own cost) skips even the clock read.
    const at = this.recorder.perRecord || this.partitioner ? now() : 0;
    if (this.recorder.perRecord) this.recorder.markSent(seq, at);
    const partition = this.partitioner ? this.partitioner.partitionFor(msg.key, at) : null;
    try {
      // No opaque without a report to free it: the binding would keep a handle per message.
      if (this.match === "none") this.client.produce(this.topic, null, msg.value, msg.key ?? undefined, null);
      else if (partition === null) this.client.produce(this.topic, null, msg.value, msg.key ?? undefined, null, seq);
      else this.client.produce(this.topic, partition, msg.value, msg.key ?? undefined, null);
    } catch (e) {
      const err = e as { code?: number; message?: string };
      if (err.code === ERR.ERR__QUEUE_FULL) return false;
      throw new DeliveryError(`produce failed: ${describeKafkaError(err)}`, err.code);
    }
    if (partition !== null) this.queues[partition].push(seq);
    this.sent++;
    return true;
  }

  /** Sends everything queued and waits until every sent message is acknowledged or failed. */
  async flush(timeoutMs = 60_000): Promise<void> {
    const deadline = now() + timeoutMs;
    // flush() polls on a thread of its own: the timer must not poll beside it (see Polling).
    if (this.polling === "javascript") this.stopIdlePoller();
    try {
      await flushWithin(this.client, timeoutMs);
    } finally {
      if (this.polling === "javascript" && this.connected) this.startIdlePoller();
    }
    // flush() returns when librdkafka's queue is empty; the last reports may still be on their
    // way to JavaScript.
    if (this.outstanding > 0) await this.drained.next(Math.max(0, deadline - now()));
    if (this.outstanding > 0) throw new DeliveryError(`flush: ${this.outstanding} messages still unacknowledged after ${timeoutMs} ms`);
  }

  /** Always safe to call; bounded so that no process is left hanging on a dead broker. */
  async disconnect(timeoutMs = 10_000): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.stopPolling();
    await disconnectWithin(this.client, timeoutMs);
  }

  /** How reports were matched, and whether the send order held (librdkafka's retries are the one way it can break). */
  extra(): Record<string, number | string> {
    return { attribution: this.attribution, reports_out_of_order: this.outOfOrder, request_retries: this.statistics.retries() };
  }

  abstract send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number>;
}
