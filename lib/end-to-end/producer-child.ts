/**
 * The study's producer process (run.ts forks this file's compiled sibling): reads the CSV a batch
 * at a time, replicated to the job's record count, and sends it with one of three methods, on the
 * one measuring sequence (lib/producers/measured-run.ts, no warm-up: the seed times the whole run):
 *
 *   async                our asynchronous producer: produce() without waiting, flush at the end
 *   sync                 the seed's "older method": our synchronous producer, one ack at a time
 *   promise-per-produce  the seed's asyncio version: every produce() wrapped in a task of its own,
 *                        250 awaited together, as `asyncio.create_task(produce(...))` + gather
 *
 * Each record's key is its sequence number (so the consumer can tell lost from duplicated) and its
 * timestamp is set by the client at produce() (the end-to-end latency's start, in ms).
 */
import type { KafkaConnection } from "../config/connection";
import { now } from "../core/time";
import { chunkTimings } from "../producers/chunks";
import { measureRun, runFigures, type MeasuredRun } from "../producers/measured-run";
import type { MeasuredClient, OutgoingMessage } from "../producers/base";
import { AsyncProducer, SyncProducer } from "../producers/producer";
import { stopExporter } from "../monitoring/exporter";
import { childMain, connectionOf, ResourceMeter, sendToParent } from "./child";
import { ReplicatedRows, wordCount } from "./data";
import type { ProducerBatchRow, ProducerJob, ProducerMessage, ProducerSide, ResourceSample } from "./protocol";

/** The seed's MAX_TASKS: how many produce() tasks it gathers at a time. */
const TASKS_PER_GATHER = 250;

/** The asynchronous producer, every produce() in a promise of its own (what wrapping a non-blocking call in a task costs). */
class PromisePerProduceProducer extends AsyncProducer {
  private async produceOne(msg: OutgoingMessage, seq: number): Promise<void> {
    while (!this.tryProduce(msg, seq)) await this.nextReport(10);
  }

  async send(messages: readonly OutgoingMessage[], firstSeq: number, shouldStop?: () => boolean): Promise<number> {
    for (let i = 0; i < messages.length; i += TASKS_PER_GATHER) {
      if (shouldStop?.()) return i;
      const group = messages.slice(i, i + TASKS_PER_GATHER);
      await Promise.all(group.map((m, k) => this.produceOne(m, firstSeq + i + k)));
    }
    return messages.length;
  }
}

function clientFor(job: ProducerJob, connection: KafkaConnection): MeasuredClient {
  if (job.method === "sync") return new SyncProducer(connection, job.topic);
  if (job.method === "promise-per-produce") return new PromisePerProduceProducer(connection, job.topic);
  return new AsyncProducer(connection, job.topic);
}

/** Per batch: the words it carried and the process's resources while it was handed over. */
interface BatchExtras {
  words: number[];
  resources: ResourceSample[];
}

function batchRows(run: MeasuredRun, extras: BatchExtras): ProducerBatchRow[] {
  let acknowledged = 0;
  let completion = 0;
  return chunkTimings(run)
    .filter((t) => !t.warmup)
    .map((t) => {
      acknowledged += t.delivered;
      if (Number.isFinite(t.ack_interval_ms)) completion += t.ack_interval_ms;
      const r = extras.resources[t.index] ?? { cpu_pct: NaN, rss_mib: NaN };
      return {
        batch: t.index + 1,
        messages: t.messages,
        words: extras.words[t.index] ?? 0,
        start_ms: t.start_ms,
        handover_ms: t.handover_ms,
        elapsed_ms: t.elapsed_ms,
        ack_interval_ms: t.ack_interval_ms,
        msgs_per_s: t.ack_interval_ms > 0 ? t.messages / (t.ack_interval_ms / 1000) : NaN,
        cumulative_msgs_per_s: completion > 0 ? acknowledged / (completion / 1000) : NaN,
        cpu_pct: r.cpu_pct,
        rss_mib: r.rss_mib,
      };
    });
}

/** Runs one producer job and returns what it measured. */
async function produceJob(
  job: ProducerJob,
  signal: AbortSignal,
  report: (m: ProducerMessage) => void = () => undefined,
): Promise<ProducerSide> {
  const connection = connectionOf(job.target);
  const rows = new ReplicatedRows(job.csvPath, job.textColumn);
  const extras: BatchExtras = { words: [], resources: [] };
  const meter = new ResourceMeter();
  let bytes = 0;
  let lastReport = -Infinity;
  try {
    const run = await measureRun(clientFor(job, connection), {
      records: job.records,
      chunkOf: async (first, count) => {
        const texts = await rows.next(count);
        let w = 0;
        const out = texts.map((text, i) => {
          w += wordCount(text);
          const value = Buffer.from(text);
          bytes += value.length;
          return { key: String(first + i), value };
        });
        extras.words.push(w);
        return out;
      },
      chunk: job.batchSize,
      flushTimeoutMs: 120_000,
      signal,
      onProgress: (e) => {
        if (e.phase === "measuring") extras.resources[e.chunk - 1] = meter.sample();
        if (e.phase !== "done" && now() - lastReport < 250) return;
        lastReport = now();
        report({ type: "progress", acknowledged: e.acknowledged, total: e.total, elapsedMs: e.elapsedMs });
      },
    });
    const figures = runFigures(run, bytes / Math.max(1, run.sent));
    return {
      method: job.method,
      figures,
      batches: batchRows(run, extras),
      t0EpochMs: performance.timeOrigin + run.t0,
      partial: run.partial,
      stopReason: run.stopReason,
      errors: run.recorder.errors.slice(0, 5),
      peakRssMiB: ResourceMeter.peakRssMiB(),
      cpu_pct: meter.cpuPctSinceStart(),
      csvPasses: rows.passes,
    };
  } finally {
    await rows.close();
  }
}

if (require.main === module) {
  childMain<ProducerJob>(async (job, signal) => {
    const side = await produceJob(job, signal, (m) => void sendToParent(m));
    await sendToParent({ type: "done", side } satisfies ProducerMessage);
    await stopExporter(); // with MONITORING on, after Prometheus took the last figures
  });
}
