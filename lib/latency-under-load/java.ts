/**
 * Apache Kafka's reference tools at a rate: ProducerPerformance with `--throughput` (the bench's
 * run of it, with the throughput set), and EndToEndLatency for the produce-to-consume reference.
 * Both run from .broker/libs (lib/broker/tools.ts), only against PLAINTEXT targets: a SASL
 * password must not go on a command line (javaToolsRefusal).
 *
 * What their figures include:
 * - ProducerPerformance throttles its own send() calls to the rate (ThroughputThrottler) and times
 *   each record from its send() call to the callback, in whole ms (System.currentTimeMillis). It
 *   has no intended time: a send() that blocks on a full buffer or a throttler that falls behind
 *   is not in its latency. Its steady-state line (after --warmup-records) gives records/s over the
 *   steady records, from the first of them being sent to the producer's close().
 * - EndToEndLatency sends one record at a time, waits for its acknowledgement, then polls a
 *   consumer until the record arrives; each latency is from before send() to poll() returning, in
 *   whole ms, the first record (connection and metadata) included. Its rate is what one record in
 *   flight allows: 1,000 / its mean latency.
 */
import { javaToolsRefusal, runKafkaTool, toolFailure } from "../broker/tools";
import type { KafkaConnection } from "../config/connection";
import { KppError } from "../core/errors";
import { NO_LATENCY, type LatencySummary } from "../core/latency";
import { deleteGroups, deleteTopic, ensureTopic, freshTopicName, listGroupIds } from "../kafka/admin";
import { execPerfTool, type PerfToolOutcome } from "../bench/drivers/index";
import type { Acks, Workload } from "../bench/workload";

export const END_TO_END_CLASS = "org.apache.kafka.tools.EndToEndLatency";

/** Why the reference tools are not run against this target, as the sweep says it (undefined: they are). */
export function javaSkipReason(connection: KafkaConnection): string | undefined {
  const refusal = javaToolsRefusal(connection);
  return refusal === undefined ? undefined : `not run: ${refusal}`;
}

/** ProducerPerformance throttled to `rate` on an existing topic: w.warmupRecords, then w.records measured. */
export function runPerfToolAt(
  connection: KafkaConnection,
  w: Workload,
  topic: string,
  rate: number,
  onLine?: (line: string) => void,
): Promise<PerfToolOutcome> {
  // Generous: a saturated tool goes on past its schedule (ten times it), plus the JVM's start.
  const timeoutMs = 60_000 + (10 * (w.records + w.warmupRecords) * 1000) / rate;
  return execPerfTool(connection, w, topic, { throughput: rate, timeoutMs, onLine });
}

export interface JavaEndToEnd {
  records: number;
  acks: Acks;
  recordSize: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  p999_ms: number;
  /** 1,000 / mean: one record in flight at a time. */
  rate_per_s: number;
}

/** EndToEndLatency's two summary lines; undefined when either is missing. */
export function parseEndToEndLatency(stdout: string): Pick<JavaEndToEnd, "mean_ms" | "p50_ms" | "p99_ms" | "p999_ms"> | undefined {
  const avg = /^Avg latency: ([\d.]+) ms\s*$/m.exec(stdout);
  const pct = /^Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)\s*$/m.exec(stdout);
  if (!avg || !pct) return undefined;
  return { mean_ms: Number(avg[1]), p50_ms: Number(pct[1]), p99_ms: Number(pct[2]), p999_ms: Number(pct[3]) };
}

/** EndToEndLatency on a fresh topic with `partitions`, deleted afterwards. */
export async function runEndToEndLatency(
  connection: KafkaConnection,
  opts: { records: number; acks: Acks; recordSize: number; partitions: number },
): Promise<JavaEndToEnd> {
  if (opts.acks === "0") throw new KppError("config", "EndToEndLatency needs acks 1 or all (it waits for each acknowledgement)");
  const topic = freshTopicName("lul-java-e2e");
  await ensureTopic(connection, { name: topic, partitions: opts.partitions });
  // The tool names its consumer group "test-group-<ms>" itself and leaves it: the new ones are deleted afterwards.
  const groupsBefore = new Set(await listGroupIds(connection));
  try {
    const args = [
      "--bootstrap-server",
      connection.bootstrapServers,
      "--topic",
      topic,
      "--num-records",
      String(opts.records),
      "--producer-acks",
      opts.acks,
      "--record-size",
      String(opts.recordSize),
    ];
    const result = await runKafkaTool(END_TO_END_CLASS, args, { timeoutMs: 60_000 + opts.records * 100 });
    const parsed = parseEndToEndLatency(result.stdout);
    if (result.timedOut || result.code !== 0 || !parsed) throw toolFailure("EndToEndLatency", result);
    return {
      records: opts.records,
      acks: opts.acks,
      recordSize: opts.recordSize,
      ...parsed,
      rate_per_s: parsed.mean_ms > 0 ? 1000 / parsed.mean_ms : NaN,
    };
  } finally {
    const left = (await listGroupIds(connection).catch(() => [])).filter((g) => g.startsWith("test-group-") && !groupsBefore.has(g));
    await deleteGroups(connection, left);
    await deleteTopic(connection, topic);
  }
}

/** A summary of nothing measured, for figures a tool does not give. */
export function notMeasured(): LatencySummary {
  return { ...NO_LATENCY };
}
