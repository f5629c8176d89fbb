/**
 * The producers of the comparison, each running one Workload on one topic the same way:
 * warm-up records first (sent, acknowledged, not measured), then the measured records, timed on
 * performance.now() from the first measured send to the last acknowledgement, with a latency per
 * record from its send call to its acknowledgement reaching JavaScript.
 *
 * - ours-async / ours-sync: lib/producers.ts (callback API of @confluentinc/kafka-javascript);
 * - confluent-kafkajs: the same package's KafkaJS-compatible promisified API;
 * - kafkajs: the pure-JavaScript KafkaJS package;
 * - perf-tool: Java's ProducerPerformance (lib/bench/perf-tool.ts).
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import * as Kafka from "@confluentinc/kafka-javascript";
import type { KafkaConnection } from "../config";
import { AsyncProducer, clientVersions, SyncProducer, type OutgoingMessage, type Settings } from "../producers";
import { ensureTopic } from "../topics";
import { latencyStats } from "./latency";
import { runPerfTool } from "./perf-tool";
import { PRODUCER_LABELS, rates, unsupportedRun, type BenchRun, type ProducerId } from "./run";
import {
  ACKS_NUMBER,
  KAFKAJS_IN_FLIGHT,
  keyFor,
  librdkafkaSettings,
  makePayloads,
  messagesPerSend,
  type Workload,
} from "./workload";

export interface BenchProgress {
  producer: ProducerId;
  phase: "warm-up" | "measuring" | "done";
  acknowledged: number;
  total: number;
  elapsedMs: number;
}

export interface RunContext {
  connection: KafkaConnection;
  workload: Workload;
  topic: string;
  onProgress?: (e: BenchProgress) => void;
  /** Awaited after the warm-up, just before timing starts (parallel runs use it as a start barrier). */
  beforeMeasure?: () => Promise<void>;
  /** ours-async only: false drops the per-record timestamps and latencies (to measure their cost). */
  bookkeeping?: boolean;
  /** Extra librdkafka settings on top of the workload's (ours and confluent-kafkajs). */
  librdkafka?: Settings;
  /** Receives the per-record latencies (ms) of the measured records (Node runners only). */
  keepLatencies?: (ms: Float64Array) => void;
}

/** Messages a promisified-API runner keeps outstanding with @confluentinc's send() (below librdkafka's queue limit). */
export const CONFLUENT_KAFKAJS_WINDOW = 50_000;
const QUEUE_MAX_MESSAGES = 100_000;
const FLUSH_TIMEOUT_MS = 300_000;

/** Throttled progress: at most every 250 ms, plus the final event. */
function progress(ctx: RunContext, producer: ProducerId, total: number): (phase: BenchProgress["phase"], acknowledged: number, elapsedMs: number) => void {
  let last = -Infinity;
  return (phase, acknowledged, elapsedMs) => {
    const now = performance.now();
    if (phase !== "done" && now - last < 250) return;
    last = now;
    ctx.onProgress?.({ producer, phase, acknowledged, total, elapsedMs });
  };
}

/** Builds record i's message: a payload from the pool, a key when the workload is keyed. */
function messageFactory(w: Workload): (i: number) => OutgoingMessage {
  const pool = makePayloads(w);
  return (i) => ({ key: w.keyed ? keyFor(i) : null, value: pool[i % pool.length] });
}

/** Creates the run's topic with the workload's partitions and replication factor. */
export async function prepareTopic(connection: KafkaConnection, w: Workload, topic: string): Promise<void> {
  await ensureTopic(connection, { name: topic, partitions: w.partitions, replicationFactor: w.replicationFactor });
}

/** Deletes a topic (bounded; errors ignored: cleanup must never fail a run). */
export async function deleteTopic(connection: KafkaConnection, topic: string, timeoutMs = 10_000): Promise<void> {
  const admin = Kafka.AdminClient.create({ ...connection.clientConfig(), "client.id": "kafka-producer-perf-admin" } as Kafka.GlobalConfig);
  try {
    await new Promise<void>((resolve) => admin.deleteTopic(topic, timeoutMs, () => resolve()));
  } finally {
    admin.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Our producers (lib/producers.ts)
// ---------------------------------------------------------------------------------------------

/** The librdkafka settings our producers and the compat API get for a workload. */
export function oursSettings(w: Workload, mode: "async" | "sync", extra: Settings = {}): Settings {
  const s: Settings = { ...librdkafkaSettings(w), "queue.buffering.max.messages": QUEUE_MAX_MESSAGES };
  // A synchronous producer sends one record and waits: lingering would only add delay to each
  // (extra may still set it, to show exactly that).
  if (mode === "sync") s["linger.ms"] = 0;
  return { ...s, ...extra };
}

/** Our asynchronous producer: produce() without waiting, backpressure on a full queue, flush at the end. */
export async function runOursAsync(ctx: RunContext): Promise<BenchRun> {
  const { workload: w, connection, topic } = ctx;
  const n = w.records;
  const make = messageFactory(w);
  const settings = oursSettings(w, "async", ctx.librdkafka);
  const producer = new AsyncProducer(connection, topic, settings);
  const book = ctx.bookkeeping !== false;
  const sentAt = book ? new Float64Array(n).fill(NaN) : undefined;
  const latency = book ? new Float64Array(n).fill(NaN) : undefined;
  let delivered = 0;
  let failed = 0;
  let warm = 0;
  let lastAck = 0;
  const errors: string[] = [];
  if (sentAt) producer.trackSendTimes(sentAt);
  producer.onDelivery((d) => {
    if (d.seq >= n) return void warm++; // warm-up records carry seq n, n+1, …
    if (d.ok) delivered++;
    else {
      failed++;
      if (errors.length < 3 && d.error) errors.push(d.error);
    }
    if (latency && sentAt) latency[d.seq] = d.ackedAt - sentAt[d.seq];
    lastAck = d.ackedAt;
  });
  const report = progress(ctx, "ours-async", n);
  const CHUNK = 1000;
  try {
    await producer.connect();
    for (let first = 0; first < w.warmupRecords; first += CHUNK) {
      const count = Math.min(CHUNK, w.warmupRecords - first);
      await producer.send(Array.from({ length: count }, (_, i) => make(first + i)), n + first);
      await yieldToEventLoop();
    }
    if (w.warmupRecords > 0) await producer.flush(FLUSH_TIMEOUT_MS);
    report("warm-up", warm, 0);
    await ctx.beforeMeasure?.();
    const t0 = performance.now();
    for (let first = 0; first < n; first += CHUNK) {
      const count = Math.min(CHUNK, n - first);
      const batch: OutgoingMessage[] = new Array(count);
      for (let i = 0; i < count; i++) batch[i] = make(first + i);
      await producer.send(batch, first);
      report("measuring", delivered + failed, performance.now() - t0);
      // Let delivery reports that arrived meanwhile run now (they are timed when they run).
      await yieldToEventLoop();
    }
    await producer.flush(FLUSH_TIMEOUT_MS);
    const wallMs = lastAck - t0;
    report("done", delivered + failed, wallMs);
    if (latency) ctx.keepLatencies?.(latency);
    return {
      producer: "ours-async",
      label: PRODUCER_LABELS["ours-async"],
      client: callbackApiClient(),
      topic,
      records: n,
      recordSize: w.recordSize,
      delivered,
      errors: failed,
      errorSamples: errors,
      wallMs,
      ...rates(delivered, w.recordSize, wallMs),
      latency: latency ? latencyStats(latency) : latencyStats([]),
      timing: "first measured produce() to the last delivery report in JavaScript; latency = first produce() attempt (queue-full waits included) to its delivery report; connect and warm-up excluded",
      settings: producer.settings,
      extra: { queue_full_waits: producer.queueFullWaits, bookkeeping: book ? "on" : "off" },
    };
  } finally {
    await producer.disconnect();
  }
}

/** librdkafka's per-broker statistics windows (µs) we keep: produce round trip per window. */
interface RttWindow {
  p50: number;
  avg: number;
  cnt: number;
}

/** Per window: librdkafka's internal queue time and output-buffer time (µs, medians), for the decomposition. */
interface QueueWindow {
  int: number;
  outbuf: number;
  cnt: number;
}

/** SyncProducer plus librdkafka's statistics (rtt), which the base class does not expose. */
class StatsSyncProducer extends SyncProducer {
  readonly rtt: RttWindow[] = [];
  readonly queues: QueueWindow[] = [];
  constructor(connection: KafkaConnection, topic: string, extra: Settings) {
    super(connection, topic, { ...extra, "statistics.interval.ms": 250 });
    this.client.on("event.stats", (e: { message: string }) => {
      try {
        type Win = { p50: number; avg: number; cnt: number };
        const stats = JSON.parse(e.message) as { brokers?: Record<string, { nodeid: number; rtt?: Win; int_latency?: Win; outbuf_latency?: Win }> };
        for (const b of Object.values(stats.brokers ?? {})) {
          // nodeid -1 is the bootstrap connection; real brokers carry the produce traffic.
          if (b.nodeid >= 0 && b.rtt && b.rtt.cnt > 0) this.rtt.push({ p50: b.rtt.p50, avg: b.rtt.avg, cnt: b.rtt.cnt });
          if (b.nodeid >= 0 && b.int_latency && b.int_latency.cnt > 0) this.queues.push({ int: b.int_latency.p50, outbuf: b.outbuf_latency?.p50 ?? NaN, cnt: b.int_latency.cnt });
        }
      } catch {
        // A malformed statistics string only costs us the rtt figure.
      }
    });
  }
}

/** rtt summary in ms over the windows: request-weighted mean of the windows' medians and means. */
export function summarizeRtt(windows: readonly RttWindow[]): { p50Ms: number; avgMs: number; requests: number } {
  const cnt = windows.reduce((s, w) => s + w.cnt, 0);
  if (cnt === 0) return { p50Ms: NaN, avgMs: NaN, requests: 0 };
  const wmean = (f: (w: RttWindow) => number) => windows.reduce((s, w) => s + f(w) * w.cnt, 0) / cnt / 1000;
  return { p50Ms: wmean((w) => w.p50), avgMs: wmean((w) => w.avg), requests: cnt };
}

/** Request-weighted means of the windows' internal-queue and output-buffer medians, ms. */
function queueMedians(ws: readonly QueueWindow[]): Record<string, number> {
  const cnt = ws.reduce((s, w) => s + w.cnt, 0);
  if (!cnt) return { int_latency_p50_ms: NaN, outbuf_latency_p50_ms: NaN };
  return {
    int_latency_p50_ms: ws.reduce((s, w) => s + w.int * w.cnt, 0) / cnt / 1000,
    outbuf_latency_p50_ms: ws.reduce((s, w) => s + w.outbuf * w.cnt, 0) / cnt / 1000,
  };
}

/** Our synchronous producer: each record waits for its acknowledgement. */
export async function runOursSync(ctx: RunContext): Promise<BenchRun> {
  const { workload: w, connection, topic } = ctx;
  const n = w.records;
  const make = messageFactory(w);
  const producer = new StatsSyncProducer(connection, topic, oursSettings(w, "sync", ctx.librdkafka));
  const sentAt = new Float64Array(n).fill(NaN);
  const latency = new Float64Array(n).fill(NaN);
  let delivered = 0;
  let failed = 0;
  let lastAck = 0;
  const errors: string[] = [];
  producer.trackSendTimes(sentAt);
  producer.onDelivery((d) => {
    if (d.seq >= n) return;
    if (d.ok) delivered++;
    else {
      failed++;
      if (errors.length < 3 && d.error) errors.push(d.error);
    }
    latency[d.seq] = d.ackedAt - sentAt[d.seq];
    lastAck = d.ackedAt;
  });
  const report = progress(ctx, "ours-sync", n);
  try {
    await producer.connect();
    // Warm-up for a one-at-a-time producer: at most 1,000 records are enough to open the path.
    const warmup = Math.min(w.warmupRecords, 1000);
    for (let i = 0; i < warmup; i++) await producer.send([make(n + i)], n + i);
    report("warm-up", 0, 0);
    producer.rtt.length = 0; // only the measured part's round trips
    producer.queues.length = 0;
    await ctx.beforeMeasure?.();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await producer.send([make(i)], i);
      report("measuring", delivered + failed, performance.now() - t0);
    }
    const wallMs = lastAck - t0;
    // One more statistics window so the last part of the run is in the rtt too.
    await new Promise((r) => setTimeout(r, 300));
    report("done", delivered + failed, wallMs);
    const rtt = summarizeRtt(producer.rtt);
    const lat = latencyStats(latency);
    ctx.keepLatencies?.(latency);
    return {
      producer: "ours-sync",
      label: PRODUCER_LABELS["ours-sync"],
      client: callbackApiClient(),
      topic,
      records: n,
      recordSize: w.recordSize,
      delivered,
      errors: failed,
      errorSamples: errors,
      wallMs,
      ...rates(delivered, w.recordSize, wallMs),
      latency: lat,
      timing: "first measured produce() to the last delivery report; each record waits for its report before the next is sent; warm-up (up to 1,000 records) excluded",
      settings: producer.settings,
      extra: {
        rtt_p50_ms: rtt.p50Ms,
        rtt_avg_ms: rtt.avgMs,
        rtt_requests: rtt.requests,
        median_per_message_ms: lat.p50,
        median_over_rtt: lat.p50 / rtt.p50Ms,
        ...queueMedians(producer.queues),
      },
    };
  } finally {
    await producer.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// The two promisified (KafkaJS-style) APIs
// ---------------------------------------------------------------------------------------------

interface SendLoopResult {
  delivered: number;
  failed: number;
  errors: string[];
  latency: Float64Array;
  wallMs: number;
}

/**
 * `inFlight` loops, each awaiting one send() of up to `perSend` records at a time, until all n are
 * sent. Every record of a send() gets that send()'s latency (call to resolution).
 */
async function pipelinedSends(
  n: number,
  perSend: number,
  inFlight: number,
  send: (first: number, count: number) => Promise<unknown>,
  onAck: (done: number, elapsedMs: number) => void,
): Promise<SendLoopResult> {
  const latency = new Float64Array(n).fill(NaN);
  const errors: string[] = [];
  let next = 0;
  let delivered = 0;
  let failed = 0;
  let lastAck = 0;
  const t0 = performance.now();
  const loop = async () => {
    while (next < n) {
      const first = next;
      const count = Math.min(perSend, n - first);
      next += count;
      const start = performance.now();
      let ok = true;
      try {
        await send(first, count);
      } catch (e) {
        ok = false;
        if (errors.length < 3) errors.push(String((e as Error).message ?? e));
      }
      const at = performance.now();
      for (let i = first; i < first + count; i++) latency[i] = at - start;
      if (ok) delivered += count;
      else failed += count;
      lastAck = at;
      onAck(delivered + failed, at - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, loop));
  return { delivered, failed, errors, latency, wallMs: lastAck - t0 };
}

/**
 * TLS and credentials for the promisified APIs, from the connection (used in memory only, never
 * printed). A broker with a self-signed certificate (KAFKA_SSL_CA_LOCATION) needs its CA given
 * explicitly: KafkaJS does not read librdkafka's ssl.ca.location.
 */
function saslOf(connection: KafkaConnection): { ssl: boolean | { ca: Buffer[] }; sasl?: { mechanism: string; username: string; password: string } } {
  const c = connection.clientConfig();
  const tls = connection.securityProtocol.endsWith("SSL");
  const ssl = tls && connection.sslCaLocation ? { ca: [fs.readFileSync(connection.sslCaLocation)] } : tls;
  if (!c["sasl.username"]) return { ssl };
  return { ssl, sasl: { mechanism: String(c["sasl.mechanisms"]).toLowerCase(), username: c["sasl.username"], password: c["sasl.password"] ?? "" } };
}

type PromisifiedProducer = { connect(): Promise<void>; disconnect(): Promise<void>; send(o: { topic: string; messages: { key: string | null; value: Buffer }[] }): Promise<unknown> };

async function runPromisified(
  ctx: RunContext,
  id: "confluent-kafkajs" | "kafkajs",
  client: string,
  producer: PromisifiedProducer,
  perSend: number,
  inFlight: number,
  settings: Record<string, string | number | boolean>,
  timing: string,
): Promise<BenchRun> {
  const { workload: w, topic } = ctx;
  const n = w.records;
  const make = messageFactory(w);
  const messages = (first: number, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const m = make(first + i);
      return { key: m.key as string | null, value: m.value };
    });
  const report = progress(ctx, id, n);
  let connected = false;
  try {
    await withTimeout(producer.connect(), 20_000, `${PRODUCER_LABELS[id]}: could not connect to ${ctx.connection.bootstrapServers} within 20 s`);
    connected = true;
    let warm = 0;
    await pipelinedSends(w.warmupRecords, perSend, inFlight, (f, c) => producer.send({ topic, messages: messages(n + f, c) }), (d) => (warm = d));
    report("warm-up", warm, 0);
    await ctx.beforeMeasure?.();
    const r = await pipelinedSends(n, perSend, inFlight, (f, c) => producer.send({ topic, messages: messages(f, c) }), (d, ms) => report("measuring", d, ms));
    report("done", r.delivered + r.failed, r.wallMs);
    ctx.keepLatencies?.(r.latency);
    return {
      producer: id,
      label: PRODUCER_LABELS[id],
      client,
      topic,
      records: n,
      recordSize: w.recordSize,
      delivered: r.delivered,
      errors: r.failed,
      errorSamples: r.errors,
      wallMs: r.wallMs,
      ...rates(r.delivered, w.recordSize, r.wallMs),
      latency: latencyStats(r.latency),
      timing,
      settings,
      extra: { records_per_send: perSend, sends_in_flight: inFlight },
    };
  } finally {
    if (connected) await withTimeout(producer.disconnect(), 15_000, "disconnect timed out").catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

/** How our two producers' client is named in the results. */
function callbackApiClient(): string {
  const v = clientVersions();
  return `${v.client} (librdkafka ${v.librdkafka}), callback API`;
}

/** The KafkaJS-compatible promisified API of @confluentinc/kafka-javascript (librdkafka underneath). */
export async function runConfluentKafkaJS(ctx: RunContext): Promise<BenchRun> {
  const { workload: w, connection } = ctx;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KafkaJS } = require("@confluentinc/kafka-javascript") as typeof import("@confluentinc/kafka-javascript");
  const { ssl, sasl } = saslOf(connection);
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: connection.bootstrapServers.split(","), clientId: "kafka-producer-perf-compat", logLevel: KafkaJS.logLevel.NOTHING, ssl: ssl !== false, ...(sasl ? { sasl: sasl as never } : {}) },
  });
  const lr = librdkafkaSettings(w);
  const outer: Record<string, string | number | boolean> = {
    "linger.ms": lr["linger.ms"],
    "batch.size": lr["batch.size"],
    "batch.num.messages": lr["batch.num.messages"],
    "queue.buffering.max.messages": QUEUE_MAX_MESSAGES,
    "message.timeout.ms": 60_000,
    ...(connection.sslCaLocation ? { "ssl.ca.location": connection.sslCaLocation } : {}),
    ...ctx.librdkafka,
  };
  const producer = kafka.producer({
    ...outer,
    kafkaJS: { acks: ACKS_NUMBER[w.acks], compression: w.compression as never, idempotent: w.idempotence, allowAutoTopicCreation: false },
  } as never) as unknown as PromisifiedProducer;
  const perSend = messagesPerSend(w);
  const inFlight = Math.max(1, Math.floor(CONFLUENT_KAFKAJS_WINDOW / perSend));
  const v = clientVersions();
  return runPromisified(
    ctx,
    "confluent-kafkajs",
    `${v.client} (librdkafka ${v.librdkafka}), KafkaJS-compatible API`,
    producer,
    perSend,
    inFlight,
    { acks: ACKS_NUMBER[w.acks], compression: w.compression, idempotent: w.idempotence, ...outer },
    `first measured send() to the last send() resolving; ${perSend} records per send(), up to ${inFlight} send() calls in flight; a record's latency = its send() call to that send() resolving (all its records acknowledged)`,
  );
}

export function kafkajsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return `kafkajs ${(require("kafkajs/package.json") as { version: string }).version}`;
}

/** KafkaJS's codec ids; only GZIP ships with it, the others need a codec package registered. */
function kafkajsCodec(kjs: typeof import("kafkajs"), c: Workload["compression"]): number {
  const t = kjs.CompressionTypes;
  return { none: t.None, gzip: t.GZIP, snappy: t.Snappy, lz4: t.LZ4, zstd: t.ZSTD }[c];
}

/** The pure-JavaScript KafkaJS client. A codec it cannot use is reported (with KafkaJS's own error) as unsupported. */
export async function runKafkaJS(ctx: RunContext): Promise<BenchRun> {
  const { workload: w, connection, topic } = ctx;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kjs = require("kafkajs") as typeof import("kafkajs");
  const { ssl, sasl } = saslOf(connection);
  const kafka = new kjs.Kafka({
    clientId: "kafka-producer-perf-kafkajs",
    brokers: connection.bootstrapServers.split(","),
    logLevel: kjs.logLevel.NOTHING,
    ssl,
    ...(sasl ? { sasl: sasl as never } : {}),
  });
  const compression = kafkajsCodec(kjs, w.compression);
  const acks = ACKS_NUMBER[w.acks];
  if (w.compression !== "none" && w.compression !== "gzip") {
    // Try the codec once: KafkaJS throws KafkaJSNotImplemented unless a codec package was registered.
    const probe = kafka.producer({ allowAutoTopicCreation: false });
    await withTimeout(probe.connect(), 20_000, `KafkaJS: could not connect to ${connection.bootstrapServers} within 20 s`);
    try {
      await probe.send({ topic, acks, compression, messages: [{ value: Buffer.from("codec probe") }] });
    } catch (e) {
      return unsupportedRun("kafkajs", kafkajsVersion(), w, topic, `KafkaJS: ${(e as Error).message} (it ships only GZIP; ${w.compression} needs a codec package, not installed here)`);
    } finally {
      await withTimeout(probe.disconnect(), 15_000, "disconnect timed out").catch(() => undefined);
    }
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: w.idempotence, ...(w.idempotence ? { maxInFlightRequests: 1 } : {}) });
  const wrapped: PromisifiedProducer = {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    send: (o) => producer.send({ ...o, acks, compression }),
  };
  const perSend = messagesPerSend(w);
  const inFlight = w.idempotence ? 1 : KAFKAJS_IN_FLIGHT;
  return runPromisified(
    ctx,
    "kafkajs",
    kafkajsVersion(),
    wrapped,
    perSend,
    inFlight,
    { acks, compression: w.compression, idempotent: w.idempotence, records_per_send: perSend, sends_in_flight: inFlight, "linger.ms": "(none in KafkaJS)", "batch.size": `(none: ${perSend} records per send())` },
    `first measured send() to the last send() resolving; ${perSend} records per send() (batch.size / record size: KafkaJS has no linger or byte batches), up to ${inFlight} send() calls in flight; latency = send() call to resolution`,
  );
}

export type Runner = (ctx: RunContext) => Promise<BenchRun>;

export const RUNNERS: Record<ProducerId, Runner> = {
  "perf-tool": (ctx) => runPerfTool(ctx.connection, ctx.workload, ctx.topic, { onLine: (l) => ctx.onProgress?.({ producer: "perf-tool", phase: "measuring", acknowledged: Number(/^(\d+) records sent/.exec(l)?.[1] ?? 0), total: ctx.workload.records + ctx.workload.warmupRecords, elapsedMs: NaN }) }),
  "ours-async": runOursAsync,
  "ours-sync": runOursSync,
  "confluent-kafkajs": runConfluentKafkaJS,
  kafkajs: runKafkaJS,
};

/** A fresh topic, one producer's run, and the topic deleted afterwards unless keepTopic. */
export async function runOne(producer: ProducerId, ctx: Omit<RunContext, "topic"> & { topic?: string; keepTopic?: boolean }): Promise<BenchRun> {
  const topic = ctx.topic ?? `bench-${producer}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await prepareTopic(ctx.connection, ctx.workload, topic);
  try {
    return await RUNNERS[producer]({ ...ctx, topic });
  } finally {
    if (!ctx.keepTopic) await deleteTopic(ctx.connection, topic).catch(() => undefined);
  }
}
