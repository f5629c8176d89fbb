/**
 * Integration: how our producers match delivery reports to records, against the real broker. Each
 * report is checked against the record it names (key or value = the record's number), so a report
 * matched to the wrong record fails the test; and the aggregate-acknowledgement producer's count
 * is checked against the topic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config";
import { DeliveryRecorder } from "../../lib/core/recorder";
import { connectWithin, deleteTopic, disconnectWithin, ensureTopic, flushWithin, Kafka } from "../../lib/kafka";
import {
  AGGREGATE_QUEUE_DEPTH,
  AggregateProducer,
  AsyncProducer,
  DefaultPartitioner,
  measureRun,
  SYNC_WAITS,
  SyncProducer,
  type BaseProducer,
} from "../../lib/producers";

const connection = loadConnection({});
const N = 60_000;
const CHUNK = 1_000;

/** Sends n records through the producer, key or value = the record's number; returns how many reports named another record. */
async function sendChecked(producer: BaseProducer, n: number, keyed: boolean): Promise<{ wrong: number; recorder: DeliveryRecorder }> {
  const recorder = new DeliveryRecorder({ capacity: n });
  producer.useRecorder(recorder);
  let wrong = 0;
  // Registered after the producer's own listener: when it runs, the producer has just recorded this report.
  (producer as unknown as { client: Kafka.Producer }).client.on("delivery-report", (_err, report) => {
    const seq = Number((keyed ? report.key : report.value)?.toString());
    if (recorder.ackAt[seq] !== recorder.lastAckAt) wrong++;
  });
  await producer.connect();
  for (let first = 0; first < n; first += CHUNK) {
    const messages = Array.from({ length: Math.min(CHUNK, n - first) }, (_, k) => {
      const seq = String(first + k);
      return keyed ? { key: seq, value: Buffer.alloc(100, 65) } : { key: null, value: Buffer.from(seq.padEnd(100)) };
    });
    await producer.send(messages, first);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await producer.flush(60_000);
  await producer.disconnect();
  return { wrong, recorder };
}

for (const keyed of [true, false]) {
  test(`the asynchronous producer matches every report to its record by send order (${keyed ? "keyed" : "null keys"}, 3 partitions)`, async () => {
    await ensureBroker();
    const topic = `test-send-order-${keyed ? "keyed" : "null"}-${Date.now()}`;
    await ensureTopic(connection, { name: topic, partitions: 3 });
    try {
      // dr_msg_cb: the binding hands each report's value back, so the test can see which record it was.
      const producer = new AsyncProducer(connection, topic, keyed ? {} : { dr_msg_cb: true });
      const { wrong, recorder } = await sendChecked(producer, N, keyed);
      assert.equal(producer.attribution, "send order");
      assert.equal(recorder.delivered, N);
      assert.equal(wrong, 0, "reports matched to another record");
      assert.equal(producer.extra().reports_out_of_order, 0);
      const latencies = recorder.latencies();
      assert.ok(
        latencies.every((x) => Number.isFinite(x) && x >= 0),
        "every record has a latency",
      );
    } finally {
      await deleteTopic(connection, topic);
    }
  });
}

test("another partitioner configured: the producer leaves partitions to librdkafka and matches by opaque", async () => {
  await ensureBroker();
  const topic = `test-send-order-opaque-${Date.now()}`;
  await ensureTopic(connection, { name: topic, partitions: 3 });
  try {
    const producer = new AsyncProducer(connection, topic, { partitioner: "murmur2_random" });
    const { wrong, recorder } = await sendChecked(producer, 5_000, true);
    assert.equal(producer.attribution, "opaque");
    assert.equal(recorder.delivered, 5_000);
    assert.equal(wrong, 0);
  } finally {
    await deleteTopic(connection, topic);
  }
});

test("the synchronous producer matches its one outstanding report by send order too", async () => {
  await ensureBroker();
  const topic = `test-send-order-sync-${Date.now()}`;
  await ensureTopic(connection, { name: topic, partitions: 3 });
  try {
    const producer = new SyncProducer(connection, topic);
    const { wrong, recorder } = await sendChecked(producer, 2_000, true);
    assert.equal(producer.attribution, "send order");
    assert.equal(recorder.delivered, 2_000);
    assert.equal(wrong, 0);
  } finally {
    await deleteTopic(connection, topic);
  }
});

test("the producer picks the partition librdkafka's default partitioner would", async () => {
  await ensureBroker();
  const topic = `test-partitioner-${Date.now()}`;
  const partitions = 5;
  await ensureTopic(connection, { name: topic, partitions });
  const client = new Kafka.Producer({ ...connection.clientConfig(), dr_cb: true } as Kafka.ProducerGlobalConfig);
  const chosen = new Map<string, number>();
  client.on("delivery-report", (_err, report) => chosen.set(String(report.key), report.partition));
  try {
    await connectWithin(client, connection.bootstrapServers);
    client.setPollInterval(5);
    const keys = Array.from({ length: 300 }, (_, i) => (i % 2 ? `customer-${i}` : `key-${i}`));
    for (const key of keys) client.produce(topic, null, Buffer.from("x"), key);
    await flushWithin(client, 30_000);
    while (chosen.size < keys.length) await new Promise((resolve) => setTimeout(resolve, 5));
    const ours = new DefaultPartitioner(partitions, 10);
    for (const key of keys) assert.equal(ours.partitionFor(key, 0), chosen.get(key), `key ${key}`);
  } finally {
    client.setPollInterval(0);
    await disconnectWithin(client);
    await deleteTopic(connection, topic);
  }
});

test("the aggregate-acknowledgement producer: delivered = sent − failed, equal to the topic's growth, no per-record latency", async () => {
  await ensureBroker();
  const topic = `test-aggregate-${Date.now()}`;
  await ensureTopic(connection, { name: topic, partitions: 3 });
  try {
    const producer = new AggregateProducer(connection, topic);
    const value = Buffer.alloc(100, 65);
    const run = await measureRun(producer, {
      records: 50_000,
      message: () => ({ key: null, value }),
      warmupRecords: 5_000,
      chunk: CHUNK,
      perRecord: false,
      flushTimeoutMs: 60_000,
    });
    assert.equal(run.partial, false, run.stopReason);
    assert.equal(run.recorder.delivered, 50_000);
    assert.equal(run.warmupRecorder.delivered, 5_000);
    assert.equal(run.recorder.failed, 0);
    assert.ok(run.wallMs > 0);
    const extra = producer.extra();
    assert.equal(extra.attribution, "none");
    assert.equal(extra.watermark_growth, 55_000);
    assert.equal(extra.watermark_check, "delivered = watermark growth");
    // Its own backpressure: librdkafka's queue at most AGGREGATE_QUEUE_DEPTH deep, so 55,000 records had to wait for room.
    assert.equal(extra.queue_depth, AGGREGATE_QUEUE_DEPTH);
    assert.ok(Number(extra.queue_full_waits) > 0, `queue_full_waits ${extra.queue_full_waits}`);
  } finally {
    await deleteTopic(connection, topic);
  }
});

test("the aggregate producer's queue depth: its own cap, a shallower limit in the settings, or (the ladder) the settings' limit", () => {
  const depth = (extra: Record<string, number>, opts = {}) =>
    new AggregateProducer(connection, "t", extra, opts).settings["queue.buffering.max.messages"];
  assert.equal(depth({}), AGGREGATE_QUEUE_DEPTH);
  assert.equal(depth({ "queue.buffering.max.messages": 2_000 }), 2_000);
  assert.equal(depth({ "queue.buffering.max.messages": 100_000 }), AGGREGATE_QUEUE_DEPTH);
  assert.equal(depth({ "queue.buffering.max.messages": 100_000 }, { queueDepth: Number.POSITIVE_INFINITY }), 100_000);
});

test("every way the synchronous producer can wait has each acknowledgement in before the next send", async () => {
  await ensureBroker();
  const topic = `test-sync-waits-${Date.now()}`;
  await ensureTopic(connection, { name: topic, partitions: 3 });
  try {
    for (const wait of SYNC_WAITS) {
      const producer = new SyncProducer(connection, topic, {}, { wait });
      const { wrong, recorder } = await sendChecked(producer, 300, true);
      assert.equal(recorder.delivered, 300, wait);
      assert.equal(wrong, 0, wait);
      assert.equal(producer.extra().wait, wait);
      for (let i = 0; i + 1 < 300; i++) {
        assert.ok(recorder.ackAt[i] <= recorder.sentAt[i + 1], `${wait}: record ${i} acknowledged before record ${i + 1} was sent`);
      }
    }
  } finally {
    await deleteTopic(connection, topic);
  }
});
