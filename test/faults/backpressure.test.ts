/**
 * Fault scenario 5: the local queue fills. 1,000,000 asynchronous messages through a producer
 * whose queue holds 10,000: produce() keeps answering "queue full", the producer waits for
 * deliveries and retries (backpressure), nothing crashes, everything is delivered, and the
 * process's peak memory stays bounded. Messages are made batch by batch, so the peak measures
 * the client, not a million prepared buffers. Own file: maxRSS is per process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config";
import { peakRssMiB } from "../support/faults";
import { AsyncProducer, type OutgoingMessage } from "../../lib/producers";
import { ensureTopic } from "../../lib/kafka";

const N = 1_000_000;
const BATCH = 10_000;
const QUEUE = 10_000;
/** Generous: Node + librdkafka + a 10,000-message queue need far less; a leak per message would not fit. */
const PEAK_LIMIT_MIB = 1024;

function batch(first: number, count: number): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    key: null,
    value: Buffer.from(`{"seq":${first + i},"product":"batteries","quantity":1}`),
  }));
}

async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = Kafka.AdminClient.create({ "bootstrap.servers": bootstrap });
  try {
    await new Promise<void>((resolve) => admin.deleteTopic(topic, 10_000, () => resolve()));
  } finally {
    admin.disconnect();
  }
}

test(
  "scenario 5: 1,000,000 async messages through a 10,000-message queue: backpressure, all delivered, bounded memory",
  { timeout: 180_000 },
  async () => {
    const { status } = await ensureBroker();
    const connection = loadConnection({ KAFKA_BOOTSTRAP_SERVERS: status.bootstrap });
    const topic = `fault-backpressure-${Date.now()}`;
    await ensureTopic(connection, { name: topic, partitions: 3 });
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const peakBefore = peakRssMiB();
    const producer = new AsyncProducer(connection, topic, { "queue.buffering.max.messages": QUEUE, "message.timeout.ms": 60_000 });
    let sendMs = 0;
    let totalMs = 0;
    let maxOutstanding = 0;
    try {
      await producer.connect();
      const t0 = performance.now();
      for (let first = 0; first < N; first += BATCH) {
        await producer.send(batch(first, BATCH), first);
        maxOutstanding = Math.max(maxOutstanding, producer.outstanding);
      }
      sendMs = performance.now() - t0;
      await producer.flush(120_000);
      totalMs = performance.now() - t0;
    } finally {
      await producer.disconnect();
      await deleteTopic(status.bootstrap, topic).catch(() => undefined);
    }
    const counts = producer.deliveryCounts();
    const peak = peakRssMiB();
    console.log(
      `# scenario 5: ${N.toLocaleString("en-US")} messages in ${(totalMs / 1000).toFixed(1)} s (handing over took ${(sendMs / 1000).toFixed(1)} s); ` +
        `queue-full waits ${producer.queueFullWaits.toLocaleString("en-US")}; at most ${maxOutstanding.toLocaleString("en-US")} sent but not yet reported to JavaScript; ` +
        `delivered ${counts.delivered.toLocaleString("en-US")}, failed ${counts.failed}; RSS before ${rssBefore.toFixed(0)} MiB, ` +
        `peak ${peak.toFixed(0)} MiB (peak before the run ${peakBefore.toFixed(0)} MiB)`,
    );
    assert.ok(producer.queueFullWaits > 0, "the queue filled up: backpressure happened");
    // The producer's window: it never runs further ahead of the reports JavaScript has seen (before
    // the window, reports piled up unread, up to ~1,000,000 in this scenario).
    assert.ok(maxOutstanding <= producer.window, `at most ${producer.window} outstanding, saw ${maxOutstanding}`);
    assert.equal(counts.sent, N);
    assert.equal(counts.delivered, N);
    assert.equal(counts.failed, 0);
    assert.ok(peak < PEAK_LIMIT_MIB, `peak RSS ${peak.toFixed(0)} MiB`);
  },
);
