/**
 * A TypeScript port of the producer and consumer of Confluent's "Getting Started with Apache
 * Kafka and Python" guide (https://developer.confluent.io/get-started/python/), written for this
 * project on @confluentinc/kafka-javascript's callback API (librdkafka underneath, like
 * confluent-kafka-python).
 *
 * The flow is the original's: read an INI file, create the client from its [default] section,
 * produce N purchases (key = a user id, value = a product, both picked at random from the
 * in-class activity's lists) to topic "purchases" with a delivery callback, then poll and flush.
 * The additions are the code review's recommendations (notebook 02, question 6): validated
 * configuration (lib/ini-config.ts), idempotent delivery with bounded retries, failures counted
 * and turned into the exit code, poll(0) while producing, a graceful shutdown on SIGINT, and
 * structured (JSON lines) logging.
 *
 * The two clients' APIs differ in ways that matter here: Python's poll(timeout) and flush(timeout)
 * take seconds and return counts; the JavaScript client's poll() takes no timeout and returns the
 * producer, and flush(timeoutMs, cb) takes milliseconds and reports only an error. This port's
 * poll()/flush() restore the Python semantics (see their comments) so the notebook can show them.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import { ensureBroker } from "./broker";
import { EMBEDDED_BOOTSTRAP } from "./config";
import { loadExampleConfig, redactSettings, type ExampleConfig, type ExampleRole } from "./ini-config";
import { paths } from "./paths";
import pl from "nodejs-polars";
import { CUSTOMERS, PRODUCTS } from "./schema";
import { disconnectWithin } from "./kafka";

export const EXAMPLE_TOPIC = "purchases";

/**
 * Safer defaults than librdkafka's, applied under the INI file's settings (the file wins):
 * idempotence gives acks=all, retries without duplicates and kept order; a 30 s delivery timeout
 * turns librdkafka's five minutes of silent retrying into a reported failure sooner.
 */
export const RELIABILITY_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  "enable.idempotence": "true",
  acks: "all",
  "message.timeout.ms": "30000",
  "client.id": "typescript-getting-started",
});

const QUEUE_FULL = -184; // ERR__QUEUE_FULL
const OFFSET_BEGINNING = -2; // librdkafka RD_KAFKA_OFFSET_BEGINNING
const OFFSET_END = -1; // RD_KAFKA_OFFSET_END

// ---------------------------------------------------------------------------------------------
// Structured logging
// ---------------------------------------------------------------------------------------------

export type LogLevel = "info" | "warn" | "error";
export type LogFormat = "text" | "json";

export interface LogEntry {
  time: string;
  level: LogLevel;
  event: string;
  message: string;
  [field: string]: unknown;
}

export interface Logger {
  log(level: LogLevel, event: string, message: string, fields?: Record<string, unknown>): void;
  /** Every entry so far (notebooks show them as a table). */
  readonly entries: LogEntry[];
}

/**
 * "text" prints the message alone, as the original's print() calls do; "json" prints one JSON
 * object per line (time, level, event, message and fields) for log collectors.
 */
export function createLogger(format: LogFormat = "text", write: (line: string) => void = (l) => console.log(l)): Logger {
  const entries: LogEntry[] = [];
  return {
    entries,
    log(level, event, message, fields = {}) {
      const entry: LogEntry = { time: new Date().toISOString(), level, event, message, ...fields };
      entries.push(entry);
      write(format === "json" ? JSON.stringify(entry) : message);
    },
  };
}

/** Values longer than this are logged by size (a 2 MB test value must not flood the output). */
const SHOWN_VALUE_CHARS = 40;

function shown(v: Buffer | string | null | undefined): string {
  if (v === null || v === undefined) return "(null)";
  const s = typeof v === "string" ? v : v.toString("utf8");
  return s.length > SHOWN_VALUE_CHARS ? `<${Buffer.byteLength(s).toLocaleString("en-US")} bytes>` : s;
}

function describe(err: { message?: string; code?: number }): string {
  return err.code !== undefined ? `${err.message} (code ${err.code})` : String(err.message);
}

// ---------------------------------------------------------------------------------------------
// Producer
// ---------------------------------------------------------------------------------------------

/** One delivery report, as the delivery callback saw it. `at` is performance.now(). */
export interface ExampleDelivery {
  seq: number;
  topic: string;
  key: string | null;
  value: string;
  ok: boolean;
  partition?: number;
  offset?: number;
  error?: string;
  code?: number;
  at: number;
}

/** What Python's poll(timeout) returns, and how long it blocked. */
export interface PollResult {
  /** Delivery callbacks served during the call (Python: "number of events processed"). */
  served: number;
  ms: number;
}

/** What Python's flush(timeout) returns, and how long it blocked. */
export interface FlushResult {
  /** Messages not yet delivered or failed when flush returned (Python's return value). */
  stillInQueue: number;
  /** The JavaScript client's own answer: null, or its error (e.g. Local: Timed out). */
  error: string | null;
  ms: number;
}

export interface ExampleProducerOptions {
  log?: Logger;
  /** Extra librdkafka settings over the file's (tests and demonstrations). */
  overrides?: Record<string, string>;
  /** Skip RELIABILITY_DEFAULTS: the original script's plain librdkafka defaults. */
  plainDefaults?: boolean;
}

/**
 * The producer of the getting-started example. Delivery callbacks fire only while poll() or
 * flush() runs, as in the Python client (no background polling is enabled).
 */
export class ExampleProducer {
  readonly settings: Record<string, string>;
  readonly deliveries: ExampleDelivery[] = [];
  readonly log: Logger;
  private readonly client: Kafka.Producer;
  private readonly sent = new Map<number, { topic: string; key: string | null; value: string }>();
  private seq = 0;
  private connected = false;
  /** Messages handed to librdkafka (produce() did not throw). */
  produced = 0;
  /** Messages produce() refused at once (e.g. larger than message.max.bytes). */
  refused = 0;

  constructor(
    readonly config: ExampleConfig,
    opts: ExampleProducerOptions = {},
  ) {
    this.log = opts.log ?? createLogger();
    this.settings = { ...(opts.plainDefaults ? {} : RELIABILITY_DEFAULTS), ...config.settings, ...opts.overrides };
    this.client = new Kafka.Producer({ ...this.settings, dr_cb: true } as Kafka.ProducerGlobalConfig);
    this.client.on("delivery-report", (err, report) => this.onDelivery(err, report));
    // Client-level errors (e.g. broker down) are logged; delivery failures are reported per message.
    this.client.on("event.error", (err) => this.log.log("warn", "client_error", `client error: ${describe(err)}`, { code: err.code }));
  }

  /** The settings as they may be printed (secrets redacted). */
  printableSettings(): Record<string, string> {
    return redactSettings(this.settings);
  }

  get delivered(): number {
    return this.deliveries.filter((d) => d.ok).length;
  }

  get failed(): number {
    return this.deliveries.filter((d) => !d.ok).length;
  }

  /** Produced but not yet reported (Python: len(producer)). */
  get outstanding(): number {
    return this.produced - this.deliveries.length;
  }

  async connect(timeoutMs = 15_000): Promise<void> {
    const bootstrap = this.settings["bootstrap.servers"];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not connect to ${bootstrap} within ${timeoutMs} ms; is the broker running (npm run broker:start)?`)), timeoutMs);
      this.client.connect({ timeout: timeoutMs }, (err) => {
        clearTimeout(timer);
        if (err) reject(new Error(`could not connect to ${bootstrap}: ${describe(err)}`));
        else resolve();
      });
    });
    this.connected = true;
  }

  private onDelivery(err: Kafka.LibrdKafkaError | null | undefined, report: Kafka.DeliveryReport): void {
    const seq = report.opaque as number;
    const msg = this.sent.get(seq) ?? { topic: report.topic, key: null, value: "" };
    this.sent.delete(seq);
    const d: ExampleDelivery = { seq, topic: msg.topic, key: msg.key, value: msg.value, ok: !err, at: performance.now() };
    if (err) {
      d.error = err.message;
      d.code = err.code;
      this.log.log("error", "delivery_failed", `ERROR: Message failed delivery: ${describe(err)} (topic ${msg.topic}, key = ${shown(msg.key)})`, {
        topic: msg.topic,
        key: msg.key,
        error: err.message,
        code: err.code,
      });
    } else {
      d.partition = report.partition;
      d.offset = report.offset;
      this.log.log(
        "info",
        "delivered",
        `Produced event to topic ${msg.topic} [partition ${report.partition}, offset ${report.offset}]: key = ${shown(msg.key).padEnd(12)} value = ${shown(msg.value).padEnd(12)}`,
        { topic: msg.topic, partition: report.partition, offset: report.offset, key: msg.key, value: shown(msg.value) },
      );
    }
    this.deliveries.push(d);
  }

  /**
   * Hands one message to librdkafka (asynchronous, like Python's produce()). A full local queue
   * is backpressure: serve callbacks and retry for up to retryMs. A message librdkafka refuses at
   * once is logged and counted; returns whether it was queued.
   */
  async produce(key: string | null, value: string | Buffer, topic: string = EXAMPLE_TOPIC, retryMs = 10_000): Promise<boolean> {
    const seq = this.seq++;
    const valueText = typeof value === "string" ? value : value.toString("utf8");
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    const deadline = performance.now() + retryMs;
    for (;;) {
      try {
        this.sent.set(seq, { topic, key, value: valueText });
        this.client.produce(topic, null, bytes, key ?? undefined, null, seq);
        this.produced++;
        return true;
      } catch (e) {
        this.sent.delete(seq);
        const err = e as { message?: string; code?: number };
        if (err.code === QUEUE_FULL && performance.now() < deadline) {
          this.client.poll();
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        this.refused++;
        this.log.log("error", "produce_refused", `ERROR: produce() refused the message: ${describe(err)} (topic ${topic}, key = ${shown(key)}, value ${Buffer.byteLength(bytes)} bytes)`, {
          topic,
          key,
          error: err.message,
          code: err.code,
        });
        return false;
      }
    }
  }

  /**
   * The JavaScript client's own poll(): no timeout (librdkafka poll(0)); what it returns is
   * handed back so the notebook can show that it is the producer itself, not a count.
   */
  clientPoll(): { value: unknown; isProducer: boolean } {
    const value = this.client.poll();
    return { value, isProducer: value === this.client };
  }

  /**
   * Python's poll(timeout): serves delivery callbacks, returning as soon as at least one was
   * served or the timeout passed, with the number served. The JavaScript client's poll() never
   * blocks (librdkafka poll(0)), so this calls it every few milliseconds.
   */
  async poll(timeoutMs = 0): Promise<PollResult> {
    const start = performance.now();
    const before = this.deliveries.length;
    this.client.poll();
    // Reports are handed to JavaScript through the event loop: give it a turn.
    await new Promise((r) => setImmediate(r));
    while (this.deliveries.length === before && performance.now() - start < timeoutMs) {
      await new Promise((r) => setTimeout(r, 5));
      this.client.poll();
      await new Promise((r) => setImmediate(r));
    }
    return { served: this.deliveries.length - before, ms: performance.now() - start };
  }

  /**
   * Python's flush(timeout): sends everything queued now (regardless of linger.ms) and waits until
   * every message is delivered or failed, or the timeout passes; returns how many are still
   * outstanding. The delivery callbacks run during the call.
   */
  async flush(timeoutMs = 10_000): Promise<FlushResult> {
    const start = performance.now();
    const error = await new Promise<string | null>((resolve) => this.client.flush(timeoutMs, (err) => resolve(err ? describe(err) : null)));
    // librdkafka's queue is empty; the last reports may still be on their way to JavaScript.
    while (this.outstanding > 0 && !error && performance.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 2));
    return { stillInQueue: this.outstanding, error, ms: performance.now() - start };
  }

  /** Always safe to call; bounded. (The JavaScript client's disconnect() flushes first.) */
  async disconnect(timeoutMs = 10_000): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs + 1_000);
      this.client.disconnect(timeoutMs, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface ProducerRunOptions {
  config: ExampleConfig;
  /** How many purchases (the original sends 10). */
  count?: number;
  topic?: string;
  customers?: readonly string[];
  products?: readonly string[];
  /** Random source in [0, 1) (default Math.random, as Python's random.choice). */
  random?: () => number;
  /** Pause between messages (default 0); with a pause, Ctrl-C can stop a long run midway. */
  intervalMs?: number;
  /** Aborting it stops producing; what was produced is flushed, then the client disconnects. */
  signal?: AbortSignal;
  log?: Logger;
  /** The original's poll(10000) and flush() bounds, in milliseconds. */
  pollTimeoutMs?: number;
  flushTimeoutMs?: number;
  overrides?: Record<string, string>;
  plainDefaults?: boolean;
}

export interface ProducerRunResult {
  topic: string;
  requested: number;
  produced: number;
  refused: number;
  delivered: number;
  failed: number;
  interrupted: boolean;
  poll: PollResult;
  flush: FlushResult;
  deliveries: ExampleDelivery[];
  settings: Record<string, string>;
  /** 0 when every message was delivered; 1 otherwise; 130 after SIGINT. */
  exitCode: number;
}

/** The getting-started producer: produce `count` random purchases, poll, flush, disconnect. */
export async function runExampleProducer(opts: ProducerRunOptions): Promise<ProducerRunResult> {
  const log = opts.log ?? createLogger();
  const topic = opts.topic ?? EXAMPLE_TOPIC;
  const count = opts.count ?? 10;
  const customers = opts.customers ?? CUSTOMERS;
  const products = opts.products ?? PRODUCTS;
  const random = opts.random ?? Math.random;
  const choice = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const producer = new ExampleProducer(opts.config, { log, overrides: opts.overrides, plainDefaults: opts.plainDefaults });
  let interrupted = false;
  let poll: PollResult = { served: 0, ms: 0 };
  let flush: FlushResult = { stillInQueue: 0, error: null, ms: 0 };
  try {
    await producer.connect();
    log.log("info", "started", `Producing ${count} purchases to topic ${topic} on ${producer.settings["bootstrap.servers"]}`, { topic, count });
    for (let i = 0; i < count; i++) {
      if (opts.signal?.aborted) {
        interrupted = true;
        log.log("warn", "shutdown", `Interrupted after ${i} of ${count} messages: flushing what was produced, then disconnecting`, { produced: i });
        break;
      }
      await producer.produce(choice(customers), choice(products), topic);
      // Serve delivery callbacks as we go (Python: producer.poll(0)), so none pile up.
      await producer.poll(0);
      if (opts.intervalMs) await sleep(opts.intervalMs, opts.signal);
    }
    // As the original: block until callbacks are served (at most pollTimeoutMs), then flush.
    poll = await producer.poll(opts.pollTimeoutMs ?? 10_000);
    flush = await producer.flush(opts.flushTimeoutMs ?? 10_000);
    const level = producer.failed || producer.refused || flush.stillInQueue ? "error" : "info";
    log.log(level, "finished", `${producer.delivered} delivered, ${producer.failed + producer.refused} failed, ${flush.stillInQueue} still in queue after flush`, {
      delivered: producer.delivered,
      failed: producer.failed + producer.refused,
      still_in_queue: flush.stillInQueue,
    });
  } finally {
    await producer.disconnect();
  }
  const allDelivered = producer.delivered === count && flush.stillInQueue === 0;
  return {
    topic,
    requested: count,
    produced: producer.produced,
    refused: producer.refused,
    delivered: producer.delivered,
    failed: producer.failed,
    interrupted,
    poll,
    flush,
    deliveries: producer.deliveries,
    settings: producer.printableSettings(),
    exitCode: interrupted ? 130 : allDelivered ? 0 : 1,
  };
}

/** A sleep that an abort ends early. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Consumer
// ---------------------------------------------------------------------------------------------

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
  exitCode: number;
}

/**
 * The getting-started consumer: subscribe to "purchases" (optionally from the beginning), print
 * every event, and close the consumer (leaving the group) however the loop ends.
 */
export async function runExampleConsumer(opts: ConsumerRunOptions): Promise<ConsumerRunResult> {
  const log = opts.log ?? createLogger();
  const topic = opts.topic ?? EXAMPLE_TOPIC;
  const pollMs = opts.pollTimeoutMs ?? 1_000;
  const settings = { ...opts.config.settings };
  const consumer = new Kafka.KafkaConsumer(
    {
      ...settings,
      // A rebalance callback must assign (or unassign) itself; --reset moves the offsets first.
      rebalance_cb(this: Kafka.KafkaConsumer, err: Kafka.LibrdKafkaError, assignment: Kafka.Assignment[]) {
        if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
          const start = opts.startOffsets;
          const parts = start
            ? assignment.map((a) => ({ ...a, offset: start[a.partition] ?? OFFSET_END }))
            : opts.reset
              ? assignment.map((a) => ({ ...a, offset: OFFSET_BEGINNING }))
              : assignment;
          log.log("info", "assigned", `Assigned ${parts.map((p) => `${p.topic}[${p.partition}]`).join(", ")}${opts.reset ? " (reset to the beginning)" : ""}`);
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
  consumer.on("event.error", (err) => log.log("warn", "client_error", `client error: ${describe(err)}`, { code: err.code }));
  const messages: ConsumedPurchase[] = [];
  const start = performance.now();
  let stoppedBecause: ConsumerRunResult["stoppedBecause"] = "signal";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`could not connect to ${settings["bootstrap.servers"]} within 15 s`)), 15_000);
    consumer.connect({ timeout: 15_000 }, (err) => {
      clearTimeout(timer);
      if (err) reject(new Error(`could not connect to ${settings["bootstrap.servers"]}: ${describe(err)}`));
      else resolve();
    });
  });
  try {
    consumer.setDefaultConsumeTimeout(pollMs);
    consumer.subscribe([topic]);
    log.log("info", "subscribed", `Consuming topic ${topic} as group ${settings["group.id"]}`, { topic, group: settings["group.id"] });
    let lastActivity = performance.now();
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
      if (opts.timeoutMs !== undefined && performance.now() - start > opts.timeoutMs) {
        stoppedBecause = "timeout";
        break;
      }
      if (opts.idleMs !== undefined && performance.now() - lastActivity > opts.idleMs) {
        stoppedBecause = "idle";
        break;
      }
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(1, (err, msgs) => (err ? reject(err) : resolve(msgs))));
      if (batch.length === 0) {
        log.log("info", "waiting", "Waiting...");
        continue;
      }
      for (const m of batch) {
        const c: ConsumedPurchase = {
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          key: m.key === null || m.key === undefined ? null : m.key.toString(),
          value: m.value ? m.value.toString("utf8") : "",
          at: performance.now(),
        };
        messages.push(c);
        log.log(
          "info",
          "consumed",
          `Consumed event from topic ${c.topic} [partition ${c.partition}, offset ${c.offset}]: key = ${shown(c.key).padEnd(12)} value = ${shown(c.value).padEnd(12)}`,
          { topic: c.topic, partition: c.partition, offset: c.offset, key: c.key, value: shown(c.value) },
        );
      }
      lastActivity = performance.now();
    }
  } finally {
    await disconnectWithin(consumer);
  }
  return { topic, messages, stoppedBecause, exitCode: stoppedBecause === "signal" ? 130 : 0 };
}

// ---------------------------------------------------------------------------------------------
// Notebook helpers
// ---------------------------------------------------------------------------------------------

/**
 * The example's INI file for a notebook: EXAMPLE_CONFIG or config/getting_started.ini, validated;
 * when it points at the embedded broker, the broker is started if it is not running.
 */
export async function openExampleConfig(role: ExampleRole, file: string = process.env.EXAMPLE_CONFIG || path.join(paths.root, "config", "getting_started.ini")): Promise<ExampleConfig> {
  const config = loadExampleConfig(file, role);
  if (config.settings["bootstrap.servers"] === EMBEDDED_BOOTSTRAP) await ensureBroker({ log: (line) => console.error(line) });
  return config;
}

/** The messages a topic holds (high watermark minus low), read with a short-lived client. */
export async function topicMessageCount(config: ExampleConfig, topic: string, partition = 0): Promise<number> {
  const probe = new Kafka.KafkaConsumer({ ...config.settings, "group.id": `example-probe-${Date.now()}` } as Kafka.ConsumerGlobalConfig, undefined);
  probe.on("event.error", () => undefined);
  await new Promise<void>((resolve, reject) => probe.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(`could not connect: ${describe(err)}`)) : resolve())));
  try {
    return await new Promise<number>((resolve, reject) =>
      probe.queryWatermarkOffsets(topic, partition, 10_000, (err, o) => (err ? reject(new Error(`cannot read the offsets of '${topic}': ${describe(err)}`)) : resolve(o.highOffset - o.lowOffset))),
    );
  } finally {
    await disconnectWithin(probe);
  }
}

export interface ShutdownDemo {
  /** The command that ran (config path relative to the project). */
  command: string;
  exitCode: number | null;
  signalAfterMs: number;
  /** The producer's JSON log lines. */
  log: LogEntry[];
  delivered: number;
  failed: number;
  /** What the topic holds afterwards. */
  onTopic: number;
}

/**
 * Runs the producer CLI as a child process producing slowly, sends it SIGINT (Ctrl-C) after
 * signalAfterMs and reports what it logged, its exit code and what reached the topic. Bounded.
 */
export async function demoGracefulShutdown(configFile: string, topic: string, signalAfterMs = 1_500): Promise<ShutdownDemo> {
  const script = path.join(paths.root, "dist", "scripts", "example-producer.js");
  const args = [script, configFile, "--count", "100000", "--interval-ms", "20", "--topic", topic, "--json"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  // Signal only once it is producing, so the demo is about stopping midway.
  const started = performance.now();
  while (!out.includes('"event":"delivered"') && performance.now() - started < 15_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, signalAfterMs));
  child.kill("SIGINT");
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  clearTimeout(killer);
  const log = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogEntry);
  if (!log.length) throw new Error(`the producer logged nothing (exit code ${exitCode})${err ? `: ${err.trim()}` : ""}`);
  return {
    command: `node dist/scripts/example-producer.js ${path.relative(paths.root, path.resolve(configFile))} --count 100000 --interval-ms 20 --topic ${topic} --json`,
    exitCode,
    signalAfterMs,
    log,
    delivered: log.filter((e) => e.event === "delivered").length,
    failed: log.filter((e) => e.event === "delivery_failed" || e.event === "produce_refused").length,
    onTopic: await topicMessageCount(loadExampleConfig(configFile, "producer"), topic),
  };
}

/** Rows of plain values as a DataFrame, for kpp.showTable. */
export function rowsTable<T extends object>(rows: T[]): pl.DataFrame {
  return pl.DataFrame(rows as Record<string, unknown>[]);
}

/** Each producer setting with where it came from (secrets redacted). */
export function settingsRows(producer: ExampleProducer): { setting: string; value: string; source: string }[] {
  const shown = producer.printableSettings();
  return Object.keys(shown).map((k) => ({
    setting: k,
    value: shown[k],
    source: k in producer.config.settings ? `${path.basename(producer.config.file)} [default]` : k in RELIABILITY_DEFAULTS ? "the port's reliability default" : "override",
  }));
}

export function deliveryRows(deliveries: ExampleDelivery[]): Record<string, string | number | null>[] {
  return deliveries.map((d) => ({
    topic: d.topic,
    key: d.key,
    value: shown(d.value),
    result: d.ok ? "delivered" : "FAILED",
    partition: d.partition ?? null,
    offset: d.offset ?? null,
    error: d.error ?? null,
  }));
}

/** A copy of a consumer configuration with another group.id (a fresh group for a demonstration). */
export function withGroup(config: ExampleConfig, groupId: string): ExampleConfig {
  return { ...config, settings: { ...config.settings, "group.id": groupId } };
}

/** The first offset each partition got in a producer run: where a consumer reads this run back from. */
export function firstOffsets(deliveries: ExampleDelivery[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const d of deliveries) {
    if (d.ok && d.partition !== undefined && d.offset !== undefined) out[d.partition] = Math.min(out[d.partition] ?? Infinity, d.offset);
  }
  return out;
}

export interface FailureDemo {
  deliveries: ExampleDelivery[];
  refused: LogEntry[];
  brokerLimitBytes: number;
}

/**
 * Three messages that cannot be delivered: a 2 MB value with the client's limit raised (the
 * broker rejects it: failed delivery report), a topic name Kafka does not allow (failed delivery
 * report), and a 2 MB value under the client's default 1 MB limit (produce() refuses it at once).
 */
export async function demoFailedDeliveries(config: ExampleConfig, topic: string, log: Logger = createLogger()): Promise<FailureDemo> {
  const big = Buffer.alloc(2_000_000, "x");
  const lenient = new ExampleProducer(config, { log, overrides: { "message.max.bytes": "3000000" } });
  const strict = new ExampleProducer(config, { log });
  try {
    await lenient.connect();
    await lenient.produce("jsmith", big, topic);
    await lenient.produce("jsmith", "book", "not a valid topic!");
    await lenient.flush(15_000);
    await strict.connect();
    await strict.produce("jsmith", big, topic);
    await strict.flush(15_000);
  } finally {
    await lenient.disconnect();
    await strict.disconnect();
  }
  return { deliveries: [...lenient.deliveries, ...strict.deliveries], refused: log.entries.filter((e) => e.event === "produce_refused"), brokerLimitBytes: 1_048_588 };
}

export interface PollFlushRow {
  call: string;
  python: string;
  returned: string;
  blocked_ms: number;
  callbacks_served: number;
}

/**
 * What poll() and flush() return and how long they block, measured: the JavaScript client's own
 * poll(), the port's Python-style poll(timeout) with and without anything to serve, and flush().
 */
export async function demoPollAndFlush(config: ExampleConfig, topic: string): Promise<PollFlushRow[]> {
  const quiet = createLogger("text", () => undefined);
  const rows: PollFlushRow[] = [];
  // 1. librdkafka defaults (linger.ms=5): three messages, then poll(10 s) and flush(10 s).
  const p = new ExampleProducer(config, { log: quiet });
  try {
    await p.connect();
    for (const v of ["book", "batteries", "gift card"]) await p.produce("eabara", v, topic);
    const before = p.deliveries.length;
    const t = performance.now();
    const raw = p.clientPoll();
    const rawMs = performance.now() - t;
    await new Promise((r) => setImmediate(r));
    rows.push({
      call: "client.poll()  (JavaScript client, no timeout)",
      python: "poll(0)",
      returned: raw.isProducer ? "the producer itself (for chaining)" : String(raw.value),
      blocked_ms: rawMs,
      callbacks_served: p.deliveries.length - before,
    });
    const polled = await p.poll(10_000);
    rows.push({ call: "poll(10000 ms) after 3 produce()", python: "poll(10.0)", returned: `${polled.served} (callbacks served)`, blocked_ms: polled.ms, callbacks_served: polled.served });
    const beforeFlush = p.deliveries.length;
    const flushed = await p.flush(10_000);
    rows.push({ call: "flush(10000 ms) afterwards", python: "flush(10.0)", returned: `${flushed.stillInQueue} (still in queue)${flushed.error ? `, ${flushed.error}` : ""}`, blocked_ms: flushed.ms, callbacks_served: p.deliveries.length - beforeFlush });
  } finally {
    await p.disconnect();
  }
  // 2. linger.ms=3000: nothing is sent for 3 s, so poll has nothing to serve and waits its whole
  //    timeout; flush sends at once and returns when all are acknowledged.
  const q = new ExampleProducer(config, { log: quiet, overrides: { "linger.ms": "3000" } });
  try {
    await q.connect();
    for (const v of ["book", "batteries", "gift card"]) await q.produce("htanaka", v, topic);
    const polled = await q.poll(1_000);
    rows.push({ call: "poll(1000 ms) with linger.ms=3000", python: "poll(1.0)", returned: `${polled.served} (callbacks served)`, blocked_ms: polled.ms, callbacks_served: polled.served });
    const beforeFlush = q.deliveries.length;
    const flushed = await q.flush(10_000);
    rows.push({ call: "flush(10000 ms) with linger.ms=3000", python: "flush(10.0)", returned: `${flushed.stillInQueue} (still in queue)${flushed.error ? `, ${flushed.error}` : ""}`, blocked_ms: flushed.ms, callbacks_served: q.deliveries.length - beforeFlush });
  } finally {
    await q.disconnect();
  }
  return rows;
}

/** The poll/flush findings in sentences, from demoPollAndFlush's rows. */
export function pollFlushMarkdown(rows: PollFlushRow[]): string {
  const f = (x: number) => `${x.toLocaleString("en-US", { maximumFractionDigits: 1 })} ms`;
  const [, poll10, flush10, pollIdle, flushLinger] = rows;
  const out: string[] = [];
  if (poll10) out.push(`- poll with a 10 000 ms bound returned after **${f(poll10.blocked_ms)}**, having served ${poll10.callbacks_served} delivery callback(s): the timeout is an upper bound, not a sleep.`);
  if (flush10) out.push(`- flush afterwards returned ${flush10.returned.split(" ")[0]} (nothing left in the queue) after ${f(flush10.blocked_ms)}, serving the remaining ${flush10.callbacks_served} callback(s).`);
  if (pollIdle) out.push(`- With \`linger.ms=3000\` nothing had been sent yet, so poll(1000 ms) found nothing to serve and blocked for its **whole timeout** (${f(pollIdle.blocked_ms)}, ${pollIdle.callbacks_served} served).`);
  if (flushLinger) out.push(`- flush() then sent the held messages at once, without waiting for \`linger.ms\`, and returned after ${f(flushLinger.blocked_ms)} with ${flushLinger.returned.split(" ")[0]} still in the queue.`);
  return out.join("\n");
}

/** The graceful-shutdown demonstration in sentences. */
export function shutdownMarkdown(d: ShutdownDemo): string {
  const stop = d.log.find((e) => e.event === "shutdown");
  const produced = typeof stop?.produced === "number" ? stop.produced : NaN;
  const lost = produced - d.onTopic;
  const ok = d.exitCode === 130 && stop !== undefined && lost === 0 && d.failed === 0;
  return (
    `SIGINT (Ctrl-C) was sent ${d.signalAfterMs.toLocaleString("en-US")} ms after the first delivery. The producer ${stop ? `stopped after **${produced}** messages, flushed them and disconnected` : "**did not log a shutdown**"}; ` +
    `${d.delivered} delivery reports said delivered, ${d.failed} failed, the topic holds **${d.onTopic}**, and the exit code was ${d.exitCode}. ` +
    (ok ? "Nothing that was produced was lost." : "⚠️ This run does not show a clean shutdown; see the log above.")
  );
}
