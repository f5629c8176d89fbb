/**
 * The short-lived producer process of notebook 03's "no flush before exit" experiment
 * (lib/flush-lab.ts runs it with `node dist/lib/flush-lab-child.js`).
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
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";

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

function main(): void {
  const args = JSON.parse(process.env.FLUSH_LAB_ARGS ?? "{}") as ChildArgs;
  const conf = JSON.parse(process.env.FLUSH_LAB_CONFIG ?? "{}") as Record<string, string>;
  const start = performance.now();
  let reported = 0;
  const producer = new Kafka.Producer({ ...conf, dr_cb: true } as Kafka.ProducerGlobalConfig);
  producer.on("delivery-report", () => reported++);
  producer.on("event.error", () => undefined);
  const finish = (produced: number) => {
    const report: ChildReport = { ending: args.ending, produced, reported, ms: performance.now() - start };
    process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(0));
  };
  // Bounded: a child must never outlive the experiment.
  setTimeout(() => process.exit(3), 30_000).unref();
  producer.connect({ timeout: 15_000 }, (err) => {
    if (err) {
      process.stderr.write(`flush-lab child: could not connect: ${err.message}\n`);
      process.exit(2);
    }
    producer.setPollInBackground(true);
    for (let i = 0; i < args.count; i++) producer.produce(args.topic, null, Buffer.from(`${args.key} #${i}`), args.key, null, i);
    if (args.ending === "exit") {
      // The whole point: end the process with messages still in librdkafka's queue.
      process.stdout.write(JSON.stringify({ ending: args.ending, produced: args.count, reported, ms: performance.now() - start } satisfies ChildReport) + "\n");
      process.exit(0);
    } else if (args.ending === "flush") {
      producer.flush(10_000, () => setImmediate(() => finish(args.count)));
    } else {
      producer.disconnect(10_000, () => finish(args.count));
    }
  });
}

if (require.main === module) main();
