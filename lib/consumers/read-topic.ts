/** Reading a topic back: used to prove that what was produced arrived, complete and intact. */
import type { KafkaConnection } from "../config/connection";
import { now } from "../core/time";
import { connectWithin, consumeBatch, disconnectWithin, Kafka } from "../kafka/client";

export interface ConsumedMessage {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  /** performance.now() when the message reached JavaScript. */
  receivedAt: number;
}

export interface ReadOptions {
  /** Stop as soon as this many messages were read. */
  expected?: number;
  /** Otherwise stop after this long without a new message. */
  idleMs?: number;
  /** Never wait longer than this in all. */
  timeoutMs?: number;
}

/**
 * A consumer in a group of its own, reading from the earliest offset; not yet connected. `group`
 * is a prefix for a fresh group id, or `{ id }`: that id, made fresh by the caller.
 */
export function freshConsumer(
  connection: KafkaConnection,
  group: string | { id: string },
  extra: Record<string, string | number | boolean> = {},
): Kafka.KafkaConsumer {
  const consumer = new Kafka.KafkaConsumer(
    {
      ...connection.clientConfig(),
      "group.id": typeof group === "string" ? `${group}-${process.pid}-${Date.now()}` : group.id,
      "enable.auto.commit": false,
      ...extra,
    } as Kafka.ConsumerGlobalConfig,
    // Given here, not in the global config: the client silently drops it there.
    { "auto.offset.reset": "earliest" },
  );
  consumer.on("event.error", () => undefined);
  return consumer;
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `expected` messages
 * arrived, the topic stayed idle for idleMs, or timeoutMs passed. Always disconnects.
 */
export async function readTopic(connection: KafkaConnection, topic: string, opts: ReadOptions = {}): Promise<ConsumedMessage[]> {
  const idleMs = opts.idleMs ?? 5_000;
  const deadline = now() + (opts.timeoutMs ?? 60_000);
  const consumer = freshConsumer(connection, "kafka-producer-perf-reader");
  const out: ConsumedMessage[] = [];
  await connectWithin(consumer, connection.bootstrapServers, { what: "consumer" });
  try {
    consumer.setDefaultConsumeTimeout(200);
    consumer.subscribe([topic]);
    let lastNew = now();
    while (now() < deadline && (opts.expected === undefined || out.length < opts.expected)) {
      const batch = await consumeBatch(consumer, 1000);
      const at = now();
      for (const m of batch) {
        out.push({
          partition: m.partition,
          offset: m.offset,
          key: (m.key as Buffer | null) ?? null,
          value: m.value,
          timestamp: m.timestamp,
          receivedAt: at,
        });
      }
      if (batch.length) lastNew = at;
      else if (opts.expected === undefined && at - lastNew > idleMs) break;
    }
  } finally {
    await disconnectWithin(consumer);
  }
  return out;
}
