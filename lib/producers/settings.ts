/**
 * The librdkafka settings of our two producers, and why. Both use acks=all, so the comparison is
 * about waiting, not durability.
 */
import type { Settings } from "../kafka/client";

export type ProducerMode = "sync" | "async";

/** Settings shared by both producers. */
export const COMMON_SETTINGS: Readonly<Settings> = Object.freeze({
  acks: "all",
  "enable.idempotence": false,
  // librdkafka's default is five minutes of silent retrying; a benchmark should fail sooner.
  "message.timeout.ms": 60_000,
  "client.id": "kafka-producer-perf",
  // librdkafka's own counters (requests sent, responses received, round-trip times) every
  // 100 ms: the source of the request-rate metric.
  "statistics.interval.ms": 100,
});

/**
 * Per-mode settings. The synchronous producer sends one message at a time, so any linger would be
 * pure waiting (librdkafka's default linger.ms is 5: 5 ms per message for nothing). The
 * asynchronous producer keeps librdkafka's batching defaults, stated here so the notebook can
 * show them.
 */
export const MODE_SETTINGS: Readonly<Record<ProducerMode, Readonly<Settings>>> = Object.freeze({
  sync: Object.freeze({ "linger.ms": 0 }),
  async: Object.freeze({
    "linger.ms": 5,
    "batch.num.messages": 10_000,
    "batch.size": 1_000_000,
    "queue.buffering.max.messages": 100_000,
  }),
});

/** A producer's full settings: the common ones, its mode's, then `extra` over both. */
export function producerSettings(mode: ProducerMode, extra: Settings = {}): Settings {
  return { ...COMMON_SETTINGS, ...MODE_SETTINGS[mode], ...extra };
}

export const PRODUCER_NAMES: Readonly<Record<ProducerMode, string>> = Object.freeze({ sync: "synchronous", async: "asynchronous" });
