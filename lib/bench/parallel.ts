/**
 * Several producers at once, each in its own Node process (child_process.fork of
 * dist/scripts/bench-worker.js), all on one topic. Every worker connects and warms up, then waits;
 * the parent releases them together, so the measured parts overlap. The combined rate is all
 * records over the span from the first worker's start to the last worker's last acknowledgement
 * (performance.timeOrigin + performance.now(), comparable across processes on one machine).
 */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { KafkaConnection } from "../config";
import { paths } from "../paths";
import { latencyStats } from "./latency";
import { PRODUCER_LABELS, rates, type BenchRun, type ProducerId } from "./run";
import { deleteTopic, prepareTopic } from "./runners";
import type { Workload } from "./workload";

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
  | { type: "ready" }
  | { type: "done"; run: BenchRun; startEpochMs: number; latencies: number[] }
  | { type: "error"; message: string };

export const WORKER_SCRIPT = path.join(paths.root, "dist", "scripts", "bench-worker.js");

function waitFor<T extends WorkerMessage["type"]>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<WorkerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`a bench worker sent no '${type}' within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMsg = (m: WorkerMessage) => {
      if (m.type === type) done(undefined, m as Extract<WorkerMessage, { type: T }>);
      else if (m.type === "error") done(new Error(`bench worker failed: ${m.message}`));
    };
    const onExit = (code: number | null) => done(new Error(`a bench worker exited (code ${code}) before '${type}'`));
    function done(err?: Error, m?: Extract<WorkerMessage, { type: T }>) {
      clearTimeout(timer);
      child.off("message", onMsg);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on("message", onMsg);
    child.on("exit", onExit);
  });
}

/** `count` processes each sending workload.records records; one combined BenchRun. */
export async function runParallel(producer: ProducerId, count: number, opts: { connection: KafkaConnection; workload: Workload; timeoutMs?: number }): Promise<BenchRun> {
  if (producer === "perf-tool") throw new Error("runParallel: use the Node producers (ProducerPerformance runs as its own JVM)");
  const { connection, workload } = opts;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const topic = `bench-parallel-${producer}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await prepareTopic(connection, workload, topic);
  const job: WorkerJob = { producer, workload, topic, embedded: connection.embedded, bootstrap: connection.securityProtocol === "PLAINTEXT" ? connection.bootstrapServers : undefined };
  const children = Array.from({ length: count }, () => fork(WORKER_SCRIPT, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] }));
  try {
    const ready = children.map((c) => waitFor(c, "ready", 60_000));
    for (const c of children) c.send(job);
    await Promise.all(ready);
    const done = children.map((c) => waitFor(c, "done", timeoutMs));
    for (const c of children) c.send({ type: "go" });
    const results = await Promise.all(done);
    const start = Math.min(...results.map((r) => r.startEpochMs));
    const end = Math.max(...results.map((r) => r.startEpochMs + r.run.wallMs));
    const delivered = results.reduce((s, r) => s + r.run.delivered, 0);
    const wallMs = end - start;
    const first = results[0].run;
    return {
      ...first,
      label: `${PRODUCER_LABELS[producer]} × ${count} processes`,
      topic,
      records: workload.records * count,
      delivered,
      errors: results.reduce((s, r) => s + r.run.errors, 0),
      errorSamples: results.flatMap((r) => r.run.errorSamples).slice(0, 3),
      wallMs,
      ...rates(delivered, workload.recordSize, wallMs),
      latency: latencyStats(results.flatMap((r) => r.latencies)),
      timing: `${count} processes released together after their warm-up; first process's first send to the last acknowledgement in any process; ` + first.timing,
      extra: { ...first.extra, processes: count, per_process_msgs_per_s: results.map((r) => Math.round(r.run.msgsPerSec)).join(" / ") },
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await deleteTopic(connection, topic).catch(() => undefined);
  }
}
