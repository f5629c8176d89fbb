/**
 * The evidence behind the framework's side-by-side table (section A) for our three TypeScript
 * client APIs: the callback API of @confluentinc/kafka-javascript (our producers), its
 * KafkaJS-compatible promisified API, and pure KafkaJS. Each row of the table is filled from a
 * small measurement here, not from documentation.
 */
import type pl from "nodejs-polars";
import type { KafkaConnection } from "../config/connection";
import { fmt } from "../core/format";
import { now, withTimeout } from "../core/time";
import { withFreshTopic } from "../kafka/admin";
import { connectWithin, disconnectWithin, ERR, flushWithin, Kafka, type Settings } from "../kafka/client";
import { rowsFrame } from "../notebook/display";
import { compatKafka } from "./drivers/confluent-kafkajs";
import { runOne } from "./drivers/index";
import { pureKafka } from "./drivers/kafkajs";
import { withPromisified } from "./drivers/promisified";
import type { ProducerId } from "./run";
import { COMPRESSIONS, validateWorkload, type Compression } from "./workload";

export const CLIENT_APIS = ["callback", "compat", "kafkajs"] as const;
export type ClientApi = (typeof CLIENT_APIS)[number];
export const API_LABELS: Record<ClientApi, string> = {
  callback: "@confluentinc callback API (our producers)",
  compat: "@confluentinc KafkaJS-compatible API",
  kafkajs: "KafkaJS (pure JavaScript)",
};
/** The bench runner that stands for each API in throughput runs. */
export const API_RUNNER: Record<ClientApi, ProducerId> = { callback: "ours-async", compat: "confluent-kafkajs", kafkajs: "kafkajs" };

/** The client id of this file's demonstration clients. */
const CLIENT_ID = "kafka-producer-perf-clients";

/** Runs body with a callback-API producer connected and polled in the background; disconnects it afterwards. */
async function withCallbackProducer<T>(
  connection: KafkaConnection,
  settings: Settings,
  body: (p: Kafka.Producer) => Promise<T>,
): Promise<T> {
  const p = new Kafka.Producer({ ...connection.clientConfig(), dr_cb: true, ...settings } as Kafka.ProducerGlobalConfig);
  p.on("event.error", () => undefined);
  await connectWithin(p, connection.bootstrapServers, { what: "producer" });
  p.setPollInBackground(true);
  try {
    return await body(p);
  } finally {
    p.setPollInBackground(false);
    await disconnectWithin(p, 5_000);
  }
}

export interface SendOneResult {
  api: ClientApi;
  call: string;
  /** What the API handed back about the delivery (JSON). */
  deliveryStatus: string;
  ms: number;
}

/** One record through each API, showing the call and the delivery status it yields. PLAINTEXT targets only. */
export function sendOneWithEach(connection: KafkaConnection): Promise<SendOneResult[]> {
  return withFreshTopic(connection, { prefix: "clients-send-one" }, async (topic) => {
    const out: SendOneResult[] = [];
    const timed = async <T>(send: () => Promise<T>) => {
      const t0 = now();
      const status = await send();
      return { status, ms: now() - t0 };
    };
    // Callback API: produce() returns at once; the delivery report arrives as an event.
    await withCallbackProducer(connection, { "linger.ms": 0 }, async (p) => {
      const { status: report, ms } = await timed(() => {
        const delivered = new Promise<Kafka.DeliveryReport>((res, rej) => {
          p.once("delivery-report", (err, r) => (err ? rej(err) : res(r)));
          p.produce(topic, null, Buffer.from("hello"), "k", null);
        });
        return withTimeout(delivered, 15_000, () => new Error("no delivery report within 15 s"));
      });
      const deliveryStatus = JSON.stringify({
        topic: report.topic,
        partition: report.partition,
        offset: report.offset,
        key: String(report.key),
      });
      out.push({
        api: "callback",
        call: "producer.produce(topic, null, value, key) + 'delivery-report' event (err, report)",
        deliveryStatus,
        ms,
      });
    });
    // KafkaJS-compatible API: await send() → RecordMetadata[].
    await withPromisified(
      compatKafka(connection, CLIENT_ID).producer({ "linger.ms": 0 } as never),
      API_LABELS.compat,
      connection,
      async (cp) => {
        const { status, ms } = await timed(() => cp.send({ topic, messages: [{ key: "k", value: "hello" }] }));
        out.push({
          api: "compat",
          call: "await producer.send({ topic, messages: [{ key, value }] })",
          deliveryStatus: JSON.stringify(status),
          ms,
        });
      },
    );
    // Pure KafkaJS: the same call shape, acks per send().
    await withPromisified(
      pureKafka(connection, CLIENT_ID).kafka.producer({ allowAutoTopicCreation: false }),
      API_LABELS.kafkajs,
      connection,
      async (pp) => {
        const { status, ms } = await timed(() => pp.send({ topic, acks: -1, messages: [{ key: "k", value: "hello" }] }));
        out.push({
          api: "kafkajs",
          call: "await producer.send({ topic, acks, compression, messages: [{ key, value }] })",
          deliveryStatus: JSON.stringify(status),
          ms,
        });
      },
    );
    return out;
  });
}

export interface BackpressureResult {
  api: ClientApi;
  /** The local queue's limit (queue.buffering.max.messages); KafkaJS has none. */
  queue_limit: number | string;
  attempted: number;
  accepted: number;
  /** What the API did when more was offered than its local queue holds. */
  behaviour: string;
}

/**
 * Offers `attempted` records at once to a client whose local queue holds `queueLimit` (KafkaJS has
 * no such limit): what happens when the producer outruns the broker.
 */
export function backpressureDemo(connection: KafkaConnection, attempted = 5000, queueLimit = 1000): Promise<BackpressureResult[]> {
  const value = Buffer.alloc(100, 65);
  return withFreshTopic(connection, { prefix: "clients-backpressure" }, async (topic) => {
    const out: BackpressureResult[] = [];
    // Callback API: produce() throws ERR__QUEUE_FULL synchronously.
    await withCallbackProducer(connection, { "queue.buffering.max.messages": queueLimit }, async (p) => {
      let accepted = 0;
      let full = 0;
      let firstError = "";
      for (let i = 0; i < attempted; i++) {
        try {
          p.produce(topic, null, value, null, null);
          accepted++;
        } catch (e) {
          if ((e as { code?: number }).code !== ERR.ERR__QUEUE_FULL) throw e;
          full++;
          firstError ||= (e as Error).message;
        }
      }
      await flushWithin(p, 15_000).catch(() => undefined);
      const behaviour = `produce() threw "${firstError}" (code ${ERR.ERR__QUEUE_FULL}) ${full} times: the caller must wait for deliveries and retry (our AsyncProducer does)`;
      out.push({ api: "callback", queue_limit: queueLimit, attempted, accepted, behaviour });
    });
    // Compat API: the send() whose record did not fit rejects.
    const compat = compatKafka(connection, CLIENT_ID).producer({ "queue.buffering.max.messages": queueLimit } as never);
    await withPromisified(compat, API_LABELS.compat, connection, async (cp) => {
      const results = await Promise.allSettled(Array.from({ length: attempted }, () => cp.send({ topic, messages: [{ value }] })));
      const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      const reason = rejected[0] ? String((rejected[0].reason as Error).message ?? rejected[0].reason) : "";
      const behaviour = rejected.length
        ? `${rejected.length} send() calls rejected with "${reason}": the caller must catch and retry`
        : "every send() resolved (the queue never filled in this run)";
      out.push({ api: "compat", queue_limit: queueLimit, attempted, accepted: attempted - rejected.length, behaviour });
    });
    // Pure KafkaJS: no local queue limit; every send() is a request, memory is the limit.
    await withPromisified(
      pureKafka(connection, CLIENT_ID).kafka.producer({ allowAutoTopicCreation: false }),
      API_LABELS.kafkajs,
      connection,
      async (pp) => {
        const heap0 = process.memoryUsage().heapUsed;
        const sends = Array.from({ length: attempted }, () => pp.send({ topic, acks: -1, messages: [{ value }] }));
        const heapPeak = process.memoryUsage().heapUsed;
        const rejected = (await Promise.allSettled(sends)).filter((r) => r.status === "rejected").length;
        const behaviour =
          `no local queue limit: all ${attempted} send() calls were accepted at once (heap +${((heapPeak - heap0) / 2 ** 20).toFixed(1)} MiB while pending), ` +
          `${rejected} rejected; nothing pushes back but memory and request timeouts`;
        out.push({ api: "kafkajs", queue_limit: "none", attempted, accepted: attempted - rejected, behaviour });
      },
    );
    return out;
  });
}

export interface CodecCell {
  codec: Compression;
  api: ClientApi;
  ok: boolean;
  msgsPerSec: number;
  note: string;
}

/** Each codec through each API with a small run: supported (and its rate) or the reason it is not. */
export async function codecMatrix(connection: KafkaConnection, records = 2000): Promise<CodecCell[]> {
  const out: CodecCell[] = [];
  for (const codec of COMPRESSIONS) {
    for (const api of CLIENT_APIS) {
      const workload = validateWorkload({ records, warmupRecords: Math.min(200, records), compression: codec, partitions: 1 });
      try {
        const r = await runOne(API_RUNNER[api], { connection, workload });
        if (r.unsupported) out.push({ codec, api, ok: false, msgsPerSec: NaN, note: r.unsupported });
        else
          out.push({
            codec,
            api,
            ok: r.figures.failed === 0 && r.figures.delivered === records,
            msgsPerSec: r.figures.msgs_per_s,
            note: r.figures.failed ? (r.errorSamples[0] ?? `${r.figures.failed} failed`) : "",
          });
      } catch (e) {
        out.push({ codec, api, ok: false, msgsPerSec: NaN, note: (e as Error).message });
      }
    }
  }
  return out;
}

export interface IdempotenceCell {
  api: ClientApi;
  delivered: number;
  failed: number;
  msgsPerSec: number;
  setting: string;
}

/** An idempotent run through each API (acks=all). */
export async function idempotenceCheck(connection: KafkaConnection, records = 2000): Promise<IdempotenceCell[]> {
  const out: IdempotenceCell[] = [];
  const setting: Record<ClientApi, string> = {
    callback: "enable.idempotence=true",
    compat: "kafkaJS: { idempotent: true }",
    kafkajs: "idempotent: true, maxInFlightRequests: 1",
  };
  for (const api of CLIENT_APIS) {
    const workload = validateWorkload({ records, warmupRecords: Math.min(200, records), idempotence: true, acks: "all" });
    const r = await runOne(API_RUNNER[api], { connection, workload });
    out.push({ api, delivered: r.figures.delivered, failed: r.figures.failed, msgsPerSec: r.figures.msgs_per_s, setting: setting[api] });
  }
  return out;
}

/** The codec matrix pivoted: one row per codec, one column per API ("✓ 12,345 msgs/s" or "✗ reason"). */
export function codecFrame(cells: CodecCell[]): pl.DataFrame {
  const rows = COMPRESSIONS.map((codec) => {
    const row: Record<string, string> = { codec };
    for (const api of CLIENT_APIS) {
      const c = cells.find((x) => x.codec === codec && x.api === api);
      row[API_LABELS[api]] = !c ? "" : c.ok ? `✓ ${fmt(c.msgsPerSec)} msgs/s` : `✗ ${c.note}`;
    }
    return row;
  });
  return rowsFrame(rows);
}
