/**
 * The two KafkaJS-style promisified APIs (the @confluentinc compat API and pure KafkaJS) as a
 * MeasuredClient: send() hands over groups of records, one send() call each, keeping at most
 * `inFlight` calls outstanding; a record's latency is from its send() call to that call resolving
 * (every record of the call acknowledged).
 */
import * as fs from "node:fs";
import type { KafkaConnection } from "../../config/connection";
import { DeliveryError, KppError } from "../../core/errors";
import { DeliveryRecorder } from "../../core/recorder";
import type { StatisticsRecorder } from "../../core/statistics";
import { now, settleWithin, withTimeout } from "../../core/time";
import type { Settings } from "../../kafka/client";
import type { MeasuredClient, OutgoingMessage } from "../../producers/base";

export interface PromisifiedProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(o: { topic: string; messages: { key: string | null; value: Buffer }[] }): Promise<unknown>;
}

export class PromisifiedClient implements MeasuredClient {
  private recorder = new DeliveryRecorder({ capacity: 0, perRecord: false });
  private readonly pending = new Set<Promise<void>>();
  private connected = false;
  /** Delivered and failed in the recorders used before the current one. */
  private deliveredBefore = 0;
  private failedBefore = 0;

  constructor(
    private readonly label: string,
    private readonly connection: KafkaConnection,
    private readonly producer: PromisifiedProducer,
    private readonly topic: string,
    private readonly perSend: number,
    private readonly inFlight: number,
    readonly settings: Settings,
    /** librdkafka's statistics, when the client emits them (the compat API with MONITORING on). */
    readonly statistics?: StatisticsRecorder,
  ) {
    if (statistics) {
      statistics.deliveries = () => ({
        topic,
        delivered: this.deliveredBefore + this.recorder.delivered,
        failed: this.failedBefore + this.recorder.failed,
      });
    }
  }

  useRecorder(recorder: DeliveryRecorder): void {
    this.deliveredBefore += this.recorder.delivered;
    this.failedBefore += this.recorder.failed;
    this.recorder = recorder;
  }

  async connect(): Promise<void> {
    await connectPromisified(this.producer, this.label, this.connection);
    this.connected = true;
  }

  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i += this.perSend) {
      if (shouldStop?.()) return i;
      while (this.pending.size >= this.inFlight) await Promise.race(this.pending);
      this.sendGroup(messages.slice(i, i + this.perSend), firstSeq + i);
    }
    return messages.length;
  }

  private sendGroup(group: readonly OutgoingMessage[], first: number): void {
    const recorder = this.recorder;
    const start = now();
    for (let k = 0; k < group.length; k++) recorder.markSent(first + k, start);
    const settle = (ok: boolean, error?: string) => {
      const at = now();
      for (let k = 0; k < group.length; k++) recorder.record(first + k, ok, at, error);
    };
    const call = this.producer
      .send({ topic: this.topic, messages: group.map((m) => ({ key: m.key as string | null, value: m.value })) })
      .then(
        () => settle(true),
        (e: unknown) => settle(false, String((e as Error)?.message ?? e)),
      );
    this.pending.add(call);
    void call.finally(() => this.pending.delete(call));
  }

  async flush(timeoutMs: number): Promise<void> {
    await withTimeout(
      Promise.all(this.pending),
      timeoutMs,
      () => new DeliveryError(`${this.label}: ${this.pending.size} send() calls unresolved after ${timeoutMs} ms`),
    );
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await disconnectPromisified(this.producer);
  }
}

/** connect() of a promisified producer, bounded: a KppError of kind "connection" after 20 s. */
export function connectPromisified(
  producer: Pick<PromisifiedProducer, "connect">,
  label: string,
  connection: KafkaConnection,
): Promise<void> {
  return withTimeout(
    producer.connect(),
    20_000,
    () => new KppError("connection", `${label}: could not connect to ${connection.bootstrapServers} within 20 s`),
  );
}

/** disconnect() of a promisified producer, bounded; never rejects. */
export function disconnectPromisified(producer: Pick<PromisifiedProducer, "disconnect">): Promise<void> {
  return settleWithin(producer.disconnect(), 15_000);
}

/**
 * TLS and credentials for the promisified APIs, from the connection (used in memory only, never
 * printed). A broker with a self-signed certificate (KAFKA_SSL_CA_LOCATION) needs its CA given
 * explicitly: KafkaJS does not read librdkafka's ssl.ca.location.
 */
export function saslOf(connection: KafkaConnection): {
  ssl: boolean | { ca: Buffer[] };
  sasl?: { mechanism: string; username: string; password: string };
} {
  const c = connection.clientConfig();
  const tls = connection.securityProtocol.endsWith("SSL");
  const ssl = tls && connection.sslCaLocation ? { ca: [fs.readFileSync(connection.sslCaLocation)] } : tls;
  if (!c["sasl.username"]) return { ssl };
  return {
    ssl,
    sasl: { mechanism: String(c["sasl.mechanisms"]).toLowerCase(), username: c["sasl.username"], password: c["sasl.password"] ?? "" },
  };
}

/** Runs body with a promisified producer connected (bounded), and disconnects it afterwards, whatever happens. */
export async function withPromisified<P extends Pick<PromisifiedProducer, "connect" | "disconnect">, T>(
  producer: P,
  label: string,
  connection: KafkaConnection,
  body: (producer: P) => Promise<T>,
): Promise<T> {
  await connectPromisified(producer, label, connection);
  try {
    return await body(producer);
  } finally {
    await disconnectPromisified(producer);
  }
}
