/**
 * The KafkaJS-compatible promisified API of @confluentinc/kafka-javascript (librdkafka underneath).
 * With MONITORING on it also emits librdkafka's statistics (its `stats_cb`), so the exporter
 * publishes it like our producers; without, it runs as a user of that API would.
 */
import { StatisticsRecorder } from "../../core/statistics";
import { now } from "../../core/time";
import type { KafkaConnection } from "../../config/connection";
import { clientLabel, Kafka, type Settings } from "../../kafka/client";
import { exporterFromEnv } from "../../monitoring/exporter";
import { monitoringRequested } from "../../monitoring/layout";
import type { Driver } from "../framework";
import { ACKS_NUMBER, librdkafkaSettings, MESSAGE_TIMEOUT_MS, messagesPerSend, QUEUE_MAX_MESSAGES, type Workload } from "../workload";
import { PromisifiedClient, saslOf, type PromisifiedProducer } from "./promisified";

/** Records a compat-API run keeps outstanding in send() calls (below librdkafka's queue limit). */
export const CONFLUENT_KAFKAJS_WINDOW = 50_000;

const inFlightOf = (w: Workload) => Math.max(1, Math.floor(CONFLUENT_KAFKAJS_WINDOW / messagesPerSend(w)));

/** A KafkaJS-compatible client for the connection, SASL and TLS (with its CA file) included. */
export function compatKafka(connection: KafkaConnection, clientId: string): Kafka.KafkaJS.Kafka {
  const { ssl, sasl } = saslOf(connection);
  return new Kafka.KafkaJS.Kafka({
    ...(connection.sslCaLocation ? { "ssl.ca.location": connection.sslCaLocation } : {}),
    kafkaJS: {
      brokers: connection.bootstrapServers.split(","),
      clientId,
      logLevel: Kafka.KafkaJS.logLevel.NOTHING,
      ssl: ssl !== false,
      ...(sasl ? { sasl: sasl as never } : {}),
    },
  });
}

export const confluentKafkaJS: Driver = {
  id: "confluent-kafkajs",
  client: () => `${clientLabel()}, KafkaJS-compatible API`,
  async create(ctx) {
    const { workload: w, connection } = ctx;
    const kafka = compatKafka(connection, "kafka-producer-perf-compat");
    const lr = librdkafkaSettings(w);
    const statistics = monitoringRequested() ? new StatisticsRecorder() : undefined;
    const outer: Settings = {
      "linger.ms": lr["linger.ms"],
      "batch.size": lr["batch.size"],
      "batch.num.messages": lr["batch.num.messages"],
      "queue.buffering.max.messages": QUEUE_MAX_MESSAGES,
      "message.timeout.ms": MESSAGE_TIMEOUT_MS,
      ...(connection.sslCaLocation ? { "ssl.ca.location": connection.sslCaLocation } : {}),
      ...(statistics ? { "statistics.interval.ms": 100 } : {}),
      ...ctx.librdkafka,
    };
    if (statistics) exporterFromEnv();
    const producer = kafka.producer({
      ...outer,
      ...(statistics ? { stats_cb: (e: { message: string }) => statistics.add(e.message, now()) } : {}),
      kafkaJS: { acks: ACKS_NUMBER[w.acks], compression: w.compression as never, idempotent: w.idempotence, allowAutoTopicCreation: false },
    } as never) as unknown as PromisifiedProducer;
    const settings: Settings = { acks: ACKS_NUMBER[w.acks], compression: w.compression, idempotent: w.idempotence, ...outer };
    return new PromisifiedClient(
      "@confluentinc KafkaJS-compatible API",
      connection,
      producer,
      ctx.topic,
      messagesPerSend(w),
      inFlightOf(w),
      settings,
      statistics,
    );
  },
  chunk: (w) => messagesPerSend(w) * inFlightOf(w),
  timing: (w) =>
    `first measured send() to the last send() resolving; ${messagesPerSend(w)} records per send(), up to ${inFlightOf(w)} send() calls in flight; ` +
    "a record's latency = its send() call to that send() resolving (all its records acknowledged)",
  extra: (_run, _figures, w) => ({ records_per_send: messagesPerSend(w), sends_in_flight: inFlightOf(w) }),
};
