/**
 * One step of the sweep: one producer at one offered rate on a fresh topic, with the end-to-end
 * study's consumer process (lib/end-to-end/consumer-child.ts) reading alongside when asked, and
 * the topic and consumer group deleted afterwards.
 *
 * - Our producers run in this process through the paced sender (lib/producers/paced-run.ts): a
 *   warm-up of warmupS at the rate (flushed, not measured), then durationS measured. Each record's
 *   key is its sequence number (warm-up records first), so the consumer checks every record back
 *   and times only the measured ones.
 * - Java's ProducerPerformance runs as its own process with `--throughput` at the same rate and
 *   `--warmup-records` for the same warm-up; its records have null keys, so the consumer times
 *   every record of it, warm-up included.
 *
 * End-to-end latency is the consumer's: consume() returning the record minus the record's
 * timestamp, which the producer's client sets when produce() is called (whole ms, so up to 1 ms
 * too long): from the actual send, not the intended time. The consumer runs at every step of
 * every producer, so each is measured with the same load beside it.
 */
import type { KafkaConnection } from "../config/connection";
import { awaitMessage } from "../core/child";
import { fmt } from "../core/format";
import type { LatencySummary } from "../core/latency";
import { deleteGroups, deleteTopic, ensureTopic, freshTopicName } from "../kafka/admin";
import { createProducer } from "../producers/producer";
import { pacedFigures, pacedRun, scheduledRecords, type PacedProgress } from "../producers/paced-run";
import { finish, forkChild, targetOf, tell } from "../end-to-end/run";
import type { ConsumerJob, ConsumerMessage, ConsumerSide } from "../end-to-end/protocol";
import { makePayloads, oursSettings, type Workload } from "../bench/workload";
import { saturation, type StepFigures } from "./analysis";
import { notMeasured, runPerfToolAt } from "./java";
import type { SweepParams, SweepProducer } from "./params";

export interface StepResult extends StepFigures {
  /** Records the step's schedule held. */
  scheduled: number;
  sent: number;
  delivered: number;
  /** First send → last acknowledgement, s. */
  wall_s: number;
  /** First produce() attempt − intended time (our producers). */
  send_lag: LatencySummary;
  /** Why the sender saturated, in words; "" when it kept up. */
  saturation: string;
  saturated: boolean;
  /** Produce → consume, from the consumer alongside (undefined without one). */
  e2e?: LatencySummary;
  /** Records the consumer read (distinct sequence numbers; Java's tool: all records), and whether every acknowledged one came. */
  e2e_read?: number;
  e2e_lost?: number;
  /** The first few error texts. */
  errors: string[];
  /** Set when the step was cut short (interrupt, error). */
  partial?: string;
}

export interface StepContext {
  connection: KafkaConnection;
  params: SweepParams;
  workload: Workload;
  signal: AbortSignal;
  /** One progress line for the step (final = its last). */
  onProgress?: (line: string, final: boolean) => void;
}

interface Alongside<T> {
  value: T;
  consumer?: ConsumerSide;
  consumerError?: string;
}

/** Runs body with the consumer process reading `topic` alongside (when the sweep asks for one). */
async function withConsumer<T extends { sent: number }>(
  ctx: StepContext,
  topic: string,
  records: number,
  latencyFrom: number | undefined,
  body: () => Promise<T>,
): Promise<Alongside<T>> {
  if (!ctx.params.endToEnd) return { value: await body() };
  const groupId = freshTopicName("lul-consumer");
  const child = forkChild("consumer-child");
  const stop = () => tell(child, { type: "stop" });
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    const ready = awaitMessage<ConsumerMessage, "ready">(child, "ready", 60_000, "the consumer process");
    const job: ConsumerJob = { target: targetOf(ctx.connection), topic, groupId, records, batchSize: 10_000, idleMs: 3_000, latencyFrom };
    tell(child, job);
    await ready;
    const done = awaitMessage<ConsumerMessage, "done">(child, "done", 900_000, "the consumer process");
    // Observed here too, so that a failing producer cannot leave it rejecting unobserved.
    done.catch(() => undefined);
    const value = await body();
    tell(child, { type: "producer-done" });
    try {
      return { value, consumer: (await done).side };
    } catch (e) {
      return { value, consumerError: e instanceof Error ? e.message : String(e) };
    }
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    await finish(child);
    await deleteGroups(ctx.connection, [groupId]);
  }
}

function progressLine(label: string, rate: number, e: PacedProgress): string {
  const behind =
    e.behindMs < 1
      ? ""
      : `, ${e.behindMs < 1_000 ? `${Math.round(e.behindMs)} ms` : `${(e.behindMs / 1000).toFixed(2)} s`} behind schedule`;
  return `${label} @ ${fmt(rate)} msgs/s: ${e.phase}, ${fmt(e.sent)}/${fmt(e.scheduled)} sent${behind}`;
}

/** A step's records at `rate`: the warm-up's and the measured ones'. */
interface StepRecords {
  warmup: number;
  measured: number;
}

/**
 * A step's frame: a fresh topic, the consumer alongside (records below latencyFrom untimed), the
 * producer's run, and the topic deleted afterwards.
 */
async function inStep<T extends { sent: number }>(
  producer: SweepProducer,
  rate: number,
  ctx: StepContext,
  latencyFrom: (n: StepRecords) => number | undefined,
  body: (topic: string, n: StepRecords) => Promise<T>,
): Promise<Alongside<T> & { n: StepRecords }> {
  const n = { warmup: scheduledRecords(rate, ctx.params.warmupS * 1000), measured: scheduledRecords(rate, ctx.params.durationS * 1000) };
  const topic = freshTopicName(`lul-${producer}`);
  await ensureTopic(ctx.connection, { name: topic, partitions: ctx.params.partitions });
  try {
    return { ...(await withConsumer(ctx, topic, n.warmup + n.measured, latencyFrom(n), () => body(topic, n))), n };
  } finally {
    await deleteTopic(ctx.connection, topic);
  }
}

/** The figures saturation is judged on, with the verdict. */
function judged(rate: number, achieved: number, missed: number, behindMs: number) {
  const fig = { offered_per_s: rate, achieved_per_s: achieved, missed, behind_at_end_ms: behindMs };
  const reason = saturation(fig);
  return { ...fig, saturation: reason, saturated: reason !== "" };
}

const consumerErrors = (e: string | undefined) => (e ? [`consumer: ${e}`] : []);

/** One of our producers at `rate`, paced. */
async function oursStep(
  producer: "ours-sync" | "ours-async",
  rate: number,
  ctx: StepContext,
  probe: StepResult["probe"],
): Promise<StepResult> {
  const { params, connection } = ctx;
  const mode = producer === "ours-sync" ? "sync" : "async";
  const pool = makePayloads({ records: scheduledRecords(rate, params.durationS * 1000), recordSize: params.recordSize });
  const message = (seq: number) => ({ key: params.endToEnd ? String(seq) : null, value: pool[seq % pool.length] });
  const {
    value: run,
    consumer,
    consumerError,
  } = await inStep(
    producer,
    rate,
    ctx,
    (n) => n.warmup,
    (topic, n) =>
      pacedRun(createProducer(mode, connection, topic, oursSettings(ctx.workload, mode)), {
        rate,
        durationMs: params.durationS * 1000,
        warmupMs: params.warmupS * 1000,
        message: (i) => message(n.warmup + i),
        warmupMessage: message,
        flushTimeoutMs: 60_000,
        signal: ctx.signal,
        onProgress: (e) => ctx.onProgress?.(progressLine(producer, rate, e), false),
      }),
  );
  const f = pacedFigures(run);
  const acknowledged = run.warmupRecorder.delivered + f.delivered;
  return {
    producer,
    probe,
    ...judged(rate, f.achieved_per_s, f.missed, f.behind_at_end_ms),
    scheduled: f.scheduled,
    sent: f.sent,
    delivered: f.delivered,
    failed: f.failed,
    wall_s: f.wall_s,
    from_intended: f.from_intended,
    from_send: f.from_send,
    send_lag: f.send_lag,
    ...(consumer && { e2e: consumer.latency, e2e_read: consumer.distinct, e2e_lost: Math.max(0, acknowledged - consumer.distinct) }),
    errors: [...run.recorder.errors.slice(0, 3), ...consumerErrors(consumerError)],
    partial: run.stopReason,
  };
}

/** Java's ProducerPerformance at `rate`, throttled by its own `--throughput`. */
async function javaStep(rate: number, ctx: StepContext, probe: StepResult["probe"]): Promise<StepResult> {
  const label = `perf-tool @ ${fmt(rate)} msgs/s`;
  const onLine = (l: string) => {
    const sent = /^(\d+) records sent/.exec(l)?.[1];
    if (sent) ctx.onProgress?.(`${label}: ${fmt(Number(sent))} records in its last window`, false);
  };
  const {
    value: java,
    consumer,
    consumerError,
    n,
  } = await inStep(
    "perf-tool",
    rate,
    ctx,
    () => undefined,
    async (topic, n) => {
      const w: Workload = { ...ctx.workload, records: n.measured, warmupRecords: n.warmup, keyed: false };
      return { ...(await runPerfToolAt(ctx.connection, w, topic, rate, onLine)), sent: n.warmup + n.measured };
    },
  );
  const s = java.summary;
  const achieved = s.recordsPerSec;
  // The tool sends every record, late if it must: how much later than its schedule its last one went.
  const behind = achieved > 0 ? Math.max(0, (s.records / achieved - s.records / rate) * 1000) : NaN;
  return {
    producer: "perf-tool",
    probe,
    ...judged(rate, achieved, 0, behind),
    scheduled: n.measured,
    sent: n.measured,
    delivered: s.records,
    failed: Math.max(0, n.measured - s.records),
    wall_s: achieved > 0 ? s.records / achieved : NaN,
    from_intended: notMeasured(),
    from_send: java.latency,
    send_lag: notMeasured(),
    ...(consumer && { e2e: consumer.latency, e2e_read: consumer.received }),
    errors: [...java.errors.slice(0, 3), ...consumerErrors(consumerError)],
  };
}

/** One step of one producer at one rate. */
export function runStep(producer: SweepProducer, rate: number, ctx: StepContext, probe: StepResult["probe"] = "grid"): Promise<StepResult> {
  return producer === "perf-tool" ? javaStep(rate, ctx, probe) : oursStep(producer, rate, ctx, probe);
}
