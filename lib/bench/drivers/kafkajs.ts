/**
 * The pure-JavaScript KafkaJS client. KafkaJS has no linger or byte-sized batches: a batch is
 * what one send() carries, so it gets batch.size / record size records per send(). A codec it
 * cannot use is reported (with KafkaJS's own error) as unsupported.
 */
import type { KafkaConnection } from "../../config/connection";
import type { Driver } from "../framework";
import { unsupportedRun } from "../run";
import { ACKS_NUMBER, KAFKAJS_IN_FLIGHT, messagesPerSend, type Workload } from "../workload";
import { connectPromisified, disconnectPromisified, PromisifiedClient, saslOf, type PromisifiedProducer } from "./promisified";

type KafkaJSModule = typeof import("kafkajs");

function kafkajs(): KafkaJSModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("kafkajs") as KafkaJSModule;
}

export function kafkajsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return `kafkajs ${(require("kafkajs/package.json") as { version: string }).version}`;
}

/** KafkaJS's codec ids; only GZIP ships with it, the others need a codec package registered. */
function codecOf(kjs: KafkaJSModule, c: Workload["compression"]): number {
  const t = kjs.CompressionTypes;
  return { none: t.None, gzip: t.GZIP, snappy: t.Snappy, lz4: t.LZ4, zstd: t.ZSTD }[c];
}

const inFlightOf = (w: Workload) => (w.idempotence ? 1 : KAFKAJS_IN_FLIGHT);

/** A KafkaJS client for the connection, SASL and TLS included, with the module it came from. */
export function pureKafka(connection: KafkaConnection, clientId: string): { kjs: KafkaJSModule; kafka: import("kafkajs").Kafka } {
  const kjs = kafkajs();
  const { ssl, sasl } = saslOf(connection);
  const kafka = new kjs.Kafka({
    clientId,
    brokers: connection.bootstrapServers.split(","),
    logLevel: kjs.logLevel.NOTHING,
    ssl,
    ...(sasl ? { sasl: sasl as never } : {}),
  });
  return { kjs, kafka };
}

export const kafkaJS: Driver = {
  id: "kafkajs",
  client: kafkajsVersion,
  async create(ctx) {
    const { workload: w, connection, topic } = ctx;
    const { kjs, kafka } = pureKafka(connection, "kafka-producer-perf-kafkajs");
    const compression = codecOf(kjs, w.compression);
    const acks = ACKS_NUMBER[w.acks];
    if (w.compression !== "none" && w.compression !== "gzip") {
      // Try the codec once: KafkaJS throws KafkaJSNotImplemented unless a codec package was registered.
      const probe = kafka.producer({ allowAutoTopicCreation: false });
      await connectPromisified(probe, "KafkaJS", connection);
      try {
        await probe.send({ topic, acks, compression, messages: [{ value: Buffer.from("codec probe") }] });
      } catch (e) {
        const why = `KafkaJS: ${(e as Error).message} (it ships only GZIP; ${w.compression} needs a codec package, not installed here)`;
        return unsupportedRun("kafkajs", kafkajsVersion(), w, topic, why);
      } finally {
        await disconnectPromisified(probe);
      }
    }
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: w.idempotence,
      ...(w.idempotence ? { maxInFlightRequests: 1 } : {}),
    });
    const wrapped: PromisifiedProducer = {
      connect: () => producer.connect(),
      disconnect: () => producer.disconnect(),
      send: (o) => producer.send({ ...o, acks, compression }),
    };
    const perSend = messagesPerSend(w);
    const settings = {
      acks,
      compression: w.compression,
      idempotent: w.idempotence,
      records_per_send: perSend,
      sends_in_flight: inFlightOf(w),
      "linger.ms": "(none in KafkaJS)",
      "batch.size": `(none: ${perSend} records per send())`,
    };
    return new PromisifiedClient("KafkaJS", connection, wrapped, topic, perSend, inFlightOf(w), settings);
  },
  chunk: (w) => messagesPerSend(w) * inFlightOf(w),
  timing: (w) =>
    `first measured send() to the last send() resolving; ${messagesPerSend(w)} records per send() (batch.size / record size: KafkaJS has no linger or byte batches), ` +
    `up to ${inFlightOf(w)} send() calls in flight; latency = send() call to resolution`,
  extra: (_run, _figures, w) => ({ records_per_send: messagesPerSend(w), sends_in_flight: inFlightOf(w) }),
};
