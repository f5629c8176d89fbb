/** Topic administration: create the benchmark topic if it is missing. */
import * as Kafka from "@confluentinc/kafka-javascript";
import type { KafkaConnection } from "./config";

const TOPIC_ALREADY_EXISTS = 36;

export interface TopicSpec {
  name: string;
  partitions: number;
  /** -1 asks the broker for its default (Confluent Cloud requires 3; the embedded broker has 1). */
  replicationFactor?: number;
}

/** Creates the topic; an existing topic is fine. Bounded by timeoutMs; the client always disconnects. */
export async function ensureTopic(connection: KafkaConnection, spec: TopicSpec, timeoutMs = 15_000): Promise<"created" | "exists"> {
  const admin = Kafka.AdminClient.create({ ...connection.clientConfig(), "client.id": "kafka-producer-perf-admin" } as Kafka.GlobalConfig);
  try {
    return await new Promise((resolve, reject) => {
      admin.createTopic(
        { topic: spec.name, num_partitions: spec.partitions, replication_factor: spec.replicationFactor ?? -1 },
        timeoutMs,
        (err) => {
          if (!err) resolve("created");
          else if (err.code === TOPIC_ALREADY_EXISTS) resolve("exists");
          else reject(new Error(`could not create topic '${spec.name}' on ${connection.bootstrapServers}: ${err.message}`));
        },
      );
    });
  } finally {
    admin.disconnect();
  }
}
