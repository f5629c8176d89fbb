/**
 * Java's consumer reference, org.apache.kafka.tools.ConsumerPerformance (the engine of
 * kafka-consumer-perf-test), reading the study's topic after our consumer did, in a group of its
 * own: its rate sits beside ours. It only counts records (no words), so it is the ceiling for
 * reading, not a like-for-like consumer.
 */
import { kafkaToolsVersion, runKafkaTool, toolFailure } from "../broker/tools";
import type { KafkaConnection } from "../config/connection";
import { throughput } from "../core/units";

const CONSUMER_PERF_CLASS = "org.apache.kafka.tools.ConsumerPerformance";

export interface JavaConsumerResult {
  tool: string;
  records: number;
  /** Records over the whole run, group join (rebalance) included. */
  msgs_per_s: number;
  /** Records over the fetching time only (join excluded): the figure to set beside ours, which starts at the first record. */
  fetch_msgs_per_s: number;
  /** MB = 10^6 bytes (the tool prints MiB and calls it MB; recomputed). */
  fetch_mb_per_s: number;
  rebalance_ms: number;
  fetch_ms: number;
}

/** The tool's result line ("start.time, end.time, data.consumed.in.MB, …"); undefined if there is none. */
export function parseConsumerPerf(stdout: string): Omit<JavaConsumerResult, "tool"> | undefined {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim());
  const header = lines.findIndex((l) => l.startsWith("start.time"));
  if (header < 0 || !lines[header + 1]) return undefined;
  const names = lines[header].split(",").map((x) => x.trim());
  const values = lines[header + 1].split(",").map((x) => x.trim());
  const get = (name: string) => Number(values[names.indexOf(name)]);
  const records = get("data.consumed.in.nMsg");
  const fetchMs = get("fetch.time.ms");
  if (!Number.isFinite(records)) return undefined;
  return {
    records,
    msgs_per_s: get("nMsg.sec"),
    fetch_msgs_per_s: get("fetch.nMsg.sec"),
    fetch_mb_per_s: throughput(records, get("data.consumed.in.MB") * 2 ** 20, fetchMs).mb_per_s,
    rebalance_ms: get("rebalance.time.ms"),
    fetch_ms: fetchMs,
  };
}

/** Runs the tool over `records` records of the topic; PLAINTEXT targets only (no password on a command line). */
export async function runConsumerPerf(
  connection: KafkaConnection,
  topic: string,
  records: number,
  groupId: string,
): Promise<JavaConsumerResult> {
  const args = [
    "--bootstrap-server",
    connection.bootstrapServers,
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--group",
    groupId,
    "--timeout",
    "60000",
  ];
  const r = await runKafkaTool(CONSUMER_PERF_CLASS, args, { timeoutMs: 300_000 });
  const parsed = parseConsumerPerf(r.stdout);
  if (r.timedOut || r.code !== 0 || !parsed) throw toolFailure("ConsumerPerformance", r);
  return { tool: `${kafkaToolsVersion()} ConsumerPerformance (Java consumer)`, ...parsed };
}
