/**
 * What notebook 02 runs to show the getting-started port's behaviour: the example's INI file
 * (starting the embedded broker when it points there), failed deliveries, what poll() and flush()
 * return, a graceful shutdown of the producer command, and the rows its tables show. The
 * sentences about the results are in texts.ts.
 */
import * as path from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { ensureBroker } from "../broker";
import { EMBEDDED_BOOTSTRAP } from "../config/connection";
import { paths, projectRelative } from "../config/paths";
import { runChild } from "../core/child";
import { now, sleep } from "../core/time";
import { watermarks } from "../kafka/admin";
import { connectWithin, disconnectWithin, Kafka } from "../kafka/client";
import { ExampleProducer, RELIABILITY_DEFAULTS, type ExampleDelivery, type PollResult } from "./example-producer";
import { loadExampleConfig, type ExampleConfig, type ExampleRole } from "./ini-config";
import { createLogger, quietLogger, shown, type LogEntry, type Logger } from "./logger";

/**
 * The example's INI file for a notebook: EXAMPLE_CONFIG or config/getting_started.ini, validated;
 * when it points at the embedded broker, the broker is started if it is not running.
 */
export async function openExampleConfig(
  role: ExampleRole,
  file: string = process.env.EXAMPLE_CONFIG || path.join(paths.root, "config", "getting_started.ini"),
): Promise<ExampleConfig> {
  const config = loadExampleConfig(file, role);
  if (config.settings["bootstrap.servers"] === EMBEDDED_BOOTSTRAP) {
    // Starting the broker is news, not an error: one line on stdout (its own log names the machine's paths).
    const { status, startedHere } = await ensureBroker();
    if (startedHere) console.log(`Started the embedded Kafka ${status.kafkaVersion ?? ""} broker on ${status.bootstrap}.`);
  }
  return config;
}

/** The messages a topic holds (high watermark minus low), read with a short-lived client. */
export async function topicMessageCount(config: ExampleConfig, topic: string, partition = 0): Promise<number> {
  const probe = new Kafka.KafkaConsumer(
    { ...config.settings, "group.id": `example-probe-${Date.now()}` } as Kafka.ConsumerGlobalConfig,
    undefined,
  );
  probe.on("event.error", () => undefined);
  await connectWithin(probe, config.settings["bootstrap.servers"], { what: "offset probe" });
  try {
    const { low, high } = await watermarks(probe, topic, partition, 10_000);
    return high - low;
  } finally {
    await disconnectWithin(probe);
  }
}

export interface ShutdownDemo {
  /** The command that ran (paths relative to the project). */
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

/** The producer command's JSON log lines, from its standard output. */
function jsonLines(out: string): LogEntry[] {
  return out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogEntry);
}

/** How long the shutdown demo waits for the first delivery, and for the child to end after SIGINT. */
const FIRST_DELIVERY_MS = 15_000;
const AFTER_SIGINT_MS = 30_000;

/**
 * Runs the producer command (producer-cli.ts, compiled next to this file) as a child process
 * producing slowly, sends it SIGINT (Ctrl-C) after signalAfterMs and reports what it logged, its
 * exit code and what reached the topic. Bounded: runChild kills it (SIGKILL) once the wait for
 * the first delivery, signalAfterMs and 30 s have passed, and so does a timer 30 s after SIGINT.
 */
export async function demoGracefulShutdown(configFile: string, topic: string, signalAfterMs = 1_500): Promise<ShutdownDemo> {
  const script = require.resolve("./producer-cli");
  const args = [configFile, "--count", "100000", "--interval-ms", "20", "--topic", topic, "--json"];
  let pid: number | undefined;
  let producing = false;
  let exited = false;
  const finished = runChild(process.execPath, [script, ...args], {
    timeoutMs: FIRST_DELIVERY_MS + signalAfterMs + AFTER_SIGINT_MS,
    onSpawn: (p) => {
      pid = p;
    },
    onLine: (line) => {
      if (line.startsWith("{") && line.includes('"event":"delivered"')) producing = true;
    },
  }).finally(() => {
    exited = true;
  });
  finished.catch(() => undefined); // awaited below; a child that cannot start rejects there
  /** Signals the child while it runs (once it has exited, its pid may be another process's). */
  const signal = (name: NodeJS.Signals) => {
    if (pid === undefined || exited) return;
    try {
      process.kill(pid, name);
    } catch {
      // It ended between the check and the signal.
    }
  };
  // Signal only once it is producing, so the demo is about stopping midway.
  const started = now();
  while (!producing && !exited && now() - started < FIRST_DELIVERY_MS) await sleep(20);
  await sleep(signalAfterMs);
  signal("SIGINT");
  const killer = setTimeout(() => signal("SIGKILL"), AFTER_SIGINT_MS);
  const { code: exitCode, stdout: out, stderr: err } = await finished.finally(() => clearTimeout(killer));
  const log = jsonLines(out);
  if (!log.length) throw new Error(`the producer logged nothing (exit code ${exitCode})${err ? `: ${err.trim()}` : ""}`);
  return {
    command: ["node", projectRelative(script), projectRelative(configFile), ...args.slice(1)].join(" "),
    exitCode,
    signalAfterMs,
    log,
    delivered: log.filter((e) => e.event === "delivered").length,
    failed: log.filter((e) => e.event === "delivery_failed" || e.event === "produce_refused").length,
    onTopic: await topicMessageCount(loadExampleConfig(configFile, "producer"), topic),
  };
}

/** Each producer setting with where it came from (secrets redacted). */
export function settingsRows(producer: ExampleProducer): { setting: string; value: string; source: string }[] {
  const printable = producer.printableSettings();
  return Object.keys(printable).map((k) => ({
    setting: k,
    value: printable[k],
    source:
      k in producer.config.settings
        ? `${path.basename(producer.config.file)} [default]`
        : k in RELIABILITY_DEFAULTS
          ? "the port's reliability default"
          : "override",
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
  return {
    deliveries: [...lenient.deliveries, ...strict.deliveries],
    refused: log.entries.filter((e) => e.event === "produce_refused"),
  };
}

export interface PollFlushRow {
  call: string;
  python: string;
  returned: string;
  blocked_ms: number;
  callbacks_served: number;
}

function pollRow(call: string, python: string, polled: PollResult): PollFlushRow {
  return { call, python, returned: `${polled.served} (callbacks served)`, blocked_ms: polled.ms, callbacks_served: polled.served };
}

/** flush(10 s) on p, as a row: what it returned, how long it blocked, how many callbacks it served. */
async function flushRow(p: ExampleProducer, call: string): Promise<PollFlushRow> {
  const before = p.deliveries.length;
  const flushed = await p.flush(10_000);
  const returned = `${flushed.stillInQueue} (still in queue)${flushed.error ? `, ${flushed.error}` : ""}`;
  return { call, python: "flush(10.0)", returned, blocked_ms: flushed.ms, callbacks_served: p.deliveries.length - before };
}

/** A connected producer with three purchases of `key` queued, for `measure`; always disconnected. */
async function withThreeQueued(
  config: ExampleConfig,
  topic: string,
  key: string,
  overrides: Record<string, string>,
  measure: (p: ExampleProducer) => Promise<void>,
): Promise<void> {
  const p = new ExampleProducer(config, { log: quietLogger(), overrides });
  try {
    await p.connect();
    for (const v of ["book", "batteries", "gift card"]) await p.produce(key, v, topic);
    await measure(p);
  } finally {
    await p.disconnect();
  }
}

/** The second poll/flush case: linger.ms long enough that poll(IDLE_POLL_MS) finds nothing sent, so nothing to serve. */
export const DEMO_LINGER_MS = 3_000;
export const IDLE_POLL_MS = 1_000;

/**
 * What poll() and flush() return and how long they block, measured: the JavaScript client's own
 * poll(), the port's Python-style poll(timeout) with and without anything to serve, and flush().
 */
export async function demoPollAndFlush(config: ExampleConfig, topic: string): Promise<PollFlushRow[]> {
  const rows: PollFlushRow[] = [];
  // 1. librdkafka defaults (linger.ms=5): three messages, then poll(10 s) and flush(10 s).
  await withThreeQueued(config, topic, "eabara", {}, async (p) => {
    const before = p.deliveries.length;
    const t = now();
    const raw = p.clientPoll();
    const rawMs = now() - t;
    await yieldToEventLoop();
    rows.push({
      call: "client.poll()  (JavaScript client, no timeout)",
      python: "poll(0)",
      returned: raw.isProducer ? "the producer itself (for chaining)" : String(raw.value),
      blocked_ms: rawMs,
      callbacks_served: p.deliveries.length - before,
    });
    rows.push(pollRow("poll(10000 ms) after 3 produce()", "poll(10.0)", await p.poll(10_000)));
    rows.push(await flushRow(p, "flush(10000 ms) afterwards"));
  });
  // 2. linger.ms=3000: nothing is sent for 3 s, so poll has nothing to serve and waits its whole
  //    timeout; flush sends at once and returns when all are acknowledged.
  const linger = `linger.ms=${DEMO_LINGER_MS}`;
  await withThreeQueued(config, topic, "htanaka", { "linger.ms": String(DEMO_LINGER_MS) }, async (q) => {
    rows.push(pollRow(`poll(${IDLE_POLL_MS} ms) with ${linger}`, `poll(${(IDLE_POLL_MS / 1000).toFixed(1)})`, await q.poll(IDLE_POLL_MS)));
    rows.push(await flushRow(q, `flush(10000 ms) with ${linger}`));
  });
  return rows;
}
