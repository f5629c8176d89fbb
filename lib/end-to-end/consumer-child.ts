/**
 * The study's consumer process (run.ts forks this file's compiled sibling): a fresh consumer group
 * reads the topic from the beginning while the producer writes it, and reports per batch of
 * `batchSize` records what the seed's consumer reports (messages, words, unique words, the batch's
 * time and throughput, cumulative throughput, CPU and memory) plus consumer lag over time and the
 * end-to-end latency of every record.
 *
 * - Throughput: a batch's records over the time from the previous batch's end (the first: the
 *   first message) to this one's; cumulative: all records so far over the time since the first.
 * - CPU: this process's CPU time over the wall time of the batch (% of one core), never a sleep.
 * - Lag: the partitions' high watermark minus the consumer's position, summed (the client's
 *   cached watermarks, so sampling costs no request).
 * - Latency: when the consume() call returned the record (this machine's clock, Unix ms with µs
 *   digits) minus the record's timestamp, which the producer's client set at produce() in whole
 *   ms: each latency is up to 1 ms too long, never too short. A job's `latencyFrom` leaves the records
 *   before it (a producer's warm-up) untimed; they are still read and checked.
 *
 * Memory stays bounded whatever the record count: one bit-sized flag per sequence number, one
 * batch's unique words, an HDR histogram.
 */
import { KppError } from "../core/errors";
import { StatisticsRecorder } from "../core/statistics";
import { LatencyRecorder } from "../core/latency";
import { now, withTimeout } from "../core/time";
import { connectWithin, consumeBatch, disconnectWithin, timeoutOnlyForFirstMessage, type Kafka } from "../kafka/client";
import { freshConsumer } from "../consumers/read-topic";
import { exporterFromEnv, stopExporter } from "../monitoring/exporter";
import { childMain, connectionOf, ResourceMeter, sendToParent } from "./child";
import { ConsumerBatches } from "./consumer-batches";
import { words } from "./data";
import type { ConsumerJob, ConsumerMessage, ConsumerSide, ControlMessage, LagSample } from "./protocol";

const epochNow = () => performance.timeOrigin + performance.now();

/** Records not yet read on the consumer's partitions: high watermark − position, summed. */
function lagOf(consumer: Kafka.KafkaConsumer, topic: string): number {
  let lag = 0;
  for (const p of consumer.position()) {
    if (p.topic !== topic) continue;
    const { highOffset, lowOffset } = consumer.getWatermarkOffsets(topic, p.partition);
    const position = p.offset >= 0 ? p.offset : lowOffset;
    if (highOffset >= 0 && position >= 0) lag += Math.max(0, highOffset - position);
  }
  return lag;
}

/** Connects, checks the topic exists, subscribes and waits for its partitions; bounded. */
async function joinGroup(job: ConsumerJob): Promise<Kafka.KafkaConsumer> {
  const connection = connectionOf(job.target);
  // Statistics every second: with MONITORING on they reach Prometheus (consumer lag per partition).
  const consumer = freshConsumer(connection, { id: job.groupId }, { rebalance_cb: true, "statistics.interval.ms": 1_000 });
  const statistics = new StatisticsRecorder();
  consumer.on("event.stats", (e: { message: string }) => statistics.add(e.message, now()));
  exporterFromEnv();
  const metadata = await connectWithin(consumer, connection.bootstrapServers, { what: "consumer" });
  try {
    // connect() fetched the metadata of every topic: a topic missing from it does not exist.
    if (!metadata.topics.some((t) => t.name === job.topic)) {
      throw new KppError(
        "config",
        `topic '${job.topic}' does not exist on ${connection.bootstrapServers}; create it first or leave E2E_TOPIC unset for a fresh one.`,
      );
    }
    const assigned = new Promise<void>((resolve) => consumer.once("rebalance", () => resolve()));
    consumer.setDefaultConsumeTimeout(100);
    // Wait only for a batch's first record, then take what is ready: otherwise a batch of 1,000 at
    // a low rate waits for its last record, and that wait would count in every record's latency.
    timeoutOnlyForFirstMessage(consumer);
    consumer.subscribe([job.topic]);
    // The assignment arrives while consume() is called: poll until it does. The topic is still
    // empty (the producer starts once this side is ready), so these calls return no record.
    const polling = (async () => {
      let done = false;
      void assigned.then(() => (done = true));
      while (!done) {
        const early = await consumeBatch(consumer, 1);
        if (early.length)
          throw new KppError(
            "config",
            `topic '${job.topic}' already holds records; the study needs an empty topic (leave E2E_TOPIC unset).`,
          );
      }
    })();
    await withTimeout(
      Promise.race([assigned, polling]),
      30_000,
      () => new KppError("connection", `the consumer got no partitions of '${job.topic}' within 30 s`),
    );
    return consumer;
  } catch (e) {
    await disconnectWithin(consumer);
    throw e;
  }
}

/** Reads until every record was seen (or stop, or idle after the producer finished). */
export async function consumeJob(
  job: ConsumerJob,
  signal: AbortSignal,
  onControl: (h: (m: ControlMessage) => void) => void,
  report: (m: ConsumerMessage) => void,
): Promise<ConsumerSide> {
  const consumer = await joinGroup(job);
  let producerDone = false;
  onControl((m) => {
    if (m.type === "producer-done") producerDone = true;
  });
  report({ type: "ready" });
  const startEpoch = epochNow();
  const seen = new Uint8Array(job.records);
  const latency = new LatencyRecorder();
  const meter = new ResourceMeter();
  const batches = new ConsumerBatches(job.batchSize, () => meter.sample());
  const currentLag = () => lagOf(consumer, job.topic);
  const lag: LagSample[] = [];
  let distinct = 0;
  let duplicates = 0;
  let foreign = 0;
  let lastLagAt = -Infinity;
  let lastReport = -Infinity;
  let stoppedBecause: ConsumerSide["stoppedBecause"] = "complete";
  try {
    while (distinct < job.records) {
      if (signal.aborted) {
        stoppedBecause = "stopped";
        break;
      }
      // Idle: nothing for idleMs since the last record (or since the start, when none came).
      const idleSince = Number.isNaN(batches.lastEpoch) ? startEpoch : batches.lastEpoch;
      if (producerDone && epochNow() - idleSince > job.idleMs) {
        stoppedBecause = "idle";
        break;
      }
      const msgs = await consumeBatch(consumer, 1000);
      const at = epochNow();
      for (const m of msgs) {
        const seq = Number(m.key?.toString());
        if (!Number.isInteger(seq) || seq < 0 || seq >= job.records) foreign++;
        else if (seen[seq]) duplicates++;
        else {
          seen[seq] = 1;
          distinct++;
        }
        const timed = job.latencyFrom === undefined || seq >= job.latencyFrom;
        if (timed && m.timestamp !== undefined && m.timestamp > 0) latency.record(at - m.timestamp);
        batches.add(words(m.value?.toString("utf8") ?? ""), at, currentLag);
      }
      const firstEpoch = batches.firstEpoch;
      if (now() - lastLagAt >= 500) {
        lastLagAt = now();
        lag.push({ t_ms: Number.isNaN(firstEpoch) ? NaN : epochNow() - firstEpoch, lag: currentLag() });
      }
      if (now() - lastReport >= 250) {
        lastReport = now();
        report({
          type: "progress",
          received: distinct,
          total: job.records,
          lag: lag.length ? lag[lag.length - 1].lag : NaN,
          elapsedMs: Number.isNaN(firstEpoch) ? 0 : epochNow() - firstEpoch,
        });
      }
    }
    batches.finish(currentLag);
    lag.push({ t_ms: epochNow() - batches.firstEpoch, lag: currentLag() });
  } finally {
    await disconnectWithin(consumer);
  }
  const wallMs = batches.wallMs;
  const received = batches.received;
  return {
    batches: batches.rows,
    lag: lag.filter((l) => Number.isFinite(l.t_ms)),
    received,
    distinct,
    duplicates,
    foreign,
    wallMs,
    msgs_per_s: wallMs > 0 ? received / (wallMs / 1000) : NaN,
    latency: latency.summary(),
    latencyCdf: latency.cdf(),
    firstEpochMs: batches.firstEpoch,
    startEpochMs: startEpoch,
    lastEpochMs: batches.lastEpoch,
    peakRssMiB: ResourceMeter.peakRssMiB(),
    cpu_pct: meter.cpuPctSinceStart(),
    stoppedBecause,
  };
}

if (require.main === module) {
  childMain<ConsumerJob>(async (job, signal, onControl) => {
    const side = await consumeJob(job, signal, onControl, (m) => void sendToParent(m));
    await sendToParent({ type: "done", side } satisfies ConsumerMessage);
    await stopExporter(); // with MONITORING on, after Prometheus took the last figures
  });
}
