/**
 * One producer process of a parallel run (./parallel.ts forks this file's compiled sibling):
 * receives a job over IPC, warms up, says "ready", waits for "go", runs, sends the result back and
 * exits. With MONITORING on, its exporter's final counts are scraped before it reports (after the
 * report the parent may end it at once); the run's timing is unaffected.
 */
import { performance } from "node:perf_hooks";
import { localConnection, loadConnection } from "../../config/connection";
import { stopExporter } from "../../monitoring/exporter";
import { RUNNERS } from "./index";
import type { WorkerJob, WorkerMessage } from "./parallel";

function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(m, undefined, undefined, () => resolve()));
}

process.once("message", async (job: WorkerJob) => {
  try {
    const connection = job.bootstrap ? localConnection(job.bootstrap, job.embedded) : loadConnection();
    let startEpochMs = NaN;
    let latencies: number[] = [];
    const run = await RUNNERS[job.producer]({
      connection,
      workload: job.workload,
      topic: job.topic,
      keepLatencies: (ms) => (latencies = Array.from(ms)),
      beforeMeasure: async () => {
        const go = new Promise<void>((resolve) => process.once("message", () => resolve()));
        await send({ type: "ready" });
        await go;
        startEpochMs = performance.timeOrigin + performance.now();
      },
    });
    await stopExporter();
    await send({ type: "done", run, startEpochMs, latencies });
    process.exit(0);
  } catch (e) {
    await send({ type: "error", message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
});
// Never outlive a parent that went away.
process.on("disconnect", () => process.exit(1));
