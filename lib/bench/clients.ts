/**
 * The evidence behind the framework's side-by-side table (section A) for our three TypeScript
 * client APIs: the callback API of @confluentinc/kafka-javascript (our producers), its
 * KafkaJS-compatible promisified API, and pure KafkaJS. Each row of the table is filled from a
 * small measurement here, not from documentation.
 */
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import type { KafkaConnection } from "../config";
import { QUEUE_FULL } from "../producers";
import { deleteTopic, kafkajsVersion, prepareTopic, runOne } from "./runners";
import type { BenchRow } from "./results";
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

function compatKafka(connection: KafkaConnection) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KafkaJS } = require("@confluentinc/kafka-javascript") as typeof import("@confluentinc/kafka-javascript");
  return { KafkaJS, kafka: new KafkaJS.Kafka({ kafkaJS: { brokers: connection.bootstrapServers.split(","), logLevel: KafkaJS.logLevel.NOTHING } }) };
}

function pureKafka(connection: KafkaConnection) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kjs = require("kafkajs") as typeof import("kafkajs");
  return { kjs, kafka: new kjs.Kafka({ brokers: connection.bootstrapServers.split(","), logLevel: kjs.logLevel.NOTHING, clientId: "kafka-producer-perf-clients" }) };
}

export interface SendOneResult {
  api: ClientApi;
  call: string;
  /** What the API handed back about the delivery (JSON). */
  deliveryStatus: string;
  ms: number;
}

/** One record through each API, showing the call and the delivery status it yields. PLAINTEXT targets only. */
export async function sendOneWithEach(connection: KafkaConnection): Promise<SendOneResult[]> {
  const topic = `clients-send-one-${Date.now()}`;
  await prepareTopic(connection, validateWorkload({ partitions: 1 }), topic);
  const out: SendOneResult[] = [];
  try {
    // Callback API: produce() returns at once; the delivery report arrives as an event.
    const p = new Kafka.Producer({ ...connection.clientConfig(), dr_cb: true, "linger.ms": 0 } as Kafka.ProducerGlobalConfig);
    p.on("event.error", () => undefined);
    await new Promise<void>((res, rej) => p.connect({ timeout: 15_000 }, (e) => (e ? rej(e) : res())));
    p.setPollInBackground(true);
    try {
      const t0 = performance.now();
      const report = await new Promise<Kafka.DeliveryReport>((res, rej) => {
        const timer = setTimeout(() => rej(new Error("no delivery report within 15 s")), 15_000);
        p.once("delivery-report", (err, r) => {
          clearTimeout(timer);
          if (err) rej(err);
          else res(r);
        });
        p.produce(topic, null, Buffer.from("hello"), "k", null);
      });
      out.push({ api: "callback", call: "producer.produce(topic, null, value, key) + 'delivery-report' event (err, report)", deliveryStatus: JSON.stringify({ topic: report.topic, partition: report.partition, offset: report.offset, key: String(report.key) }), ms: performance.now() - t0 });
    } finally {
      p.setPollInBackground(false);
      await new Promise<void>((res) => p.disconnect(5000, () => res()));
    }
    // KafkaJS-compatible API: await send() → RecordMetadata[].
    const { kafka: ck } = compatKafka(connection);
    const cp = ck.producer({ "linger.ms": 0 } as never);
    await cp.connect();
    try {
      const t0 = performance.now();
      const md = await cp.send({ topic, messages: [{ key: "k", value: "hello" }] });
      out.push({ api: "compat", call: "await producer.send({ topic, messages: [{ key, value }] })", deliveryStatus: JSON.stringify(md), ms: performance.now() - t0 });
    } finally {
      await cp.disconnect();
    }
    // Pure KafkaJS: the same call shape, acks per send().
    const { kafka: pk } = pureKafka(connection);
    const pp = pk.producer({ allowAutoTopicCreation: false });
    await pp.connect();
    try {
      const t0 = performance.now();
      const md = await pp.send({ topic, acks: -1, messages: [{ key: "k", value: "hello" }] });
      out.push({ api: "kafkajs", call: "await producer.send({ topic, acks, compression, messages: [{ key, value }] })", deliveryStatus: JSON.stringify(md), ms: performance.now() - t0 });
    } finally {
      await pp.disconnect();
    }
  } finally {
    await deleteTopic(connection, topic).catch(() => undefined);
  }
  return out;
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
export async function backpressureDemo(connection: KafkaConnection, attempted = 5000, queueLimit = 1000): Promise<BackpressureResult[]> {
  const topic = `clients-backpressure-${Date.now()}`;
  await prepareTopic(connection, validateWorkload({ partitions: 1 }), topic);
  const out: BackpressureResult[] = [];
  const value = Buffer.alloc(100, 65);
  try {
    // Callback API: produce() throws ERR__QUEUE_FULL synchronously.
    const p = new Kafka.Producer({ ...connection.clientConfig(), dr_cb: true, "queue.buffering.max.messages": queueLimit } as Kafka.ProducerGlobalConfig);
    p.on("event.error", () => undefined);
    await new Promise<void>((res, rej) => p.connect({ timeout: 15_000 }, (e) => (e ? rej(e) : res())));
    p.setPollInBackground(true);
    try {
      let accepted = 0;
      let full = 0;
      let firstError = "";
      for (let i = 0; i < attempted; i++) {
        try {
          p.produce(topic, null, value, null, null);
          accepted++;
        } catch (e) {
          if ((e as { code?: number }).code === QUEUE_FULL) {
            full++;
            firstError ||= (e as Error).message;
          } else throw e;
        }
      }
      await new Promise<void>((res) => p.flush(15_000, () => res()));
      out.push({ api: "callback", queue_limit: queueLimit, attempted, accepted, behaviour: `produce() threw "${firstError}" (code ${QUEUE_FULL}) ${full} times: the caller must wait for deliveries and retry (our AsyncProducer does)` });
    } finally {
      p.setPollInBackground(false);
      await new Promise<void>((res) => p.disconnect(5000, () => res()));
    }
    // Compat API: the send() whose record did not fit rejects.
    const { kafka: ck } = compatKafka(connection);
    const cp = ck.producer({ "queue.buffering.max.messages": queueLimit } as never);
    await cp.connect();
    try {
      const results = await Promise.allSettled(Array.from({ length: attempted }, () => cp.send({ topic, messages: [{ value }] })));
      const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      const reason = rejected[0] ? String((rejected[0].reason as Error).message ?? rejected[0].reason) : "";
      out.push({ api: "compat", queue_limit: queueLimit, attempted, accepted: attempted - rejected.length, behaviour: rejected.length ? `${rejected.length} send() calls rejected with "${reason}": the caller must catch and retry` : "every send() resolved (the queue never filled in this run)" });
    } finally {
      await cp.disconnect();
    }
    // Pure KafkaJS: no local queue limit; every send() is a request, memory is the limit.
    const { kafka: pk } = pureKafka(connection);
    const pp = pk.producer({ allowAutoTopicCreation: false });
    await pp.connect();
    try {
      const heap0 = process.memoryUsage().heapUsed;
      const sends = Array.from({ length: attempted }, () => pp.send({ topic, acks: -1, messages: [{ value }] }));
      const heapPeak = process.memoryUsage().heapUsed;
      const results = await Promise.allSettled(sends);
      const rejected = results.filter((r) => r.status === "rejected").length;
      out.push({ api: "kafkajs", queue_limit: "none", attempted, accepted: attempted - rejected, behaviour: `no local queue limit: all ${attempted} send() calls were accepted at once (heap +${((heapPeak - heap0) / 2 ** 20).toFixed(1)} MiB while pending), ${rejected} rejected; nothing pushes back but memory and request timeouts` });
    } finally {
      await pp.disconnect();
    }
  } finally {
    await deleteTopic(connection, topic).catch(() => undefined);
  }
  return out;
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
        else out.push({ codec, api, ok: r.errors === 0 && r.delivered === records, msgsPerSec: r.msgsPerSec, note: r.errors ? r.errorSamples[0] ?? `${r.errors} errors` : "" });
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
  errors: number;
  msgsPerSec: number;
  setting: string;
}

/** An idempotent run through each API (acks=all). */
export async function idempotenceCheck(connection: KafkaConnection, records = 2000): Promise<IdempotenceCell[]> {
  const out: IdempotenceCell[] = [];
  const setting: Record<ClientApi, string> = { callback: "enable.idempotence=true", compat: "kafkaJS: { idempotent: true }", kafkajs: "idempotent: true, maxInFlightRequests: 1" };
  for (const api of CLIENT_APIS) {
    const workload = validateWorkload({ records, warmupRecords: Math.min(200, records), idempotence: true, acks: "all" });
    const r = await runOne(API_RUNNER[api], { connection, workload });
    out.push({ api, delivered: r.delivered, errors: r.errors, msgsPerSec: r.msgsPerSec, setting: setting[api] });
  }
  return out;
}

export interface ClientEvidence {
  sendOne: SendOneResult[];
  forgotPoll?: { reportsWithoutPoll: number; produced: number };
  backpressure: BackpressureResult[];
  idempotence: IdempotenceCell[];
  codecs: CodecCell[];
  rows: BenchRow[];
  settings: Partial<Record<ClientApi, Record<string, string | number | boolean>>>;
}

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The framework's side-by-side table for our three APIs, every cell from the evidence measured above. */
export function sideBySideMarkdown(e: ClientEvidence): string {
  const per = <T extends { api: ClientApi }>(xs: T[], api: ClientApi) => xs.find((x) => x.api === api);
  const row = (aspect: string, f: (api: ClientApi) => string) => `| ${aspect} | ${CLIENT_APIS.map((a) => esc(f(a))).join(" | ")} |`;
  const throughput = (api: ClientApi) => e.rows.find((r) => r.producer === API_RUNNER[api]);
  const ref = e.rows.find((r) => r.producer === "perf-tool");
  const lines = [
    `| aspect | ${CLIENT_APIS.map((a) => API_LABELS[a]).join(" | ")} |`,
    `|---|${CLIENT_APIS.map(() => "---").join("|")}|`,
    row("Send API", (a) => `\`${per(e.sendOne, a)?.call ?? "n/a"}\``),
    row("I/O and callbacks", (a) =>
      a === "callback"
        ? `librdkafka threads; delivery reports only when polled (without polling: ${e.forgotPoll ? `${e.forgotPoll.reportsWithoutPoll} of ${e.forgotPoll.produced} reports` : "see 04-tuning"}); we poll in the background`
        : a === "compat"
          ? "librdkafka threads; the wrapper polls in the background and resolves send() from the delivery reports"
          : "pure JavaScript on Node's event loop; no polling, send() resolves from the broker's response",
    ),
    row("Backpressure", (a) => per(e.backpressure, a)?.behaviour ?? "n/a"),
    row("Idempotent produce", (a) => {
      const i = per(e.idempotence, a);
      return i ? `${i.setting}: ${n0(i.delivered)} delivered, ${i.errors} errors (${n0(i.msgsPerSec)} msgs/s)` : "n/a";
    }),
    row("Throughput (this run)", (a) => {
      const t = throughput(a);
      return t ? `${n0(t.msgs_per_s)} msgs/s, p99 ${t.p99_ms.toFixed(1)} ms${ref ? ` (${t.vs_perf_tool.toFixed(2)}× Java's ProducerPerformance at ${n0(ref.msgs_per_s)})` : ""}` : "not run";
    }),
    row("Compression codecs", (a) => {
      const cs = e.codecs.filter((c) => c.api === a);
      const ok = cs.filter((c) => c.ok).map((c) => c.codec);
      const no = cs.filter((c) => !c.ok).map((c) => c.codec);
      return `${ok.join(", ") || "none"}${no.length ? `; not: ${no.join(", ")}` : ""}`;
    }),
    row("Common tunables", (a) =>
      a === "kafkajs"
        ? "acks, compression, timeout per send(); idempotent, maxInFlightRequests; no linger.ms or batch.size (a batch is one send())"
        : `every librdkafka property (${Object.keys(e.settings[a] ?? {}).filter((k) => /linger|batch|compression|acks|idempot/.test(k)).join(", ") || "linger.ms, batch.size, …"} used here)`,
    ),
    row("Delivery status", (a) => {
      const s = per(e.sendOne, a);
      return s ? `${a === "callback" ? "report in the callback" : "send() resolves to"} ${s.deliveryStatus.slice(0, 160)}` : "n/a";
    }),
  ];
  return lines.join("\n");
}

export { kafkajsVersion };

/** Plain records as a DataFrame (numbers rounded to 3 decimals) for showTable. */
export function framesOf(records: object[]): import("nodejs-polars").DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pl = require("nodejs-polars") as typeof import("nodejs-polars");
  return pl.DataFrame(records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 1000) / 1000 : v]))));
}

/** The codec matrix pivoted: one row per codec, one column per API ("✓ 12,345 msgs/s" or "✗ reason"). */
export function codecFrame(cells: CodecCell[]): import("nodejs-polars").DataFrame {
  const rows = COMPRESSIONS.map((codec) => {
    const row: Record<string, string> = { codec };
    for (const api of CLIENT_APIS) {
      const c = cells.find((x) => x.codec === codec && x.api === api);
      row[API_LABELS[api]] = !c ? "" : c.ok ? `✓ ${n0(c.msgsPerSec)} msgs/s` : `✗ ${c.note}`;
    }
    return row;
  });
  return framesOf(rows);
}
