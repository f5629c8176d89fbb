/** Unit: matching reports by send order (lib/producers/send-order.ts), the recorder's aggregate path, the statistics' retries. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { DeliveryRecorder } from "../../lib/core/recorder";
import { StatisticsRecorder, type LibrdkafkaStats } from "../../lib/core/statistics";
import { defaultSyncWait } from "../../lib/producers/producer";
import { defaultPartitioner, DefaultPartitioner, partitionCount, SeqQueue } from "../../lib/producers/send-order";

test("SeqQueue: first in, first out, growing past its capacity, -1 when empty", () => {
  const q = new SeqQueue(2);
  assert.equal(q.shift(), -1);
  for (let i = 0; i < 5; i++) q.push(i);
  assert.equal(q.shift(), 0);
  assert.equal(q.shift(), 1);
  // Wrapped around, then grown again with the head in the middle.
  for (let i = 5; i < 12; i++) q.push(i);
  assert.equal(q.length, 10);
  const out: number[] = [];
  while (q.length > 0) out.push(q.shift());
  assert.deepEqual(out, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(q.shift(), -1);
});

test("DefaultPartitioner: keyed messages go to crc32(key) mod partitions, as librdkafka's consistent_random", () => {
  const p = new DefaultPartitioner(7, 10);
  for (const key of ["key-0", "key-1", "customer-42", "é-ü"]) {
    assert.equal(p.partitionFor(key, 0), crc32(key) % 7, key);
    assert.equal(p.partitionFor(Buffer.from(key), 5), crc32(key) % 7, `${key} as a Buffer`);
  }
  // The CRC-32 check value: zlib computes the same CRC-32 (ISO-HDLC) as librdkafka's rd_crc32.
  assert.equal(crc32("123456789"), 0xcbf43926);
});

test("DefaultPartitioner: messages without a key keep one random partition for sticky.partitioning.linger.ms", () => {
  const draws = [0.1, 0.6, 0.9];
  let i = 0;
  const p = new DefaultPartitioner(3, 10, () => draws[i++ % draws.length]);
  assert.equal(p.partitionFor(null, 0), 0);
  assert.equal(p.partitionFor(null, 9.9), 0, "still sticky");
  assert.equal(p.partitionFor("", 5), 0, "an empty key is no key");
  assert.equal(p.partitionFor(null, 10), 1, "a new partition after 10 ms");
  assert.equal(p.partitionFor(null, 25), 2);
  const perMessage = new DefaultPartitioner(3, 0, () => draws[i++ % draws.length]);
  const seen = new Set([0, 0, 0, 0].map(() => perMessage.partitionFor(null, 1)));
  assert.ok(seen.size > 1, "sticky.partitioning.linger.ms=0: a random partition per message");
});

test("defaultPartitioner: only for librdkafka's default partitioner and a known partition count", () => {
  assert.ok(defaultPartitioner({}, 3));
  assert.ok(defaultPartitioner({ partitioner: "consistent_random" }, 3));
  assert.equal(defaultPartitioner({ partitioner: "murmur2_random" }, 3), undefined, "another partitioner: leave it to librdkafka");
  assert.equal(defaultPartitioner({}, 0), undefined, "topic not in the metadata");
  const metadata = {
    orig_broker_id: 1,
    orig_broker_name: "b",
    brokers: [],
    topics: [{ name: "t", partitions: [0, 1, 2].map((id) => ({ id, leader: 1, replicas: [1], isrs: [1] })) }],
  };
  assert.equal(partitionCount(metadata, "t"), 3);
  assert.equal(partitionCount(metadata, "other"), 0);
  assert.equal(partitionCount(undefined, "t"), 0);
});

test("DeliveryRecorder.recordDelivered: counts without per-record times, the latest time kept", () => {
  const r = new DeliveryRecorder({ capacity: 10, perRecord: false });
  r.record(-1, false, 5, "Local: Message timed out (code -192)");
  r.recordDelivered(9, 7);
  r.recordDelivered(0, 6);
  assert.equal(r.delivered, 9);
  assert.equal(r.failed, 1);
  assert.equal(r.acknowledged, 10);
  assert.equal(r.lastAckAt, 7);
});

test("StatisticsRecorder.retries: the brokers' txretries since timing started", () => {
  const emission = (retries: number[]): LibrdkafkaStats => ({
    ts: 1,
    tx: 0,
    rx: 0,
    txmsgs: 0,
    msg_cnt: 0,
    brokers: Object.fromEntries(retries.map((n, i) => [`b${i}`, { nodeid: i + 1, tx: 0, rx: 0, txretries: n }])),
  });
  const s = new StatisticsRecorder();
  assert.equal(s.retries(), 0);
  s.add(emission([2, 1]), 0);
  assert.equal(s.retries(), 3, "before start(): since the client started");
  s.start(0);
  s.add(emission([4, 1]), 100);
  assert.equal(s.retries(), 2);
});

test("defaultSyncWait: a poll loop with a core to spare, librdkafka's background poller when confined to one", () => {
  assert.equal(defaultSyncWait(2), "poll loop");
  assert.equal(defaultSyncWait(16), "poll loop");
  assert.equal(defaultSyncWait(1), "background poller");
});
