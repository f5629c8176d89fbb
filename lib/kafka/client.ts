/**
 * The plumbing over @confluentinc/kafka-javascript: the only place that turns the client's
 * callback-style calls (connect, flush, disconnect, consume) into promises, every one of them
 * bounded, so that no caller can hang on a client that never calls back. Error codes come from
 * the client's own table (Kafka.CODES.ERRORS), not from magic numbers.
 */
import * as Kafka from "@confluentinc/kafka-javascript";
import { DeliveryError, KppError } from "../core/errors";
import { settleWithin, withTimeout } from "../core/time";

export { Kafka };

/** librdkafka's error codes, e.g. ERR.ERR__QUEUE_FULL (-184, "Local: Queue full"). */
export const ERR = Kafka.CODES.ERRORS;

/** librdkafka's logical offsets (RD_KAFKA_OFFSET_BEGINNING / _END); not in the error table. */
export const OFFSET = { beginning: -2, end: -1 } as const;

export type Settings = Record<string, string | number | boolean>;

/** "Local: Queue full (code -184)": an error as the client reports it. */
export function describeKafkaError(err: { message?: string; code?: number } | null | undefined): string {
  if (!err) return "unknown error";
  return err.code !== undefined ? `${err.message} (code ${err.code})` : String(err.message);
}

/** The client's and librdkafka's versions, for environment cells and chart titles. */
export function clientVersions(): { client: string; librdkafka: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require("@confluentinc/kafka-javascript/package.json") as { version: string };
  return { client: `@confluentinc/kafka-javascript ${pkg.version}`, librdkafka: Kafka.librdkafkaVersion };
}

/** "@confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1)". */
export function clientLabel(): string {
  const v = clientVersions();
  return `${v.client} (librdkafka ${v.librdkafka})`;
}

type ConnectCallback = (err: Kafka.LibrdKafkaError | null | undefined, data: Kafka.Metadata) => unknown;
interface Connectable {
  connect(opts: { timeout?: number; allTopics?: boolean }, cb: ConnectCallback): unknown;
}

export interface ConnectOptions {
  /** Who is connecting, for the error: "producer", "consumer", … */
  what?: string;
  timeoutMs?: number;
}

/**
 * Connects and waits for the cluster's metadata, within timeoutMs (default 15 s). A failure is a
 * KppError of kind "connection" naming the servers.
 */
export async function connectWithin(client: Connectable, servers: string, opts: ConnectOptions = {}): Promise<Kafka.Metadata> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const what = opts.what ?? "client";
  const fail = (detail: string) =>
    new KppError("connection", `${what} could not connect to ${servers}: ${detail}; is the broker running (npm run broker:start)?`);
  const connected = new Promise<Kafka.Metadata>((resolve, reject) =>
    client.connect({ timeout: timeoutMs }, (err, metadata) => (err ? reject(fail(describeKafkaError(err))) : resolve(metadata))),
  );
  // A guard beyond the client's own timeout, in case it never calls back.
  return withTimeout(connected, timeoutMs + 1_000, () => fail(`no answer within ${timeoutMs} ms`));
}

interface Disconnectable {
  disconnect(...args: unknown[]): unknown;
}

/**
 * Disconnects and resolves when the client says it is done, or after timeoutMs at the latest. A
 * producer first flushes for up to timeoutMs (the client's own behaviour); a client that never
 * connected is fine. Never rejects: clean-up must not fail a run.
 */
export function disconnectWithin(client: Disconnectable, timeoutMs = 10_000): Promise<void> {
  const done = new Promise<void>((resolve) => {
    try {
      if (client instanceof Kafka.Producer) client.disconnect(timeoutMs, () => resolve());
      else client.disconnect(() => resolve());
    } catch {
      resolve(); // never connected
    }
  });
  return settleWithin(done, timeoutMs + 1_000);
}

/** flush(): sends everything queued and resolves once librdkafka's queue is empty; a DeliveryError otherwise. */
export function flushWithin(producer: Kafka.Producer, timeoutMs: number): Promise<void> {
  const flushed = new Promise<void>((resolve, reject) =>
    producer.flush(timeoutMs, (err) => (err ? reject(new DeliveryError(`flush: ${describeKafkaError(err)}`, err.code)) : resolve())),
  );
  return withTimeout(flushed, timeoutMs + 1_000, () => new DeliveryError(`flush: no answer within ${timeoutMs} ms`));
}

/**
 * Makes consume() wait (its default consume timeout) only for a call's first message, then return
 * what is ready instead of waiting to fill the batch. The client has the method; its typings lack it.
 */
export function timeoutOnlyForFirstMessage(consumer: Kafka.KafkaConsumer): void {
  (consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
}

/** Up to `max` messages from a subscribed consumer (its default consume timeout applies); rejects with the client's error. */
export function consumeBatch(consumer: Kafka.KafkaConsumer, max: number): Promise<Kafka.Message[]> {
  return new Promise((resolve, reject) => consumer.consume(max, (err, msgs) => (err ? reject(err) : resolve(msgs))));
}
