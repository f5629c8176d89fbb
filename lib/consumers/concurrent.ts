/**
 * A consumer that reads a topic in the background while the same process produces to it, and
 * stamps every message with the moment it reached JavaScript: what lets an experiment say when a
 * consumer could first see a message (notebook 03's flush() experiments).
 */
import type { KafkaConnection } from "../config/connection";
import { KppError } from "../core/errors";
import { Notifier, now, settleWithin, withTimeout } from "../core/time";
import { connectWithin, consumeBatch, disconnectWithin, timeoutOnlyForFirstMessage, type Kafka } from "../kafka/client";
import { freshConsumer } from "./read-topic";

/** One message as the concurrent consumer received it. */
export interface ReceivedMessage {
  key: string | null;
  /** The value as UTF-8 text ("" for none). */
  value: string;
  offset: number;
  /** now() when the consume() call that returned it came back. */
  at: number;
}

export interface ConcurrentConsumerOptions {
  /** The consumer group's prefix (the group itself is always a fresh one). */
  groupPrefix?: string;
  /** Bound on connecting and on getting the topic's partitions assigned (default 20 s). */
  timeoutMs?: number;
}

/** A consumer reading a topic from the beginning in the background, stamping every message. */
export class ConcurrentConsumer {
  /** Every message received, in the order received. */
  readonly received: ReceivedMessage[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  private readonly arrived = new Notifier();

  private constructor(private readonly consumer: Kafka.KafkaConsumer) {}

  /** Connects and subscribes; resolves once the partitions are assigned. Bounded by timeoutMs. */
  static async start(connection: KafkaConnection, topic: string, opts: ConcurrentConsumerOptions = {}): Promise<ConcurrentConsumer> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const consumer = freshConsumer(connection, opts.groupPrefix ?? "concurrent-consumer", {
      // The broker answers a fetch as soon as one byte is there; no batching on this side.
      "fetch.min.bytes": 1,
      // true: the client assigns by itself and emits 'rebalance', which start() waits for.
      rebalance_cb: true,
    });
    const assigned = new Promise<void>((resolve) => consumer.once("rebalance", () => resolve()));
    await connectWithin(consumer, connection.bootstrapServers, { what: "consumer", timeoutMs });
    const c = new ConcurrentConsumer(consumer);
    // Wait up to 50 ms for a first message, then take whatever else is ready: a message is
    // stamped within milliseconds of arriving, and the loop never spins.
    consumer.setDefaultConsumeTimeout(50);
    timeoutOnlyForFirstMessage(consumer);
    consumer.subscribe([topic]);
    c.loop = c.run();
    try {
      await withTimeout(
        assigned,
        timeoutMs,
        () => new KppError("connection", `consumer got no partitions of '${topic}' within ${timeoutMs} ms`),
      );
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  private async run(): Promise<void> {
    while (this.running) {
      // A failed consume is an empty one: the next call tries again.
      const batch = await consumeBatch(this.consumer, 1000).catch((): Kafka.Message[] => []);
      const at = now();
      for (const m of batch) {
        this.received.push({
          key: m.key === null || m.key === undefined ? null : m.key.toString(),
          value: m.value?.toString("utf8") ?? "",
          offset: m.offset,
          at,
        });
      }
      if (batch.length) this.arrived.notify();
    }
  }

  /** Waits until `pred` holds for what was received, at most timeoutMs; returns whether it did. */
  async waitFor(pred: (received: readonly ReceivedMessage[]) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = now() + timeoutMs;
    while (!pred(this.received)) {
      const left = deadline - now();
      if (left <= 0) return false;
      await this.arrived.next(Math.min(left, 100));
    }
    return true;
  }

  /** How many messages with this key were received. */
  countKey(key: string): number {
    return this.received.filter((x) => x.key === key).length;
  }

  /** Ends the loop (waiting at most 5 s for its last consume) and disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    await settleWithin(this.loop, 5_000);
    await disconnectWithin(this.consumer);
  }
}
