/**
 * The framework's common pitfalls, each shown by a measurement: forgetting poll(), a linger too
 * high for a one-at-a-time producer, and (on the three-node cluster) what acks=all costs.
 */
import type { KafkaConnection } from "../config/connection";
import { sleep, now } from "../core/time";
import { withFreshTopic } from "../kafka/admin";
import { connectWithin, disconnectWithin, ERR, Kafka } from "../kafka/client";
import { ensureBroker, stopBroker } from "../broker";
import { runOne } from "./drivers/index";
import { summarizePoint, type PointResult } from "./tuning";
import { validateWorkload } from "./workload";

export interface ForgotPollResult {
  produced: number;
  /** The local queue's limit (queue.buffering.max.messages) set for the demonstration. */
  queueLimit: number;
  /** produce() calls that threw "Local: Queue full". */
  queueFullErrors: number;
  /** Delivery reports received in waitMs without polling. */
  reportsWithoutPoll: number;
  /** Delivery reports received after polling. */
  reportsAfterPoll: number;
  waitMs: number;
}

/**
 * "Forgetting poll()": a callback-API producer that never polls gets no delivery reports (its
 * messages may well be delivered: nobody hears about it), and once its queue is full every
 * produce() throws. Then polling drains the reports.
 */
export function forgotPollDemo(connection: KafkaConnection, attempts = 2000, queueLimit = 1000, waitMs = 1500): Promise<ForgotPollResult> {
  return withFreshTopic(connection, { prefix: "pitfall-poll" }, (topic) =>
    producedWithoutPolling(connection, topic, attempts, queueLimit, waitMs),
  );
}

async function producedWithoutPolling(
  connection: KafkaConnection,
  topic: string,
  attempts: number,
  queueLimit: number,
  waitMs: number,
): Promise<ForgotPollResult> {
  const client = new Kafka.Producer({
    ...connection.clientConfig(),
    dr_cb: true,
    "linger.ms": 5,
    "queue.buffering.max.messages": queueLimit,
    "message.timeout.ms": 30_000,
  } as Kafka.ProducerGlobalConfig);
  let reports = 0;
  client.on("delivery-report", () => reports++);
  client.on("event.error", () => undefined);
  try {
    await connectWithin(client, connection.bootstrapServers, { what: "producer" });
    let produced = 0;
    let queueFullErrors = 0;
    const value = Buffer.alloc(100, 65);
    for (let i = 0; i < attempts; i++) {
      try {
        client.produce(topic, null, value, null, null);
        produced++;
      } catch (e) {
        if ((e as { code?: number }).code === ERR.ERR__QUEUE_FULL) queueFullErrors++;
        else throw e;
      }
    }
    await sleep(waitMs);
    const reportsWithoutPoll = reports;
    const deadline = now() + 10_000;
    while (reports < produced && now() < deadline) {
      client.poll();
      await sleep(20);
    }
    return { produced, queueLimit, queueFullErrors, reportsWithoutPoll, reportsAfterPoll: reports, waitMs };
  } finally {
    await disconnectWithin(client, 5_000);
  }
}

/** "Too-high linger": a producer that waits for each record, at several linger.ms values. */
export async function lingerPitfall(connection: KafkaConnection, lingers: number[], records = 50): Promise<PointResult[]> {
  const out: PointResult[] = [];
  for (const linger of lingers) {
    const workload = validateWorkload({ records, warmupRecords: 5, partitions: 1 });
    const run = await runOne("ours-sync", { connection, workload, librdkafka: { "linger.ms": linger } });
    out.push(summarizePoint({ knob: "linger.ms (one record at a time)", value: linger }, "ours-sync", [run]));
  }
  return out;
}

/** The three-node cluster (lib/broker/), started if needed; undefined bootstrap (with the reason) when it cannot be. */
export async function threeNodeCluster(
  log?: (line: string) => void,
): Promise<{ bootstrap?: string; startedHere?: boolean; reason?: string }> {
  try {
    const { status, startedHere } = await ensureBroker({ nodes: 3, log, timeoutMs: 180_000 });
    return { bootstrap: status.bootstrap, startedHere };
  } catch (e) {
    return { reason: `could not start the three-node cluster: ${(e as Error).message}` };
  }
}

/** Stops the three-node cluster (only call it when this process started it). */
export async function stopThreeNodeCluster(log?: (line: string) => void): Promise<void> {
  await stopBroker({ nodes: 3, log });
}
