/**
 * The experiments behind notebook 03 (the in-class activity's "G section" on producer.flush()):
 * a producer follows a plan of produce / pause / flush steps while a consumer in the same process
 * reads the topic, and every message gets three times on one monotonic clock (performance.now()):
 *
 *   produced      just before produce() handed it to librdkafka
 *   acknowledged  when its delivery report reached JavaScript (the producer is polled every
 *                 millisecond, so this is the broker's ack plus at most about a millisecond;
 *                 Python would run the callback only inside poll() or flush())
 *   consumed      when the concurrent consumer's consume() call returned it to JavaScript
 *
 * Plus the "no flush before exit" experiment, which needs a process that really ends: a child
 * (lib/flush-lab-child.ts) produces and exits without flush or disconnect, and the topic's
 * offsets and the concurrent consumer count what reached the broker.
 *
 * Every run uses a fresh single-partition topic, so counts and orders are exact.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import type { Figure } from "./charts";
import type { KafkaConnection } from "./config";
import { clientVersions } from "./producers";
import { ensureTopic } from "./topics";
import type { ChildArgs, ChildEnding, ChildReport } from "./flush-lab-child";
import pl from "nodejs-polars";
import { disconnectWithin } from "./kafka";
import { quantile } from "./metrics";

export type Step = { kind: "produce" } | { kind: "pause"; ms: number } | { kind: "flush" };

/** One experiment's messages: send count, pausing pauseMs after every pauseEvery-th and flushing after every flushEvery-th. */
export interface PlanOptions {
  count: number;
  pauseEvery?: number;
  pauseMs?: number;
  flushEvery?: number;
  /** Flush once after the last message even if count is not a multiple of flushEvery (default true). */
  finalFlush?: boolean;
}

/**
 * The steps for a plan. After message i (1-based): flush when i is a multiple of flushEvery,
 * then pause when i is a multiple of pauseEvery and more messages follow. The G-section
 * question 4 is planSteps({ count: 15, pauseEvery: 5, pauseMs: 2000, flushEvery: 15 }).
 */
export function planSteps(p: PlanOptions): Step[] {
  const steps: Step[] = [];
  let flushedLast = false;
  for (let i = 1; i <= p.count; i++) {
    steps.push({ kind: "produce" });
    flushedLast = false;
    if (p.flushEvery && i % p.flushEvery === 0) {
      steps.push({ kind: "flush" });
      flushedLast = true;
    }
    if (p.pauseEvery && p.pauseMs && i % p.pauseEvery === 0 && i < p.count) steps.push({ kind: "pause", ms: p.pauseMs });
  }
  if ((p.finalFlush ?? true) && !flushedLast) steps.push({ kind: "flush" });
  return steps;
}

/** Per-message times, ms on performance.now(); null when it never happened. */
export interface MessageTimes {
  /** 1-based message number. */
  n: number;
  producedAt: number;
  ackedAt: number | null;
  consumedAt: number | null;
  offset: number | null;
  error: string | null;
}

export interface TimelineEvent {
  kind: "flush" | "pause";
  start: number;
  end: number;
  /** How many messages had been produced when it started. */
  afterMessage: number;
}

export interface TimelineRun {
  label: string;
  topic: string;
  target: string;
  client: string;
  librdkafka: string;
  settings: Record<string, string>;
  plan: PlanOptions;
  /** performance.now() of the first produce(): the timeline's zero. */
  t0: number;
  messages: MessageTimes[];
  events: TimelineEvent[];
  /** From the first produce() to the last acknowledgement (ms). */
  spanMs: number;
}

// ---------------------------------------------------------------------------------------------
// The concurrent consumer
// ---------------------------------------------------------------------------------------------

/** A consumer reading a topic from the beginning in the background, stamping every message. */
export class ConcurrentConsumer {
  /** Every message received: key, value text, offset and the time it reached JavaScript. */
  readonly received: { key: string | null; value: string; offset: number; at: number }[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];

  private constructor(private readonly consumer: Kafka.KafkaConsumer) {}

  /** Connects and subscribes; resolves once the partitions are assigned. Bounded by timeoutMs. */
  static async start(connection: KafkaConnection, topic: string, timeoutMs = 20_000): Promise<ConcurrentConsumer> {
    const consumer = new Kafka.KafkaConsumer(
      {
        ...connection.clientConfig(),
        "group.id": `flush-lab-${process.pid}-${Date.now()}`,
        "enable.auto.commit": false,
        // The broker answers a fetch as soon as one byte is there; no batching on this side.
        "fetch.min.bytes": 1,
        // true: the client assigns by itself and emits 'rebalance', which start() waits for.
        rebalance_cb: true,
      } as Kafka.ConsumerGlobalConfig,
      { "auto.offset.reset": "earliest" },
    );
    consumer.on("event.error", () => undefined);
    const assigned = new Promise<void>((resolve) => consumer.once("rebalance", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer could not connect within ${timeoutMs} ms`)), timeoutMs);
      consumer.connect({ timeout: timeoutMs }, (err) => {
        clearTimeout(timer);
        if (err) reject(new Error(`consumer could not connect: ${err.message}`));
        else resolve();
      });
    });
    const c = new ConcurrentConsumer(consumer);
    // Wait up to 50 ms for a first message, then take whatever else is ready: a message is
    // stamped within milliseconds of arriving, and the loop never spins.
    consumer.setDefaultConsumeTimeout(50);
    (consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.subscribe([topic]);
    c.loop = c.run();
    const ok = await Promise.race([assigned.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!ok) {
      await c.stop();
      throw new Error(`consumer got no partitions of '${topic}' within ${timeoutMs} ms`);
    }
    return c;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const batch = await new Promise<Kafka.Message[]>((resolve) => this.consumer.consume(1000, (err, msgs) => resolve(err ? [] : msgs)));
      const at = performance.now();
      for (const m of batch) {
        this.received.push({ key: m.key === null || m.key === undefined ? null : m.key.toString(), value: m.value?.toString("utf8") ?? "", offset: m.offset, at });
      }
      if (batch.length) {
        const w = this.waiters;
        this.waiters = [];
        w.forEach((f) => f());
      }
    }
  }

  /** Waits until `pred` holds for what was received, at most timeoutMs; returns whether it did. */
  async waitFor(pred: (received: ConcurrentConsumer["received"]) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!pred(this.received)) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(Math.min(left, 100))]);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.race([this.loop, sleep(5_000)]);
    await disconnectWithin(this.consumer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A topic name no earlier run used. */
export function freshTopic(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
}

// ---------------------------------------------------------------------------------------------
// Timeline runs
// ---------------------------------------------------------------------------------------------

export interface TimelineOptions {
  connection: KafkaConnection;
  label: string;
  plan: PlanOptions;
  /** Explicit steps instead of planSteps(plan) (plan.count must still say how many produce steps). */
  steps?: Step[];
  /** librdkafka producer settings over the defaults (e.g. linger.ms). */
  settings?: Record<string, string>;
  /** Consume concurrently (default true). */
  consume?: boolean;
  topicPrefix?: string;
  /** After the plan, wait at most this long for the consumer to catch up (default 10 s). */
  drainMs?: number;
}

/** The producer settings every timeline run starts from: librdkafka's defaults, made explicit. */
export const TIMELINE_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({ acks: "all", "linger.ms": "5", "client.id": "flush-lab" });

/**
 * Runs one plan on a fresh topic with a concurrent consumer. A warm-up message goes first (and is
 * not recorded) so that connecting, metadata and the consumer's first fetch are not timed.
 */
export async function runTimeline(opts: TimelineOptions): Promise<TimelineRun> {
  const { connection } = opts;
  const topic = freshTopic(opts.topicPrefix ?? "flush-lab");
  await ensureTopic(connection, { name: topic, partitions: 1 });
  const settings = { ...TIMELINE_DEFAULTS, ...opts.settings };
  const versions = clientVersions();
  const consumer = opts.consume === false ? undefined : await ConcurrentConsumer.start(connection, topic);
  const producer = new Kafka.Producer({ ...connection.clientConfig(), ...settings, dr_cb: true } as Kafka.ProducerGlobalConfig);
  const messages: MessageTimes[] = [];
  const events: TimelineEvent[] = [];
  let warmupAcked = false;
  producer.on("event.error", () => undefined);
  producer.on("delivery-report", (err, report) => {
    const at = performance.now();
    const n = report.opaque as number;
    if (n === 0) {
      warmupAcked = true;
      return;
    }
    const m = messages[n - 1];
    if (!m) return;
    m.ackedAt = at;
    m.offset = err ? null : report.offset;
    m.error = err ? err.message : null;
  });
  let connected = false;
  try {
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(`producer could not connect: ${err.message}`)) : resolve())),
    );
    connected = true;
    // Poll from JavaScript every millisecond rather than with setPollInBackground(true): with
    // background polling, librdkafka's flush() waits in steps of about 10 ms (measured: a
    // one-message flush took 10.3 ms against 0.2 ms), which would dominate question 3's result.
    producer.setPollInterval(1);
    const flush = (timeoutMs: number) => new Promise<void>((resolve, reject) => producer.flush(timeoutMs, (err) => (err ? reject(new Error(`flush failed: ${err.message}`)) : resolve())));

    // Warm-up: connection, metadata and the consumer's position, none of it timed.
    producer.produce(topic, null, Buffer.from("warm-up"), "warm-up", null, 0);
    await flush(15_000);
    const warm = consumer ? await consumer.waitFor((r) => r.some((x) => x.key === "warm-up"), 15_000) : true;
    if (!warm || !warmupAcked) await sleep(50);
    if (consumer && !warm) throw new Error(`the consumer did not receive the warm-up message on '${topic}' within 15 s`);

    const t0 = performance.now();
    let produced = 0;
    for (const step of opts.steps ?? planSteps(opts.plan)) {
      if (step.kind === "produce") {
        produced++;
        messages.push({ n: produced, producedAt: performance.now(), ackedAt: null, consumedAt: null, offset: null, error: null });
        producer.produce(topic, null, Buffer.from(`message ${produced}`), `m${produced}`, null, produced);
      } else if (step.kind === "pause") {
        const start = performance.now();
        await sleep(step.ms);
        events.push({ kind: "pause", start, end: performance.now(), afterMessage: produced });
      } else {
        const start = performance.now();
        await flush(30_000);
        events.push({ kind: "flush", start, end: performance.now(), afterMessage: produced });
      }
    }
    // Reports may trail flush()'s callback by a moment; then let the consumer catch up.
    const deadline = performance.now() + 5_000;
    while (messages.some((m) => m.ackedAt === null) && performance.now() < deadline) await sleep(5);
    if (consumer) {
      const keys = new Set(messages.map((m) => `m${m.n}`));
      await consumer.waitFor((r) => r.filter((x) => x.key !== null && keys.has(x.key)).length >= messages.length, opts.drainMs ?? 10_000);
      for (const r of consumer.received) {
        const n = r.key?.startsWith("m") ? Number(r.key.slice(1)) : NaN;
        const m = messages[n - 1];
        if (m && m.consumedAt === null) m.consumedAt = r.at;
      }
    }
    const lastAck = Math.max(...messages.map((m) => m.ackedAt ?? -Infinity));
    return {
      label: opts.label,
      topic,
      target: connection.label,
      client: versions.client,
      librdkafka: versions.librdkafka,
      settings,
      plan: opts.plan,
      t0,
      messages,
      events,
      spanMs: Number.isFinite(lastAck) ? lastAck - t0 : NaN,
    };
  } finally {
    if (connected) {
      producer.setPollInterval(0);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 11_000);
        producer.disconnect(10_000, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await consumer?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a run
// ---------------------------------------------------------------------------------------------

export interface RunStats {
  label: string;
  messages: number;
  acknowledged: number;
  consumed: number;
  failed: number;
  flushes: number;
  /** Messages per second from the first produce() to the last acknowledgement. */
  msgs_per_s: number;
  median_ack_ms: number;
  p95_ack_ms: number;
  median_consume_ms: number;
  max_consume_ms: number;
  span_ms: number;
}

/** Latencies: produce() to acknowledgement and produce() to consumption, in ms. */
export function runStats(run: TimelineRun): RunStats {
  const ack = run.messages.filter((m) => m.ackedAt !== null && !m.error).map((m) => (m.ackedAt as number) - m.producedAt);
  const cons = run.messages.filter((m) => m.consumedAt !== null).map((m) => (m.consumedAt as number) - m.producedAt);
  return {
    label: run.label,
    messages: run.messages.length,
    acknowledged: ack.length,
    consumed: cons.length,
    failed: run.messages.filter((m) => m.error).length,
    flushes: run.events.filter((e) => e.kind === "flush").length,
    msgs_per_s: run.spanMs > 0 ? (1000 * run.messages.length) / run.spanMs : NaN,
    median_ack_ms: quantile(ack, 0.5),
    p95_ack_ms: quantile(ack, 0.95),
    median_consume_ms: quantile(cons, 0.5),
    max_consume_ms: cons.length ? Math.max(...cons) : NaN,
    span_ms: run.spanMs,
  };
}

export type Arrival = "before-flush" | "at-flush" | "after-flush" | "never";

export interface MessageArrival {
  n: number;
  arrival: Arrival;
  /** From produce() to the start of the next flush() (Infinity when none followed). */
  gapToFlushMs: number;
  /** Whether the message had longer than linger.ms (+ 50 ms slack) before that flush, i.e. time to be sent without it. */
  hadTime: boolean;
}

/**
 * When each message reached the consumer relative to the first flush() that started at or after
 * it was produced: before that flush started, while it ran, after it ended, or never.
 */
export function arrivals(run: TimelineRun): MessageArrival[] {
  const flushes = run.events.filter((e) => e.kind === "flush");
  const linger = Number(run.settings["linger.ms"] ?? 5);
  return run.messages.map((m) => {
    const f = flushes.find((e) => e.start >= m.producedAt);
    const gapToFlushMs = f ? f.start - m.producedAt : Infinity;
    const hadTime = gapToFlushMs > linger + 50;
    let arrival: Arrival;
    if (m.consumedAt === null) arrival = "never";
    else if (!f || m.consumedAt < f.start) arrival = "before-flush";
    else arrival = m.consumedAt <= f.end ? "at-flush" : "after-flush";
    return { n: m.n, arrival, gapToFlushMs, hadTime };
  });
}

export interface ArrivalSummary {
  /** Messages that had time to go without a flush, and how many of them arrived before it. */
  hadTime: number;
  hadTimeBeforeFlush: number;
  /** Messages produced less than linger.ms before a flush (the flush was bound to send them). */
  noTime: number;
  beforeFlush: number;
  atOrAfterFlush: number;
  never: number;
  verdict: "immediately" | "only after a flush" | "mixed";
}

export function arrivalSummary(run: TimelineRun): ArrivalSummary {
  const a = arrivals(run);
  const had = a.filter((x) => x.hadTime);
  const beforeFlush = a.filter((x) => x.arrival === "before-flush").length;
  const never = a.filter((x) => x.arrival === "never").length;
  const atOrAfterFlush = a.length - beforeFlush - never;
  const hadTimeBeforeFlush = had.filter((x) => x.arrival === "before-flush").length;
  const verdict =
    never === 0 && had.length > 0 && hadTimeBeforeFlush === had.length ? "immediately" : never === 0 && atOrAfterFlush === a.length ? "only after a flush" : "mixed";
  return { hadTime: had.length, hadTimeBeforeFlush, noTime: a.length - had.length, beforeFlush, atOrAfterFlush, never, verdict };
}

const ms = (x: number, d = 1) => (Number.isFinite(x) ? `${x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })} ms` : "n/a");

/** The answer to question 4 for one run, in sentences computed from it. */
export function arrivalMarkdown(run: TimelineRun): string {
  const s = runStats(run);
  const a = arrivalSummary(run);
  const linger = run.settings["linger.ms"];
  const head = `**${run.label}** (\`linger.ms=${linger}\`, \`acks=${run.settings.acks}\`): ${s.consumed} of ${s.messages} messages consumed, ${s.acknowledged} acknowledged, ${s.failed} failed; produce → acknowledgement median ${ms(s.median_ack_ms)}, produce → consume median ${ms(s.median_consume_ms)} (at most ${ms(s.max_consume_ms)}).`;
  let body: string;
  if (a.verdict === "immediately") {
    body =
      `All ${a.hadTime} messages that were produced more than \`linger.ms\` before the next flush() reached the consumer **before that flush was called**, so the consumer receives each message practically immediately, not at the flush: ` +
      `librdkafka sends a batch once its oldest message has waited \`linger.ms\` = ${linger} ms (or the batch is full), the broker appends and acknowledges it (\`acks=all\`), and the waiting consumer's fetch returns it.` +
      (a.noTime ? ` The other ${a.noTime} were produced less than \`linger.ms\` before a flush(), so that flush sent them a few milliseconds early.` : "");
  } else if (a.verdict === "only after a flush") {
    body =
      `**None** of the ${s.messages} messages reached the consumer before the flush() that followed it, although some were produced ${ms(Math.max(...arrivals(run).map((x) => x.gapToFlushMs)), 0)} before it: with \`linger.ms\` = ${linger} ms, longer than the time to the next flush, ` +
      `librdkafka holds them to fill a batch, and flush() is what sent them, all at once. The consumer therefore receives them only after (during) the flush.`;
  } else {
    body = `${a.beforeFlush} messages arrived before their flush() and ${a.atOrAfterFlush} only during or after it${a.never ? `, ${a.never} never` : ""}; of the ${a.hadTime} that had more than \`linger.ms\` before a flush, ${a.hadTimeBeforeFlush} arrived before it. See the chart.`;
  }
  return `${head} ${body}`;
}

// ---------------------------------------------------------------------------------------------
// The chart
// ---------------------------------------------------------------------------------------------

/** Produced / acknowledged / consumed per message against time, flushes and pauses shaded. */
export function timelineFigure(run: TimelineRun): Figure {
  const rel = (t: number | null) => (t === null ? null : (t - run.t0) / 1000);
  const y = run.messages.map((m) => m.n);
  const trace = (name: string, xs: (number | null)[], symbol: string, color: string, size: number) => ({
    type: "scatter",
    mode: "markers",
    name,
    x: xs,
    y,
    marker: { symbol, color, size, line: { width: 1, color } },
    hovertemplate: `${name}: message %{y} at %{x:.3f} s<extra></extra>`,
  });
  const shapes = run.events.map((e) => ({
    type: "rect",
    xref: "x",
    yref: "paper",
    x0: rel(e.start),
    x1: Math.max(rel(e.end) as number, (rel(e.start) as number) + 0.01),
    y0: 0,
    y1: 1,
    fillcolor: e.kind === "flush" ? "rgba(214,39,40,0.25)" : "rgba(127,127,127,0.12)",
    line: { width: e.kind === "flush" ? 1 : 0, color: "rgba(214,39,40,0.8)" },
  }));
  // Many flushes (one per message) would bury the chart in labels: label only a few.
  const labelled = run.events.length <= 20 ? run.events : [];
  const annotations = labelled.map((e) => ({
    x: rel(e.start),
    y: 1,
    xref: "x",
    yref: "paper",
    yanchor: "bottom",
    text: e.kind === "flush" ? `flush() after #${e.afterMessage}` : `pause ${Math.round((e.end - e.start) / 100) / 10} s`,
    showarrow: false,
    font: { size: 10, color: e.kind === "flush" ? "#d62728" : "#555" },
  }));
  const p = run.plan;
  const planText = [`${p.count} messages`, p.pauseEvery ? `pause ${(p.pauseMs ?? 0) / 1000} s after every ${p.pauseEvery}th` : "", p.flushEvery ? `flush after every ${p.flushEvery === 1 ? "message" : `${p.flushEvery}th`}` : "flush at the end"]
    .filter(Boolean)
    .join(", ");
  return {
    data: [
      trace("produced (produce() called)", run.messages.map((m) => rel(m.producedAt)), "circle-open", "#1f77b4", 9),
      trace("acknowledged (delivery report)", run.messages.map((m) => rel(m.ackedAt)), "x", "#2ca02c", 8),
      trace("consumed (concurrent consumer)", run.messages.map((m) => rel(m.consumedAt)), "diamond", "#ff7f0e", 7),
    ],
    layout: {
      title: {
        text: `${run.label}: when each message was produced, acknowledged and consumed (linger.ms=${run.settings["linger.ms"]})<br><sup>${run.target} · ${planText}<br>batch size: librdkafka's (batch.num.messages default) · ${run.client} (librdkafka ${run.librdkafka})</sup>`,
      },
      xaxis: { title: { text: "time since the first produce() (s, performance.now())" }, rangemode: "tozero" },
      yaxis: { title: { text: "message number" }, dtick: run.messages.length > 30 ? undefined : 1 },
      shapes,
      annotations,
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 100 },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// No flush before exit: a child process
// ---------------------------------------------------------------------------------------------

export interface ExitVariant {
  ending: ChildEnding;
  /** The child's linger.ms: how long librdkafka may hold a message before sending it. */
  lingerMs: number;
}

/** Exit without flush at librdkafka's default linger and at a throughput-tuned one; disconnect and flush as controls. */
export const EXIT_VARIANTS: readonly ExitVariant[] = Object.freeze([
  { ending: "exit", lingerMs: 5 },
  { ending: "exit", lingerMs: 1000 },
  { ending: "disconnect", lingerMs: 1000 },
  { ending: "flush", lingerMs: 1000 },
]);

export interface ExitRun extends ExitVariant {
  produced: number;
  /** Delivery reports the child saw before it ended. */
  reportedByChild: number;
  /** Messages the topic gained (high-watermark difference). */
  onTopic: number;
  /** Messages of this run the concurrent consumer received. */
  consumed: number;
  childMs: number;
}

async function highWatermark(consumer: Kafka.KafkaConsumer, topic: string): Promise<number> {
  return new Promise((resolve, reject) =>
    consumer.queryWatermarkOffsets(topic, 0, 10_000, (err, offsets) => (err ? reject(new Error(`cannot read the offsets of '${topic}': ${err.message}`)) : resolve(offsets.highOffset))),
  );
}

function runChild(connection: KafkaConnection, args: ChildArgs, lingerMs: number, timeoutMs = 40_000): Promise<ChildReport> {
  const script = path.join(__dirname, "flush-lab-child.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        FLUSH_LAB_ARGS: JSON.stringify(args),
        FLUSH_LAB_CONFIG: JSON.stringify({ ...connection.clientConfig(), "client.id": `flush-lab-${args.ending}`, "linger.ms": String(lingerMs) }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        reject(new Error(`the ${args.ending} child exited with code ${code} and no report${err ? `: ${err.trim()}` : ""}`));
      }
    });
  });
}

/**
 * Runs one child per variant on one fresh topic, each producing `count` messages under its own
 * key, with the concurrent consumer reading; counts what reached the topic.
 */
export async function runExitExperiment(connection: KafkaConnection, count = 100, variants: readonly ExitVariant[] = EXIT_VARIANTS): Promise<ExitRun[]> {
  const topic = freshTopic("flush-lab-exit");
  await ensureTopic(connection, { name: topic, partitions: 1 });
  const consumer = await ConcurrentConsumer.start(connection, topic);
  const probe = new Kafka.KafkaConsumer({ ...connection.clientConfig(), "group.id": `flush-lab-probe-${Date.now()}` } as Kafka.ConsumerGlobalConfig, {});
  await new Promise<void>((resolve, reject) => probe.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(`probe could not connect: ${err.message}`)) : resolve())));
  const out: ExitRun[] = [];
  try {
    for (const [i, v] of variants.entries()) {
      const key = `${v.ending}-linger${v.lingerMs}-${i}`;
      const before = await highWatermark(probe, topic);
      const report = await runChild(connection, { topic, key, count, ending: v.ending }, v.lingerMs);
      // What made it is on the broker by now; give the consumer a moment, and lost messages no more.
      await consumer.waitFor((r) => r.filter((x) => x.key === key).length >= count, 2_000);
      const after = await highWatermark(probe, topic);
      out.push({
        ...v,
        produced: report.produced,
        reportedByChild: report.reported,
        onTopic: after - before,
        consumed: consumer.received.filter((x) => x.key === key).length,
        childMs: report.ms,
      });
    }
  } finally {
    await disconnectWithin(probe);
    await consumer.stop();
  }
  return out;
}

/** The answer to question 2, computed from the runs. */
export function exitMarkdown(runs: ExitRun[]): string {
  const how: Record<ChildEnding, string> = {
    exit: "`process.exit()` right after the last `produce()` (no flush, no disconnect)",
    disconnect: "`disconnect()`, then exit (the JavaScript client flushes inside disconnect)",
    flush: "`flush()`, then exit",
  };
  const lines = runs.map(
    (r) => `- ${how[r.ending]}, \`linger.ms=${r.lingerMs}\`: ${r.produced} produced, **${r.onTopic} reached the topic** (${r.consumed} consumed), ${r.reportedByChild} delivery reports seen by the process.`,
  );
  const out = [...lines, ""];
  for (const r of runs.filter((x) => x.ending === "exit")) {
    const lost = r.produced - r.onTopic;
    out.push(
      lost > 0
        ? `- Without flush, at \`linger.ms=${r.lingerMs}\`: **${lost} of ${r.produced} lost** (${Math.round((100 * lost) / r.produced)}%). They were still in librdkafka's in-memory queue when the process ended. produce() had returned for every one, and nothing reported an error: the delivery reports that would have said so never came.`
        : `- Without flush, at \`linger.ms=${r.lingerMs}\`: all ${r.produced} arrived in this run, because librdkafka had sent them in the milliseconds the process took to exit. That is a race, not a guarantee: the process saw ${r.reportedByChild} delivery reports, so it could not know.`,
    );
  }
  const controls = runs.filter((x) => x.ending !== "exit");
  if (controls.length) {
    const kept = controls.every((r) => r.onTopic === r.produced);
    out.push(
      kept
        ? `- With ${[...new Set(controls.map((r) => `\`${r.ending}()\``))].join(" or ")} before exiting, every message arrived, even at \`linger.ms=${controls[0].lingerMs}\`.`
        : `- ⚠️ Even with flush or disconnect some messages were missing (${controls.map((r) => `${r.ending}: ${r.onTopic}/${r.produced}`).join(", ")}).`,
    );
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Questions 1 and 3
// ---------------------------------------------------------------------------------------------

/** Question 1's steps: produce `count`, wait `waitMs` (longer than nothing, shorter than linger), flush, wait for the consumer. */
export function flushDemoSteps(count: number, waitMs: number, afterMs = 300): Step[] {
  return [...Array.from({ length: count }, (): Step => ({ kind: "produce" })), { kind: "pause", ms: waitMs }, { kind: "flush" }, { kind: "pause", ms: afterMs }];
}

export interface FlushDemoFacts {
  count: number;
  lingerMs: number;
  waitMs: number;
  ackedBeforeFlush: number;
  consumedBeforeFlush: number;
  flushMs: number;
  ackedWhenFlushReturned: number;
  consumedAtEnd: number;
  /** From flush() starting to the last message reaching the consumer. */
  flushToLastConsumedMs: number;
}

export function flushDemoFacts(run: TimelineRun): FlushDemoFacts {
  const f = run.events.find((e) => e.kind === "flush");
  const wait = run.events.find((e) => e.kind === "pause");
  if (!f) throw new Error("the run has no flush");
  const consumed = run.messages.map((m) => m.consumedAt).filter((t): t is number => t !== null);
  return {
    count: run.messages.length,
    lingerMs: Number(run.settings["linger.ms"]),
    waitMs: wait ? wait.end - wait.start : 0,
    ackedBeforeFlush: run.messages.filter((m) => m.ackedAt !== null && m.ackedAt < f.start).length,
    consumedBeforeFlush: run.messages.filter((m) => m.consumedAt !== null && m.consumedAt < f.start).length,
    flushMs: f.end - f.start,
    ackedWhenFlushReturned: run.messages.filter((m) => m.ackedAt !== null && m.ackedAt <= f.end + 1).length,
    consumedAtEnd: consumed.length,
    flushToLastConsumedMs: consumed.length ? Math.max(...consumed) - f.start : NaN,
  };
}

/** The answer to question 1, computed from the run. */
export function flushDemoMarkdown(run: TimelineRun): string {
  const x = flushDemoFacts(run);
  const held = x.ackedBeforeFlush === 0 && x.consumedBeforeFlush === 0;
  const first = held
    ? `${x.count} messages were produced and then left alone for ${ms(x.waitMs, 0)}: **none** was acknowledged or consumed in that time, because with \`linger.ms=${x.lingerMs}\` librdkafka keeps them in its queue to build a batch.`
    : `⚠️ Before flush() was called, ${x.ackedBeforeFlush} of ${x.count} messages were already acknowledged and ${x.consumedBeforeFlush} consumed, so in this run the queue did not hold them for the whole \`linger.ms=${x.lingerMs}\` (see the chart).`;
  const allAcked = x.ackedWhenFlushReturned === x.count;
  const second = allAcked
    ? `Then flush() sent them at once and **returned ${ms(x.flushMs)} later, when all ${x.count} were acknowledged** (each delivery report had been served); the consumer had all of them ${ms(x.flushToLastConsumedMs)} after flush() was called.`
    : `⚠️ flush() returned after ${ms(x.flushMs)} with only ${x.ackedWhenFlushReturned} of ${x.count} acknowledged.`;
  return `${first} ${second}`;
}

export interface FlushCostRow {
  strategy: string;
  messages: number;
  flushes: number;
  msgs_per_s: number;
  median_ack_ms: number;
  p95_ack_ms: number;
  median_consume_ms: number;
  median_flush_ms: number;
  span_ms: number;
}

export function flushCostRows(runs: TimelineRun[]): FlushCostRow[] {
  return runs.map((r) => {
    const s = runStats(r);
    return {
      strategy: r.label,
      messages: s.messages,
      flushes: s.flushes,
      msgs_per_s: s.msgs_per_s,
      median_ack_ms: s.median_ack_ms,
      p95_ack_ms: s.p95_ack_ms,
      median_consume_ms: s.median_consume_ms,
      median_flush_ms: quantile(r.events.filter((e) => e.kind === "flush").map((e) => e.end - e.start), 0.5),
      span_ms: s.span_ms,
    };
  });
}

/** The answer to question 3: flush after every record (first run) against one flush at the end (second). */
export function flushCostMarkdown(everyRecord: TimelineRun, once: TimelineRun): string {
  const a = runStats(everyRecord);
  const b = runStats(once);
  const ratio = b.msgs_per_s / a.msgs_per_s;
  const tput =
    ratio > 1
      ? `Flushing after every record sent ${a.messages} messages at **${a.msgs_per_s.toFixed(0)} messages/s**, against ${b.msgs_per_s.toFixed(0)} messages/s with one flush at the end: **${ratio.toFixed(1)}× lower throughput**. ` +
        `Each flush() waits for the broker's acknowledgement before the next record is produced, so every record pays a full round trip and batches hold one message (${a.flushes} flushes, ${a.flushes} round trips).`
      : `⚠️ In this run flushing after every record was **not** slower (${a.msgs_per_s.toFixed(0)} vs ${b.msgs_per_s.toFixed(0)} messages/s); the expectation that it costs throughput does not hold here (a very small count or a busy machine can do this).`;
  const lat =
    a.median_ack_ms < b.median_ack_ms
      ? ` Per message, produce → acknowledgement was a median ${ms(a.median_ack_ms, 2)} with a flush after each, against ${ms(b.median_ack_ms, 2)} without: a single record's latency can even be lower, because flush() does not wait for \`linger.ms\`, while without flushes the later records queue behind the earlier ones; the price is paid in throughput, and the producer is blocked for every record.`
      : ` Per message, produce → acknowledgement was a median ${ms(a.median_ack_ms, 2)} with a flush after each, against ${ms(b.median_ack_ms, 2)} without: flushing every record costs latency as well as throughput.`;
  return tput + lat;
}

// ---------------------------------------------------------------------------------------------
// Tables and the question-4 conclusion
// ---------------------------------------------------------------------------------------------

/** Rows of plain values as a DataFrame, for kpp.showTable. */
export function rowsFrame<T extends object>(rows: T[]): pl.DataFrame {
  return pl.DataFrame(rows as Record<string, unknown>[]);
}

/** One row per message: times in ms since the run's first produce(), and its arrival class. */
export function timelineRows(run: TimelineRun): Record<string, string | number | null>[] {
  const rel = (t: number | null) => (t === null ? null : t - run.t0);
  const arr = arrivals(run);
  return run.messages.map((m, i) => ({
    run: run.label,
    linger_ms: Number(run.settings["linger.ms"]),
    message: m.n,
    produced_ms: rel(m.producedAt),
    acked_ms: rel(m.ackedAt),
    consumed_ms: rel(m.consumedAt),
    produce_to_consume_ms: m.consumedAt === null ? null : m.consumedAt - m.producedAt,
    next_flush_in_ms: Number.isFinite(arr[i].gapToFlushMs) ? arr[i].gapToFlushMs : null,
    arrived: arr[i].arrival,
  }));
}

/** The answer to question 4 from both runs (default linger first, long linger second). */
export function q4Conclusion(defaultLinger: TimelineRun, longLinger: TimelineRun): string {
  const a = arrivalSummary(defaultLinger);
  const b = arrivalSummary(longLinger);
  const sa = runStats(defaultLinger);
  const la = defaultLinger.settings["linger.ms"];
  const lb = longLinger.settings["linger.ms"];
  const expected = a.verdict === "immediately" && b.verdict === "only after a flush";
  const head = expected
    ? `**Answer, from these runs: neither "immediately" nor "only after a flush" in general; it depends on \`linger.ms\`.** ` +
      `With librdkafka's default \`linger.ms=${la}\` the consumer received each message about ${Math.round(sa.median_consume_ms)} ms after it was produced, during the pauses and long before the flush after the 15th record: ` +
      `the pauses only space the messages out, and the flush has almost nothing left to send. With \`linger.ms=${lb}\` the producer held every message until the flush, so the consumer received all 15 in one burst at the flush, some seconds after they were produced.`
    : `⚠️ These runs do not show the expected pattern (default linger: ${a.verdict}; long linger: ${b.verdict}); see the tables and charts above for what happened.`;
  const why =
    " Why: a message becomes visible to a consumer once librdkafka has sent its batch and the broker has appended it to the partition (with `acks=all` the broker acknowledges once the in-sync replicas have it; a consumer reads up to that point). " +
    "librdkafka sends a batch when its oldest message has waited `linger.ms` or the batch is full (`batch.num.messages`, `batch.size`), and `flush()` only forces the send early. " +
    "Order is kept: every message arrived in the order produced (one partition). The activity's written answer (the consumer receives messages \"depending on when the producer calls flush()\") therefore holds only when `linger.ms` is longer than the gaps between flushes.";
  const ordered = [defaultLinger, longLinger].every((r) => {
    const offs = r.messages.map((m) => m.offset).filter((o): o is number => o !== null);
    return offs.every((o, i) => i === 0 || o > offs[i - 1]);
  });
  return head + (ordered ? why : why.replace("Order is kept: every message arrived in the order produced (one partition). ", "⚠️ Offsets were not in production order in these runs. "));
}
