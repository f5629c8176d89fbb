/**
 * Whether a node answers: a running JVM with an open port is not yet a broker that clients can
 * use, so "answering" means a real Metadata request through librdkafka came back with brokers.
 * Every probe is bounded, never throws and always disconnects its client.
 */
import { sleep } from "../core/time";
import type { NodeLayout } from "./layout";
import { isAlive, portAccepting } from "../core/processes";
import { HOST } from "./properties";

/**
 * One real Metadata request through librdkafka; true if a broker answered within timeoutMs.
 * connectWithin settles even if librdkafka never calls back; disconnectWithin never rejects and
 * is bounded too, so the whole probe takes at most about 2 × timeoutMs + 2 s.
 */
export async function answersMetadata(bootstrap: string, timeoutMs: number): Promise<boolean> {
  // Loaded on first use, so that importing lib/broker does not load the native client.
  const { Kafka, connectWithin, disconnectWithin } = await import("../kafka/client");
  let producer: InstanceType<typeof Kafka.Producer> | undefined;
  try {
    producer = new Kafka.Producer({
      "bootstrap.servers": bootstrap,
      "client.id": "embedded-broker-probe",
      "socket.connection.setup.timeout.ms": Math.max(1000, timeoutMs),
      "reconnect.backoff.ms": 50,
      "reconnect.backoff.max.ms": 250,
    });
    const client = producer;
    // connect() sends the Metadata request (for the brokers only, not every topic); on failure
    // it disconnects the client itself.
    const metadata = await connectWithin({ connect: (o, cb) => client.connect({ ...o, allTopics: false }, cb) }, bootstrap, {
      what: "probe",
      timeoutMs,
    });
    return Array.isArray(metadata?.brokers) && metadata.brokers.length > 0;
  } catch {
    return false;
  } finally {
    if (producer) await disconnectWithin(producer, timeoutMs);
  }
}

/** Waits until our JVM answers; false if it exits first or the deadline passes. */
export async function waitUntilAnswering(node: NodeLayout, pid: number, deadline: number, exited: () => boolean): Promise<boolean> {
  for (;;) {
    if (exited() || !isAlive(pid)) return false;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    // A cheap TCP check first, so a poll costs ~250 ms until the listener is up.
    if (await portAccepting(HOST, node.clientPort, Math.min(500, remaining))) {
      if (await answersMetadata(node.bootstrap, Math.max(250, Math.min(1000, deadline - Date.now())))) {
        return true;
      }
    }
    await sleep(Math.min(250, deadline - Date.now()));
  }
}
