/**
 * The short-lived producer process of notebook 03's "no flush before exit" experiment
 * (./exit-experiment.ts starts it with `node <this file>`, found by require.resolve("./exit-child")).
 *
 * It connects, produces `count` messages keyed by `key`, then ends in one of three ways:
 *   exit        process.exit() straight after the last produce(): no flush, no disconnect
 *   disconnect  disconnect() first (the JavaScript client flushes inside it), then exit
 *   flush       flush() first, then exit
 * and prints one JSON line: what it produced and how many delivery reports it saw.
 *
 * The librdkafka settings arrive in the FLUSH_LAB_CONFIG environment variable (not argv, so a
 * SASL password never shows in a process list); the rest in FLUSH_LAB_ARGS.
 */
import { now } from "../core/time";
import { connectWithin, disconnectWithin, flushWithin, Kafka } from "../kafka/client";

export type ChildEnding = "exit" | "disconnect" | "flush";

export interface ChildArgs {
  topic: string;
  key: string;
  count: number;
  ending: ChildEnding;
}

export interface ChildReport {
  ending: ChildEnding;
  produced: number;
  /** Delivery reports seen before the process ended. */
  reported: number;
  /** From connect to the moment just before exit. */
  ms: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.env.FLUSH_LAB_ARGS ?? "{}") as ChildArgs;
  const conf = JSON.parse(process.env.FLUSH_LAB_CONFIG ?? "{}") as Record<string, string>;
  const start = now();
  let reported = 0;
  const producer = new Kafka.Producer({ ...conf, dr_cb: true } as Kafka.ProducerGlobalConfig);
  producer.on("delivery-report", () => reported++);
  producer.on("event.error", () => undefined);
  const report = (): string =>
    JSON.stringify({ ending: args.ending, produced: args.count, reported, ms: now() - start } satisfies ChildReport) + "\n";
  // Bounded: a child must never outlive the experiment.
  setTimeout(() => process.exit(3), 30_000).unref();
  try {
    await connectWithin(producer, conf["bootstrap.servers"] ?? "", { what: "producer", timeoutMs: 15_000 });
  } catch (err) {
    process.stderr.write(`flush-lab child: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  producer.setPollInBackground(true);
  for (let i = 0; i < args.count; i++) producer.produce(args.topic, null, Buffer.from(`${args.key} #${i}`), args.key, null, i);
  if (args.ending === "exit") {
    // The whole point: end the process with messages still in librdkafka's queue.
    process.stdout.write(report());
    process.exit(0);
  }
  if (args.ending === "flush") {
    // A failed or timed-out flush still ends with a report: the counts say what happened.
    await flushWithin(producer, 10_000).catch(() => undefined);
    // One turn of the event loop, so delivery reports already served are counted.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } else {
    await disconnectWithin(producer, 10_000);
  }
  process.stdout.write(report(), () => process.exit(0));
}

if (require.main === module) void main();
