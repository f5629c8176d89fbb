/**
 * Timeline runs, the experiments behind notebook 03's questions 1, 3 and 4 (the in-class
 * activity's "G section" on producer.flush()): a producer follows a plan of produce / pause /
 * flush steps (./plan.ts) while a consumer in the same process reads the topic, and every
 * message gets three times on one monotonic clock (core now(), i.e. performance.now()):
 *
 *   produced      just before produce() handed it to librdkafka
 *   acknowledged  when its delivery report reached JavaScript (the producer is polled every
 *                 millisecond, so this is the broker's ack plus at most about a millisecond;
 *                 Python would run the callback only inside poll() or flush())
 *   consumed      when the concurrent consumer's consume() call returned it to JavaScript
 *
 * Every run uses a fresh single-partition topic, so counts and orders are exact.
 */
import type { KafkaConnection } from "../config/connection";
import { KppError } from "../core/errors";
import { maxOf } from "../core/stats";
import { now, sleep } from "../core/time";
import { ConcurrentConsumer } from "../consumers/concurrent";
import { ensureTopic, freshTopicName } from "../kafka/admin";
import { clientVersions, connectWithin, disconnectWithin, flushWithin, Kafka } from "../kafka/client";
import { planSteps, type PlanOptions, type Step } from "./plan";

/** Per-message times, ms on now(); null when it never happened. */
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
  /** now() of the first produce(): the timeline's zero. */
  t0: number;
  messages: MessageTimes[];
  events: TimelineEvent[];
  /** From the first produce() to the last acknowledgement (ms). */
  spanMs: number;
}

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
export const TIMELINE_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  acks: "all",
  "linger.ms": "5",
  "client.id": "flush-lab",
});

/** The key of message n, which is how the consumer's copy is matched to it. */
const keyOf = (n: number) => `m${n}`;

/** Stamps each delivery report onto its message (opaque = the 1-based number; 0 is the warm-up). */
function recordDeliveries(producer: Kafka.Producer, messages: MessageTimes[]): { warmupAcked: boolean } {
  const state = { warmupAcked: false };
  producer.on("delivery-report", (err, report) => {
    const at = now();
    const n = report.opaque as number;
    if (n === 0) {
      state.warmupAcked = true;
      return;
    }
    const m = messages[n - 1];
    if (!m) return;
    m.ackedAt = at;
    m.offset = err ? null : report.offset;
    m.error = err ? err.message : null;
  });
  return state;
}

/** Warm-up: connection, metadata and the consumer's position, none of it timed. */
async function warmUp(
  producer: Kafka.Producer,
  topic: string,
  consumer: ConcurrentConsumer | undefined,
  deliveries: { warmupAcked: boolean },
): Promise<void> {
  producer.produce(topic, null, Buffer.from("warm-up"), "warm-up", null, 0);
  await flushWithin(producer, 15_000);
  const warm = consumer ? await consumer.waitFor((r) => r.some((x) => x.key === "warm-up"), 15_000) : true;
  if (!warm || !deliveries.warmupAcked) await sleep(50);
  if (consumer && !warm) throw new KppError("delivery", `the consumer did not receive the warm-up message on '${topic}' within 15 s`);
}

/** Follows the steps: stamps every produce(), times every pause and flush. Returns the timeline's zero. */
async function followSteps(
  producer: Kafka.Producer,
  topic: string,
  steps: Step[],
  messages: MessageTimes[],
  events: TimelineEvent[],
): Promise<number> {
  const t0 = now();
  let produced = 0;
  for (const step of steps) {
    if (step.kind === "produce") {
      produced++;
      messages.push({ n: produced, producedAt: now(), ackedAt: null, consumedAt: null, offset: null, error: null });
      producer.produce(topic, null, Buffer.from(`message ${produced}`), keyOf(produced), null, produced);
      continue;
    }
    const start = now();
    if (step.kind === "pause") await sleep(step.ms);
    else await flushWithin(producer, 30_000);
    events.push({ kind: step.kind, start, end: now(), afterMessage: produced });
  }
  return t0;
}

/** Reports may trail flush()'s callback by a moment; then let the consumer catch up and stamp what it received. */
async function collect(messages: MessageTimes[], consumer: ConcurrentConsumer | undefined, drainMs: number): Promise<void> {
  const deadline = now() + 5_000;
  while (messages.some((m) => m.ackedAt === null) && now() < deadline) await sleep(5);
  if (!consumer) return;
  const keys = new Set(messages.map((m) => keyOf(m.n)));
  await consumer.waitFor((r) => r.filter((x) => x.key !== null && keys.has(x.key)).length >= messages.length, drainMs);
  for (const r of consumer.received) {
    const n = r.key?.startsWith("m") ? Number(r.key.slice(1)) : NaN;
    const m = messages[n - 1];
    if (m && m.consumedAt === null) m.consumedAt = r.at;
  }
}

/**
 * Runs one plan on a fresh topic with a concurrent consumer. A warm-up message goes first (and is
 * not recorded) so that connecting, metadata and the consumer's first fetch are not timed.
 */
export async function runTimeline(opts: TimelineOptions): Promise<TimelineRun> {
  const { connection } = opts;
  const topic = freshTopicName(opts.topicPrefix ?? "flush-lab");
  await ensureTopic(connection, { name: topic, partitions: 1 });
  const settings = { ...TIMELINE_DEFAULTS, ...opts.settings };
  const versions = clientVersions();
  const consumer = opts.consume === false ? undefined : await ConcurrentConsumer.start(connection, topic, { groupPrefix: "flush-lab" });
  const producer = new Kafka.Producer({ ...connection.clientConfig(), ...settings, dr_cb: true } as Kafka.ProducerGlobalConfig);
  const messages: MessageTimes[] = [];
  const events: TimelineEvent[] = [];
  producer.on("event.error", () => undefined);
  const deliveries = recordDeliveries(producer, messages);
  let connected = false;
  try {
    await connectWithin(producer, connection.bootstrapServers, { what: "producer", timeoutMs: 15_000 });
    connected = true;
    // Poll from JavaScript every millisecond rather than with setPollInBackground(true): with
    // background polling, librdkafka's flush() waits in steps of about 10 ms (measured: a
    // one-message flush took 10.3 ms against 0.2 ms), which would dominate question 3's result.
    producer.setPollInterval(1);
    await warmUp(producer, topic, consumer, deliveries);
    const t0 = await followSteps(producer, topic, opts.steps ?? planSteps(opts.plan), messages, events);
    await collect(messages, consumer, opts.drainMs ?? 10_000);
    const lastAck = maxOf(messages.map((m) => m.ackedAt ?? NaN));
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
      await disconnectWithin(producer, 10_000);
    }
    await consumer?.stop();
  }
}
