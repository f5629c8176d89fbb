/**
 * Several producers at once, each in its own Node process (a fork of ./parallel-worker, its
 * compiled sibling), all on one topic. Every worker connects and warms up, then waits; the parent
 * releases them together, so the measured parts overlap. The combined rate is all records over
 * the span from the first worker's start to the last worker's last acknowledgement
 * (performance.timeOrigin + performance.now(), comparable across processes on one machine).
 * Separate processes, because the client's native addon cannot be loaded in worker threads.
 */
import { fork } from "node:child_process";
import { awaitMessage } from "../../core/child";
import type { KafkaConnection } from "../../config/connection";
import { latencySummary } from "../../core/latency";
import { throughput } from "../../core/units";
import { withFreshTopic } from "../../kafka/admin";
import { lingerForScrape } from "../../monitoring/exporter";
import { topicOf } from "../framework";
import { PRODUCER_LABELS, type BenchRun, type ProducerId } from "../run";
import type { Workload } from "../workload";

/** Parent → worker. */
export interface WorkerJob {
  producer: ProducerId;
  workload: Workload;
  topic: string;
  /** PLAINTEXT targets: the bootstrap list; others: the worker loads .env itself. */
  bootstrap?: string;
  embedded: boolean;
}

/** Worker → parent. */
export type WorkerMessage =
  { type: "ready" } | { type: "done"; run: BenchRun; startEpochMs: number; latencies: number[] } | { type: "error"; message: string };

/** `count` processes each sending workload.records records; one combined BenchRun. */
export async function runParallel(
  producer: ProducerId,
  count: number,
  opts: { connection: KafkaConnection; workload: Workload; timeoutMs?: number },
): Promise<BenchRun> {
  if (producer === "perf-tool") throw new Error("runParallel: use the Node producers (ProducerPerformance runs as its own JVM)");
  const { connection, workload } = opts;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  return withFreshTopic(connection, topicOf(workload, `bench-parallel-${producer}`), (topic) =>
    runWorkers(producer, count, { connection, workload, timeoutMs }, topic),
  );
}

/** The workers on topic (which exists): forked, released together, their runs combined; stopped afterwards, whatever happens. */
async function runWorkers(
  producer: ProducerId,
  count: number,
  opts: { connection: KafkaConnection; workload: Workload; timeoutMs: number },
  topic: string,
): Promise<BenchRun> {
  const { connection, workload, timeoutMs } = opts;
  const job: WorkerJob = {
    producer,
    workload,
    topic,
    embedded: connection.embedded,
    bootstrap: connection.securityProtocol === "PLAINTEXT" ? connection.bootstrapServers : undefined,
  };
  const children = Array.from({ length: count }, () =>
    fork(require.resolve("./parallel-worker"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] }),
  );
  try {
    const ready = children.map((c) => awaitMessage<WorkerMessage, "ready">(c, "ready", 60_000, "a bench worker"));
    for (const c of children) c.send(job);
    await Promise.all(ready);
    const done = children.map((c) => awaitMessage<WorkerMessage, "done">(c, "done", timeoutMs, "a bench worker"));
    for (const c of children) c.send({ type: "go" });
    const results = await Promise.all(done);
    const start = Math.min(...results.map((r) => r.startEpochMs));
    const end = Math.max(...results.map((r) => r.startEpochMs + r.run.figures.wall_s * 1000));
    const sum = (f: (r: BenchRun) => number) => results.reduce((s, r) => s + f(r.run), 0);
    const delivered = sum((r) => r.figures.delivered);
    const wallMs = end - start;
    const first = results[0].run;
    return {
      ...first,
      label: `${PRODUCER_LABELS[producer]} × ${count} processes`,
      topic,
      records: workload.records * count,
      figures: {
        sent: sum((r) => r.figures.sent),
        delivered,
        failed: sum((r) => r.figures.failed),
        wall_s: wallMs / 1000,
        ...throughput(delivered, delivered * workload.recordSize, wallMs),
        latency: latencySummary(results.map((r) => r.latencies)),
      },
      errorSamples: results.flatMap((r) => r.run.errorSamples).slice(0, 3),
      timing:
        `${count} processes released together after their warm-up; first process's first send to the last acknowledgement in any process; ` +
        first.timing,
      extra: {
        ...first.extra,
        processes: count,
        per_process_msgs_per_s: results.map((r) => Math.round(r.run.figures.msgs_per_s)).join(" / "),
      },
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await lingerForScrape();
  }
}
