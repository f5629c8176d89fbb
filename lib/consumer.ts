/** Reading a topic back: used to prove that what was produced arrived, complete and intact. */
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import type { KafkaConnection } from "./config";
import { disconnectWithin } from "./kafka";

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
 * Reads a topic from the beginning with a fresh consumer group until `expected` messages
 * arrived, the topic stayed idle for idleMs, or timeoutMs passed. Always disconnects.
 */
export async function readTopic(connection: KafkaConnection, topic: string, opts: ReadOptions = {}): Promise<ConsumedMessage[]> {
  const idleMs = opts.idleMs ?? 5_000;
  const deadline = performance.now() + (opts.timeoutMs ?? 60_000);
  const consumer = new Kafka.KafkaConsumer(
    {
      ...connection.clientConfig(),
      "group.id": `kafka-producer-perf-reader-${process.pid}-${Date.now()}`,
      "enable.auto.commit": false,
    } as Kafka.ConsumerGlobalConfig,
    { "auto.offset.reset": "earliest" },
  );
  consumer.on("event.error", () => undefined);
  const out: ConsumedMessage[] = [];
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(`consumer could not connect: ${err.message}`)) : resolve())),
  );
  try {
    consumer.setDefaultConsumeTimeout(200);
    consumer.subscribe([topic]);
    let lastNew = performance.now();
    while (performance.now() < deadline && (opts.expected === undefined || out.length < opts.expected)) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(1000, (err, msgs) => (err ? reject(err) : resolve(msgs))));
      const now = performance.now();
      for (const m of batch) {
        out.push({ partition: m.partition, offset: m.offset, key: (m.key as Buffer | null) ?? null, value: m.value, timestamp: m.timestamp, receivedAt: now });
      }
      if (batch.length) lastNew = now;
      else if (opts.expected === undefined && now - lastNew > idleMs) break;
    }
  } finally {
    await disconnectWithin(consumer);
  }
  return out;
}
