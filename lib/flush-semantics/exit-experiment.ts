/**
 * Notebook 03's question 2, "no flush before exit", which needs a process that really ends: a
 * child (./exit-child.ts) produces and exits without flush or disconnect, and the topic's offsets
 * and a concurrent consumer count what reached the broker. Disconnect and flush endings are the
 * controls. All children write to one fresh single-partition topic, each under its own key.
 */
import { runChild } from "../core/child";
import type { KafkaConnection } from "../config/connection";
import { ConcurrentConsumer } from "../consumers/concurrent";
import { freshConsumer } from "../consumers/read-topic";
import { ensureTopic, freshTopicName, watermarks } from "../kafka/admin";
import { connectWithin, disconnectWithin } from "../kafka/client";
import type { ChildArgs, ChildEnding, ChildReport } from "./exit-child";

export interface ExitVariant {
  ending: ChildEnding;
  /** The child's linger.ms: how long librdkafka may hold a message before sending it. */
  lingerMs: number;
}

/** Exit without flush at librdkafka's default linger and at a throughput-tuned one; disconnect and flush as controls. */
export const EXIT_VARIANTS: readonly ExitVariant[] = Object.freeze([
  { ending: "exit", lingerMs: 5 },
  { ending: "exit", lingerMs: 1000 },
  { ending: "disconnect", lingerMs: 1000 },
  { ending: "flush", lingerMs: 1000 },
]);

export interface ExitRun extends ExitVariant {
  produced: number;
  /** Delivery reports the child saw before it ended. */
  reportedByChild: number;
  /** Messages the topic gained (high-watermark difference). */
  onTopic: number;
  /** Messages of this run the concurrent consumer received. */
  consumed: number;
  childMs: number;
  /** What the child wrote to stderr (a warning from librdkafka would be there); empty when it said nothing. */
  childStderr: string;
}

/** Runs the child once and reads its one-line report and what it wrote to stderr; the child is killed after timeoutMs. */
async function runExitChild(
  connection: KafkaConnection,
  args: ChildArgs,
  lingerMs: number,
  timeoutMs = 40_000,
): Promise<{ report: ChildReport; stderr: string }> {
  // Beside this module, in dist/ as in the sources: no hand-built path.
  const env = {
    ...process.env,
    FLUSH_LAB_ARGS: JSON.stringify(args),
    FLUSH_LAB_CONFIG: JSON.stringify({
      ...connection.clientConfig(),
      "client.id": `flush-lab-${args.ending}`,
      "linger.ms": String(lingerMs),
    }),
  };
  const r = await runChild(process.execPath, [require.resolve("./exit-child")], { env, timeoutMs });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return { report: JSON.parse(line) as ChildReport, stderr: r.stderr.trim() };
  } catch {
    throw new Error(`the ${args.ending} child exited with code ${r.code} and no report${r.stderr ? `: ${r.stderr.trim()}` : ""}`);
  }
}

/**
 * Runs one child per variant on one fresh topic, each producing `count` messages under its own
 * key, with the concurrent consumer reading; counts what reached the topic.
 */
export async function runExitExperiment(
  connection: KafkaConnection,
  count = 100,
  variants: readonly ExitVariant[] = EXIT_VARIANTS,
): Promise<ExitRun[]> {
  const topic = freshTopicName("flush-lab-exit");
  await ensureTopic(connection, { name: topic, partitions: 1 });
  const consumer = await ConcurrentConsumer.start(connection, topic, { groupPrefix: "flush-lab" });
  // Only reads the offsets; never subscribes.
  const probe = freshConsumer(connection, "flush-lab-probe");
  const out: ExitRun[] = [];
  try {
    await connectWithin(probe, connection.bootstrapServers, { what: "probe consumer", timeoutMs: 15_000 });
    for (const [i, v] of variants.entries()) {
      const key = `${v.ending}-linger${v.lingerMs}-${i}`;
      const before = await watermarks(probe, topic);
      const { report, stderr } = await runExitChild(connection, { topic, key, count, ending: v.ending }, v.lingerMs);
      // What made it is on the broker by now; give the consumer a moment, and lost messages no more.
      await consumer.waitFor(() => consumer.countKey(key) >= count, 2_000);
      const after = await watermarks(probe, topic);
      out.push({
        ...v,
        produced: report.produced,
        reportedByChild: report.reported,
        onTopic: after.high - before.high,
        consumed: consumer.countKey(key),
        childMs: report.ms,
        childStderr: stderr,
      });
    }
  } finally {
    await disconnectWithin(probe);
    await consumer.stop();
  }
  return out;
}
