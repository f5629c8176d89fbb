/** Topic administration: create, delete and measure topics, each call bounded; the admin client always disconnects. */
import type { KafkaConnection } from "../config/connection";
import { KppError } from "../core/errors";
import { settleWithin, withTimeout } from "../core/time";
import { describeKafkaError, ERR, Kafka } from "./client";

export interface TopicSpec {
  name: string;
  partitions: number;
  /** -1 asks the broker for its default (Confluent Cloud requires 3; the embedded broker has 1). */
  replicationFactor?: number;
}

function adminFor(connection: KafkaConnection): Kafka.IAdminClient {
  return Kafka.AdminClient.create({ ...connection.clientConfig(), "client.id": "kafka-producer-perf-admin" } as Kafka.GlobalConfig);
}

/** Creates the topic; an existing topic is fine. */
export async function ensureTopic(connection: KafkaConnection, spec: TopicSpec, timeoutMs = 15_000): Promise<"created" | "exists"> {
  const admin = adminFor(connection);
  const fail = (detail: string) =>
    new KppError("connection", `could not create topic '${spec.name}' on ${connection.bootstrapServers}: ${detail}`);
  try {
    const created = new Promise<"created" | "exists">((resolve, reject) => {
      admin.createTopic(
        { topic: spec.name, num_partitions: spec.partitions, replication_factor: spec.replicationFactor ?? -1 },
        timeoutMs,
        (err) => {
          if (!err) resolve("created");
          else if (err.code === ERR.ERR_TOPIC_ALREADY_EXISTS) resolve("exists");
          else reject(fail(err.message));
        },
      );
    });
    return await withTimeout(created, timeoutMs + 1_000, () => fail(`no answer within ${timeoutMs} ms`));
  } finally {
    admin.disconnect();
  }
}

/** Deletes a topic. Errors are ignored: clean-up must never fail a run. */
export async function deleteTopic(connection: KafkaConnection, topic: string, timeoutMs = 10_000): Promise<void> {
  const admin = adminFor(connection);
  try {
    await settleWithin(new Promise<void>((resolve) => admin.deleteTopic(topic, timeoutMs, () => resolve())), timeoutMs + 1_000);
  } finally {
    admin.disconnect();
  }
}

/** Deletes consumer groups (empty ones: their members must have left). Errors are ignored: clean-up must never fail a run. */
export async function deleteGroups(connection: KafkaConnection, groupIds: string[], timeoutMs = 10_000): Promise<void> {
  if (groupIds.length === 0) return;
  const admin = adminFor(connection);
  try {
    await settleWithin(
      new Promise<void>((resolve) => admin.deleteGroups(groupIds, { timeout: timeoutMs }, () => resolve())),
      timeoutMs + 1_000,
    );
  } finally {
    admin.disconnect();
  }
}

/** The consumer groups on the cluster (to check that none was left behind). */
export async function listGroupIds(connection: KafkaConnection, timeoutMs = 10_000): Promise<string[]> {
  const admin = adminFor(connection);
  try {
    const listed = new Promise<string[]>((resolve, reject) =>
      admin.listGroups({ timeout: timeoutMs }, (err, result) => (err ? reject(err) : resolve(result.groups.map((g) => g.groupId)))),
    );
    return await withTimeout(
      listed,
      timeoutMs + 1_000,
      () => new KppError("connection", `listing consumer groups: no answer within ${timeoutMs} ms`),
    );
  } finally {
    admin.disconnect();
  }
}

/** A topic name no earlier run used: `<prefix>-<time>-<random>`. */
export function freshTopicName(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
}

/** A topic made for one piece of work: named `<prefix>-<time>-<random>` (freshTopicName) unless given a name. */
export interface FreshTopic {
  prefix: string;
  /** Default 1. */
  partitions?: number;
  /** Default -1: the broker's default. */
  replicationFactor?: number;
  /** This name instead of a fresh one made from the prefix. */
  name?: string;
  /** Leave the topic in place afterwards. */
  keep?: boolean;
}

/** Runs body on a fresh topic that is deleted afterwards, whatever happens, unless spec.keep. */
export async function withFreshTopic<T>(connection: KafkaConnection, spec: FreshTopic, body: (topic: string) => Promise<T>): Promise<T> {
  const topic = spec.name ?? freshTopicName(spec.prefix);
  await ensureTopic(connection, { name: topic, partitions: spec.partitions ?? 1, replicationFactor: spec.replicationFactor });
  try {
    return await body(topic);
  } finally {
    if (!spec.keep) await deleteTopic(connection, topic);
  }
}

/** A partition's low and high watermark offsets, through a connected client (consumer or producer). */
export function watermarks(
  consumer: Pick<Kafka.KafkaConsumer, "queryWatermarkOffsets">,
  topic: string,
  partition = 0,
  timeoutMs = 10_000,
): Promise<{ low: number; high: number }> {
  const read = new Promise<{ low: number; high: number }>((resolve, reject) =>
    consumer.queryWatermarkOffsets(topic, partition, timeoutMs, (err, o) =>
      err
        ? reject(new KppError("connection", `cannot read the offsets of '${topic}': ${describeKafkaError(err)}`))
        : resolve({ low: o.lowOffset, high: o.highOffset }),
    ),
  );
  return withTimeout(
    read,
    timeoutMs + 1_000,
    () => new KppError("connection", `cannot read the offsets of '${topic}': no answer within ${timeoutMs} ms`),
  );
}
