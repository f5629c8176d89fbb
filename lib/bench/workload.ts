/**
 * The workload every producer in a comparison runs: how many records of what size, with which
 * delivery and batching settings, and how those settings map onto each client.
 *
 * The settings are given once, in the Java producer's terms (acks, linger.ms, batch.size in bytes,
 * compression.type), and translated per client here, so the table can say exactly what each
 * client was told. Bad values are a ConfigError naming the option and the fix.
 */
import { ConfigError } from "../core/errors";
import { fmt } from "../core/format";
import { seededRandom } from "../core/random";
import { flag, oneOf, wholeNumber, type RawValue } from "../core/validate";
import type { Settings } from "../kafka/client";
import { AGGREGATE_QUEUE_DEPTH } from "../producers/aggregate";
import { ASYNC_WINDOW } from "../producers/producer";
import { COMMON_SETTINGS } from "../producers/settings";

export const ACKS = ["0", "1", "all"] as const;
export type Acks = (typeof ACKS)[number];
export const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface Workload {
  /** Measured records (warm-up records come on top). */
  records: number;
  /** Value size in bytes (the key, when keyed, is extra). */
  recordSize: number;
  acks: Acks;
  lingerMs: number;
  /** Bytes per partition batch, as Java's batch.size. */
  batchSize: number;
  compression: Compression;
  partitions: number;
  /** Records sent and acknowledged before timing starts (in the same producer). */
  warmupRecords: number;
  /** Keyed records (key = "key-<i mod 1000>") or null keys (Java's tool sends null keys). */
  keyed: boolean;
  idempotence: boolean;
  /** Replication factor of the topic the run creates (-1: broker default). */
  replicationFactor: number;
}

/**
 * The default workload of `npm run bench`: 100-byte records (about the size of the assignment's
 * JSON purchases), 200,000 of them so a run lasts seconds rather than milliseconds, acks=all
 * (both clients' default and the assignment's), linger.ms=5 (both clients' default in Kafka 4 /
 * librdkafka 2), batch.size 65,536 bytes (one value all clients are told; Java's default is
 * 16,384 and librdkafka's 1,000,000), no compression, 3 partitions, null keys like Java's tool.
 */
export const DEFAULT_WORKLOAD: Workload = {
  records: 200_000,
  recordSize: 100,
  acks: "all",
  lingerMs: 5,
  batchSize: 65_536,
  compression: "none",
  partitions: 3,
  warmupRecords: 10_000,
  keyed: false,
  idempotence: false,
  replicationFactor: -1,
};

type Raw = RawValue;

/** The most measured (or warm-up) records a run may be given. */
export const MAX_RECORDS = 100_000_000;

export type WorkloadInput = { [K in keyof Workload]?: Raw };

/** A complete, validated workload: the defaults overridden by `input` (strings are parsed). */
export function validateWorkload(input: WorkloadInput = {}, defaults: Workload = DEFAULT_WORKLOAD): Workload {
  const known = new Set(Object.keys(DEFAULT_WORKLOAD));
  for (const k of Object.keys(input)) {
    if (!known.has(k)) throw new ConfigError(k, `is not a workload option; use one of ${[...known].join(", ")}.`);
  }
  const v = <K extends keyof Workload>(k: K): Raw => (input[k] === undefined ? defaults[k] : input[k]);
  const w: Workload = {
    records: wholeNumber("records", v("records"), { min: 1, max: MAX_RECORDS }),
    recordSize: wholeNumber("record-size", v("recordSize"), { min: 1, max: 1_000_000 }),
    acks: oneOf("acks", v("acks"), ACKS, { "-1": "all" }),
    lingerMs: wholeNumber("linger-ms", v("lingerMs"), { min: 0, max: 900_000 }),
    batchSize: wholeNumber("batch-size", v("batchSize"), { min: 1, max: 2_147_483_647 }),
    compression: oneOf("compression", v("compression"), COMPRESSIONS),
    partitions: wholeNumber("partitions", v("partitions"), { min: 1, max: 1000 }),
    warmupRecords: wholeNumber("warmup", v("warmupRecords"), { min: 0, max: MAX_RECORDS }),
    keyed: flag("keyed", v("keyed")),
    idempotence: flag("idempotence", v("idempotence")),
    replicationFactor:
      String(v("replicationFactor")).trim() === "-1" ? -1 : wholeNumber("replication-factor", v("replicationFactor"), { min: 1, max: 32 }),
  };
  if (w.idempotence && w.acks !== "all") {
    throw new ConfigError("idempotence", `needs acks=all (got acks=${w.acks}); set --acks all or turn idempotence off.`);
  }
  return w;
}

/** A few words for titles: "200,000 × 100 B, acks=all, linger 5 ms, batch 65,536 B, none, 3 partitions". */
export function describeWorkload(w: Workload): string {
  const n = (x: number) => fmt(x);
  return (
    `${n(w.records)} × ${n(w.recordSize)} B, acks=${w.acks}, linger ${w.lingerMs} ms, batch ${n(w.batchSize)} B, ` +
    `${w.compression === "none" ? "no compression" : w.compression}, ${w.partitions} partition${w.partitions === 1 ? "" : "s"}` +
    (w.keyed ? ", keyed" : "") +
    (w.idempotence ? ", idempotent" : "")
  );
}

/**
 * Record values like Java's tool writes them (random upper-case letters), so compression sees the
 * same kind of data. A pool of distinct values is reused cyclically to bound memory.
 */
export function makePayloads(w: Pick<Workload, "records" | "recordSize">, seed = 1): Buffer[] {
  const rand = seededRandom(seed);
  const count = Math.max(1, Math.min(w.records, 4096, Math.floor(64_000_000 / w.recordSize)));
  const out: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const b = Buffer.allocUnsafe(w.recordSize);
    for (let j = 0; j < b.length; j++) b[j] = 65 + Math.floor(rand() * 26);
    out[i] = b;
  }
  return out;
}

/** Keys for keyed runs: 1,000 distinct keys spread over the partitions by the client's hash. */
export function keyFor(i: number): string {
  return `key-${i % 1000}`;
}

export const ACKS_NUMBER: Record<Acks, number> = { "0": 0, "1": 1, all: -1 };

/**
 * librdkafka properties for this workload. batch.size is bytes in both clients; librdkafka also
 * caps a batch by message count (batch.num.messages), set high enough here that bytes decide,
 * as in Java.
 */
export function librdkafkaSettings(w: Workload): Settings {
  return {
    acks: w.acks,
    "linger.ms": w.lingerMs,
    "batch.size": w.batchSize,
    "batch.num.messages": batchNumMessages(w),
    "compression.type": w.compression,
    "enable.idempotence": w.idempotence,
  };
}

/** Messages per batch that let batch.size (bytes) be the limit: ≥ batch.size / record size. */
export function batchNumMessages(w: Pick<Workload, "batchSize" | "recordSize">): number {
  return Math.min(1_000_000, Math.max(10_000, Math.ceil(w.batchSize / Math.max(1, w.recordSize))));
}

/** Java producer properties (--command-property) for this workload. */
export function javaProperties(w: Workload): Record<string, string> {
  return {
    acks: w.acks,
    "linger.ms": String(w.lingerMs),
    "batch.size": String(w.batchSize),
    "compression.type": w.compression,
    "enable.idempotence": String(w.idempotence),
  };
}

/**
 * KafkaJS has no linger or byte-sized batches: a batch is what one send() call carries. The
 * runner therefore sends batch.size / record size records per send() (at least 1), with a few
 * send() calls in flight at once.
 */
export function messagesPerSend(w: Pick<Workload, "batchSize" | "recordSize">): number {
  return Math.max(1, Math.floor(w.batchSize / Math.max(1, w.recordSize)));
}

/** How each client was told the workload's settings: one line per client, for the output. */
export function settingsMapping(w: Workload): Record<string, string> {
  const lr = librdkafkaSettings(w);
  return {
    ProducerPerformance: Object.entries(javaProperties(w))
      .map(([k, v]) => `${k}=${v}`)
      .join(" "),
    librdkafka:
      Object.entries(lr)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") + " (batch.size is bytes as in Java; batch.num.messages high enough that bytes decide)",
    "KafkaJS (pure)":
      `acks=${ACKS_NUMBER[w.acks]} compression=${w.compression} idempotent=${w.idempotence}; no linger or byte batches: ` +
      `${messagesPerSend(w)} records per send() (batch.size / record size), up to ${KAFKAJS_IN_FLIGHT} send() calls in flight`,
    "confluent-kafka (Python)":
      Object.entries(confluentPythonSettings(w, "async"))
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") + "; the synchronous one linger.ms=0, as ours",
    "kafka-python":
      Object.entries(kafkaPythonSettings(w))
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") + (w.compression === "none" ? " (compression_type left at None: no compression)" : ""),
    "our asynchronous producer": `as librdkafka above; at most ${fmt(ASYNC_WINDOW)} messages ahead of the reports JavaScript has seen (its own backpressure)`,
    "our synchronous producer": "as librdkafka above but linger.ms=0 (it waits for every acknowledgement)",
    "our aggregate-acknowledgement producer":
      `as librdkafka above, delivery.report.only.error=true, queue.buffering.max.messages=${AGGREGATE_QUEUE_DEPTH} ` +
      "(its own backpressure: a deeper queue holds messages longer, at more CPU per message)",
  };
}

/** Python confluent-kafka's settings: librdkafka's, as our producers get them (synchronous: linger.ms=0, as ours). */
export function confluentPythonSettings(w: Workload, mode: "async" | "sync"): Settings {
  return {
    ...librdkafkaSettings(w),
    "queue.buffering.max.messages": QUEUE_MAX_MESSAGES,
    "message.timeout.ms": MESSAGE_TIMEOUT_MS,
    ...(mode === "sync" ? { "linger.ms": 0 } : {}),
  };
}

/** kafka-python's names for the workload (it enables idempotence by default, so it is always stated). */
export function kafkaPythonSettings(w: Workload): Settings {
  return {
    acks: w.acks === "all" ? "all" : Number(w.acks),
    linger_ms: w.lingerMs,
    batch_size: w.batchSize,
    ...(w.compression === "none" ? {} : { compression_type: w.compression }),
    enable_idempotence: w.idempotence,
    delivery_timeout_ms: MESSAGE_TIMEOUT_MS,
  };
}

/** Warm-up records of a one-at-a-time (synchronous) producer at the most: enough to open the path. */
export const SYNC_WARMUP_MAX = 1_000;

/** How long a record may stay unacknowledged before it counts as failed, in every client that has the setting (our producers' own). */
export const MESSAGE_TIMEOUT_MS = Number(COMMON_SETTINGS["message.timeout.ms"]);

/** send() calls a KafkaJS runner keeps in flight (Java's max.in.flight.requests.per.connection default). */
export const KAFKAJS_IN_FLIGHT = 5;

/** librdkafka's queue limit for our producers and the compat API in a bench run (its default). */
export const QUEUE_MAX_MESSAGES = 100_000;

/** The librdkafka settings our producers get for a workload, over their own (lib/producers/settings.ts). */
export function oursSettings(w: Workload, mode: "async" | "sync", extra: Settings = {}): Settings {
  const s: Settings = { ...librdkafkaSettings(w), "queue.buffering.max.messages": QUEUE_MAX_MESSAGES };
  // A synchronous producer sends one record and waits: lingering would only add delay to each
  // (extra may still set it, to show exactly that).
  if (mode === "sync") s["linger.ms"] = 0;
  return { ...s, ...extra };
}

/** Builds record i's message: a payload from the pool, a key when the workload is keyed. */
export function messageFactory(w: Workload): (i: number) => { key: string | null; value: Buffer } {
  const pool = makePayloads(w);
  return (i) => ({ key: w.keyed ? keyFor(i) : null, value: pool[i % pool.length] });
}
