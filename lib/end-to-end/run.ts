/**
 * The end-to-end study (seed 004, done right): a producer process writes RECORDS records from a
 * CSV while a consumer process in a fresh group reads them back, both reporting per batch; then
 * Java's ConsumerPerformance reads the same topic for reference. The coordinator (this module,
 * in the notebook kernel or `npm run e2e`) forks both children, shows their progress, and always
 * cleans up: children stopped, the consumer groups and the topic deleted, also after an error or
 * an interrupt (which stops both sides and keeps what they measured).
 */
import { fork, type ChildProcess } from "node:child_process";
import type { ConnectionSummary, KafkaConnection } from "../config/connection";
import { javaToolsRefusal } from "../broker/tools";
import { awaitMessage } from "../core/child";
import { RunTracker, withInterrupt } from "../core/command";
import { fmt } from "../core/format";
import { settleWithin } from "../core/time";
import { deleteGroups, deleteTopic, ensureTopic, freshTopicName, withFreshTopic } from "../kafka/admin";
import { clientLabel } from "../kafka/client";
import { runConsumerPerf, type JavaConsumerResult } from "./consumer-perf";
import { readRows } from "./data";
import type { E2eParams } from "./params";
import type {
  ChildTarget,
  ConsumerJob,
  ConsumerMessage,
  ConsumerSide,
  ControlMessage,
  ProducerJob,
  ProducerMessage,
  ProducerMethod,
  ProducerSide,
} from "./protocol";

export interface E2eCheck {
  /** Records the producer had acknowledged. */
  delivered: number;
  /** Distinct records the consumer read. */
  distinct: number;
  /** Acknowledged but never read. */
  lost: number;
  duplicates: number;
}

export interface E2eResult {
  params: E2eParams;
  topic: string;
  target: ConnectionSummary;
  /** The embedded broker on this machine (then it shares the cores with both processes). */
  embedded: boolean;
  client: string;
  startedAt: string;
  producer?: ProducerSide;
  consumer?: ConsumerSide;
  java?: JavaConsumerResult;
  /** Why the Java tool did not run, when it did not. */
  javaSkipped?: string;
  check: E2eCheck;
  partial: boolean;
  stopReason?: string;
}

export interface E2eOptions {
  connection: KafkaConnection;
  params: E2eParams;
  signal?: AbortSignal;
  /** Also stop on SIGINT (Ctrl-C, a kernel interrupt) while the run lasts. */
  interruptible?: boolean;
  /** One progress line per side ("producer", "consumer", "java"); final = its last line. */
  onProgress?: (side: string, line: string, final: boolean) => void;
}

export function targetOf(connection: KafkaConnection): ChildTarget {
  return {
    embedded: connection.embedded,
    bootstrap: connection.securityProtocol === "PLAINTEXT" ? connection.bootstrapServers : undefined,
  };
}

/** Checks the CSV before anything starts: the file, its header's text column, one row. */
async function checkCsv(params: E2eParams): Promise<void> {
  const rows = readRows(params.csvPath, params.textColumn);
  try {
    await rows.next();
  } finally {
    await rows.return(undefined);
  }
}

export function forkChild(name: "producer-child" | "consumer-child"): ChildProcess {
  const child = fork(require.resolve(`./${name}`), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  // A send to a child that has just finished must not crash the coordinator; its exit is handled where it is awaited.
  child.on("error", () => undefined);
  return child;
}

/** A message to a child that may already have finished (then there is nobody to tell). */
export function tell(child: ChildProcess | undefined, message: ControlMessage | ConsumerJob | ProducerJob): void {
  if (child?.connected) child.send(message);
}

/** Stops a child: "stop" if it still listens, SIGKILL if it has not exited 10 s later. */
export async function finish(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  tell(child, { type: "stop" });
  await settleWithin(exited, 10_000);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

const line = (label: string, done: number, total: number, ms: number, extra = "") =>
  `${label}: ${fmt(done)}/${fmt(total)} (${Math.round((100 * done) / Math.max(1, total))}%), ${(ms / 1000).toFixed(1)} s${extra}`;

const tracker = new RunTracker<E2eResult>();

/**
 * The last run's result once no run is going on any more. After a kernel interrupt the interrupted
 * cell's run goes on until both sides have stopped and cleaned up; this waits for that.
 */
export function endToEndSettled(): Promise<E2eResult | undefined> {
  return tracker.settled();
}

/** Runs the study once. Never leaves a child, a consumer group or the topic behind. */
export function runEndToEnd(opts: E2eOptions): Promise<E2eResult> {
  return tracker.track(runEndToEndNow(opts));
}

async function runEndToEndNow(opts: E2eOptions): Promise<E2eResult> {
  const { connection, params } = opts;
  await checkCsv(params);
  const topic = params.topic ?? freshTopicName("e2e-records");
  const groupId = freshTopicName("e2e-consumer");
  const javaGroup = freshTopicName("e2e-java-consumer");
  const show = opts.onProgress ?? (() => undefined);
  const result: E2eResult = {
    params,
    topic,
    target: connection.summary(),
    embedded: connection.embedded,
    client: clientLabel(),
    startedAt: new Date().toISOString(),
    check: { delivered: 0, distinct: 0, lost: 0, duplicates: 0 },
    partial: false,
  };
  await ensureTopic(connection, { name: topic, partitions: params.partitions });
  let consumer: ChildProcess | undefined;
  let producer: ChildProcess | undefined;
  try {
    await withInterrupt(opts.interruptible ?? false, opts.signal, async (signal) => {
      const stopBoth = () => {
        for (const c of [producer, consumer]) tell(c, { type: "stop" });
      };
      signal.addEventListener("abort", stopBoth, { once: true });
      consumer = forkChild("consumer-child");
      consumer.on("message", (m: ConsumerMessage) => {
        if (m.type === "progress") show("consumer", line("consumer", m.received, m.total, m.elapsedMs, `, lag ${fmt(m.lag)}`), false);
      });
      const ready = awaitMessage<ConsumerMessage, "ready">(consumer, "ready", 60_000, "the consumer process");
      const consumerJob: ConsumerJob = {
        target: targetOf(connection),
        topic,
        groupId,
        records: params.records,
        batchSize: params.batchSize,
        idleMs: 15_000,
      };
      tell(consumer, consumerJob);
      await ready;
      const consumerDone = awaitMessage<ConsumerMessage, "done">(consumer, "done", 3_600_000, "the consumer process");
      // Handled here too, so that an error elsewhere cannot leave it rejecting unobserved.
      consumerDone.catch(() => undefined);
      if (signal.aborted) {
        result.consumer = (await consumerDone).side;
        return;
      }
      producer = forkChild("producer-child");
      producer.on("message", (m: ProducerMessage) => {
        if (m.type === "progress") show("producer", line("producer", m.acknowledged, m.total, m.elapsedMs, " acknowledged"), false);
      });
      const producerDone = awaitMessage<ProducerMessage, "done">(producer, "done", 3_600_000, "the producer process");
      const producerJob: ProducerJob = {
        target: targetOf(connection),
        topic,
        records: params.records,
        batchSize: params.batchSize,
        csvPath: params.csvPath,
        textColumn: params.textColumn,
        method: "async",
      };
      tell(producer, producerJob);
      result.producer = (await producerDone).side;
      const p = result.producer;
      show(
        "producer",
        line(
          "producer",
          p.figures.delivered,
          params.records,
          p.figures.wall_s * 1000,
          ` acknowledged, ${fmt(p.figures.msgs_per_s)} msgs/s`,
        ),
        true,
      );
      tell(consumer, { type: "producer-done" });
      result.consumer = (await consumerDone).side;
      const c = result.consumer;
      show("consumer", line("consumer", c.distinct, params.records, c.wallMs, `, ${fmt(c.msgs_per_s)} msgs/s`), true);
      if (signal.aborted) return;
      await runJava(opts, result, javaGroup, show).catch((e: Error) => (result.javaSkipped = `failed: ${e.message}`));
    });
  } catch (e) {
    // With nothing measured there is nothing to keep: the error is the answer.
    if (!result.consumer && !result.producer) throw e;
    result.partial = true;
    result.stopReason = e instanceof Error ? e.message : String(e);
  } finally {
    await Promise.all([finish(producer), finish(consumer)]);
    await deleteGroups(connection, [groupId, javaGroup]);
    if (!params.topic) await deleteTopic(connection, topic);
  }
  return settle(result, opts.signal);
}

/** Java's ConsumerPerformance on the topic, unless the run or the target rules it out. */
async function runJava(
  opts: E2eOptions,
  result: E2eResult,
  groupId: string,
  show: (side: string, line: string, final: boolean) => void,
): Promise<void> {
  const delivered = result.producer?.figures.delivered ?? 0;
  result.javaSkipped = !opts.params.javaTool
    ? "E2E_JAVA=0"
    : (javaToolsRefusal(opts.connection) ?? (delivered === 0 ? "nothing was delivered" : undefined));
  if (result.javaSkipped) return;
  show("java", `Java ConsumerPerformance: reading ${fmt(delivered)} records…`, false);
  result.java = await runConsumerPerf(opts.connection, result.topic, delivered, groupId);
  show(
    "java",
    `Java ConsumerPerformance: ${fmt(result.java.fetch_msgs_per_s)} msgs/s while fetching (${fmt(result.java.msgs_per_s)} with the group join)`,
    true,
  );
}

/** The check (nothing lost, nothing duplicated) and whether the run is partial. */
function settle(result: E2eResult, signal: AbortSignal | undefined): E2eResult {
  const delivered = result.producer?.figures.delivered ?? 0;
  const distinct = result.consumer?.distinct ?? 0;
  result.check = { delivered, distinct, lost: Math.max(0, delivered - distinct), duplicates: result.consumer?.duplicates ?? 0 };
  const incomplete = !result.producer || !result.consumer || result.producer.partial || result.consumer.stoppedBecause !== "complete";
  result.partial ||= incomplete;
  if (result.partial && !result.stopReason) {
    result.stopReason =
      signal?.aborted || result.consumer?.stoppedBecause === "stopped"
        ? "interrupted"
        : (result.producer?.stopReason ?? `consumer stopped: ${result.consumer?.stoppedBecause}`);
  }
  return result;
}

/** One producer method's run on a topic of its own (no consumer), for the comparison of methods. */
export async function runProducerMethod(
  connection: KafkaConnection,
  params: E2eParams,
  method: ProducerMethod,
  records: number,
  signal?: AbortSignal,
): Promise<ProducerSide> {
  // The child finishes (in the body) before withFreshTopic deletes the topic.
  return withFreshTopic(connection, { prefix: `e2e-method-${method}`, partitions: params.partitions }, async (topic) => {
    const child = forkChild("producer-child");
    const stop = () => tell(child, { type: "stop" });
    signal?.addEventListener("abort", stop, { once: true });
    try {
      const done = awaitMessage<ProducerMessage, "done">(child, "done", 3_600_000, `the ${method} producer process`);
      const job: ProducerJob = {
        target: targetOf(connection),
        topic,
        records,
        batchSize: Math.min(params.batchSize, records),
        csvPath: params.csvPath,
        textColumn: params.textColumn,
        method,
      };
      tell(child, job);
      return (await done).side;
    } finally {
      signal?.removeEventListener("abort", stop);
      await finish(child);
    }
  });
}
