/**
 * The consumer of Confluent's getting-started guide (consumer.py), ported like its producer
 * (example-producer.ts): subscribe to "purchases", print every event, and close the consumer
 * however the loop ends, so that it leaves its group at once. `--reset` (reset) starts every
 * assigned partition at the beginning, as the original's reset_offset callback does.
 */
import { EXIT_CODES } from "../core/errors";
import { now } from "../core/time";
import { connectWithin, consumeBatch, describeKafkaError, disconnectWithin, ERR, Kafka, OFFSET } from "../kafka/client";
import { EXAMPLE_TOPIC } from "./example-producer";
import type { ExampleConfig } from "./ini-config";
import { createLogger, logClientErrors, logEvent, type Logger } from "./logger";

export interface ConsumedPurchase {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  at: number;
}

export interface ConsumerRunOptions {
  config: ExampleConfig;
  topic?: string;
  /** Start from the beginning of every assigned partition (the original's --reset). */
  reset?: boolean;
  /** Start each listed partition at this offset, and unlisted ones at their end (overrides reset). */
  startOffsets?: Record<number, number>;
  /** Stop after this many messages (default: run until aborted). */
  maxMessages?: number;
  /** Stop after this long without a message, once something was read or the wait began. */
  idleMs?: number;
  /** Never run longer than this. */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: Logger;
  /** The original polls with a 1 s timeout. */
  pollTimeoutMs?: number;
}

export interface ConsumerRunResult {
  topic: string;
  messages: ConsumedPurchase[];
  stoppedBecause: "max" | "idle" | "timeout" | "signal";
  /** lib/core/errors.ts's codes: 130 when stopped by SIGINT, else 0. */
  exitCode: number;
}

/** The consumer's client; its rebalance callback assigns the partitions where opts says to start. */
function createConsumer(opts: ConsumerRunOptions, log: Logger): Kafka.KafkaConsumer {
  return new Kafka.KafkaConsumer(
    {
      ...opts.config.settings,
      // A rebalance callback must assign (or unassign) itself; --reset moves the offsets first.
      rebalance_cb(this: Kafka.KafkaConsumer, err: Kafka.LibrdKafkaError, assignment: Kafka.Assignment[]) {
        if (err.code === ERR.ERR__ASSIGN_PARTITIONS) {
          const start = opts.startOffsets;
          const parts = start
            ? assignment.map((a) => ({ ...a, offset: start[a.partition] ?? OFFSET.end }))
            : opts.reset
              ? assignment.map((a) => ({ ...a, offset: OFFSET.beginning }))
              : assignment;
          log.log(
            "info",
            "assigned",
            `Assigned ${parts.map((p) => `${p.topic}[${p.partition}]`).join(", ")}${opts.reset ? " (reset to the beginning)" : ""}`,
          );
          this.assign(parts as Kafka.Assignment[]);
        } else {
          this.unassign();
        }
      },
    } as unknown as Kafka.ConsumerGlobalConfig,
    // No topic configuration object: passing one (even {}) replaces the topic-level properties
    // given in the global configuration, and auto.offset.reset=earliest from the INI file would
    // silently fall back to "latest" (found while porting; verified on the embedded broker).
    undefined,
  );
}

function toPurchase(m: Kafka.Message): ConsumedPurchase {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key === null || m.key === undefined ? null : m.key.toString(),
    value: m.value ? m.value.toString("utf8") : "",
    at: now(),
  };
}

/**
 * The getting-started consumer: subscribe to "purchases" (optionally from the beginning), print
 * every event, and close the consumer (leaving the group) however the loop ends.
 */
export async function runExampleConsumer(opts: ConsumerRunOptions): Promise<ConsumerRunResult> {
  const log = opts.log ?? createLogger();
  const topic = opts.topic ?? EXAMPLE_TOPIC;
  const settings = opts.config.settings;
  const consumer = createConsumer(opts, log);
  logClientErrors(consumer, log);
  const messages: ConsumedPurchase[] = [];
  const start = now();
  let stoppedBecause: ConsumerRunResult["stoppedBecause"] = "signal";
  await connectWithin(consumer, settings["bootstrap.servers"], { what: "consumer", timeoutMs: 15_000 });
  try {
    consumer.setDefaultConsumeTimeout(opts.pollTimeoutMs ?? 1_000);
    consumer.subscribe([topic]);
    log.log("info", "subscribed", `Consuming topic ${topic} as group ${settings["group.id"]}`, { topic, group: settings["group.id"] });
    let lastActivity = now();
    for (;;) {
      if (opts.signal?.aborted) {
        stoppedBecause = "signal";
        log.log("warn", "shutdown", "Interrupted: closing the consumer");
        break;
      }
      if (opts.maxMessages !== undefined && messages.length >= opts.maxMessages) {
        stoppedBecause = "max";
        break;
      }
      if (opts.timeoutMs !== undefined && now() - start > opts.timeoutMs) {
        stoppedBecause = "timeout";
        break;
      }
      if (opts.idleMs !== undefined && now() - lastActivity > opts.idleMs) {
        stoppedBecause = "idle";
        break;
      }
      const batch = await consumeBatch(consumer, 1).catch((e: Kafka.LibrdKafkaError) => {
        // As the Python consumer's `msg.error()` branch: a topic that does not exist (yet) is
        // reported and the loop goes on; it starts delivering once the topic is created.
        if (e.code !== ERR.ERR_UNKNOWN_TOPIC_OR_PART) throw e;
        log.log("error", "consume_error", `ERROR: ${describeKafkaError(e)}`, { code: e.code });
        return [] as Kafka.Message[];
      });
      if (batch.length === 0) {
        log.log("info", "waiting", "Waiting...");
        continue;
      }
      for (const m of batch) {
        const c = toPurchase(m);
        messages.push(c);
        logEvent(log, "consumed", "Consumed event from", c);
      }
      lastActivity = now();
    }
  } finally {
    await disconnectWithin(consumer);
  }
  return { topic, messages, stoppedBecause, exitCode: stoppedBecause === "signal" ? EXIT_CODES.interrupted : EXIT_CODES.ok };
}
