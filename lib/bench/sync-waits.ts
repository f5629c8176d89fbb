/**
 * How the synchronous producer waits for each acknowledgement (SYNC_WAITS), measured side by side:
 * every way waits for the broker's acknowledgement of a message before sending the next, so the
 * fastest is kept as the producer's default without making it less synchronous. Each way runs
 * `repeats` times, round-robin in alternating order, each run on a fresh topic, through the one
 * measuring sequence. CPU is the whole process's (JavaScript and librdkafka's threads) from just
 * before the first measured send to the end of the run: a poll loop buys its speed with CPU, and
 * the table says how much.
 */
import { cpuUsage } from "node:process";
import type { KafkaConnection } from "../config/connection";
import { fmt } from "../core/format";
import { median, maxOf, minOf } from "../core/stats";
import { withFreshTopic } from "../kafka/admin";
import { measureRun, runFigures } from "../producers/measured-run";
import { defaultSyncWait, SYNC_WAITS, SyncProducer, type SyncWait } from "../producers/producer";
import { repeatOrder } from "../core/stats";
import { FLUSH_TIMEOUT_MS, topicOf } from "./framework";
import { messageFactory, oursSettings, type Workload } from "./workload";

export interface SyncWaitSample {
  msgs_per_s: number;
  p50_ms: number;
  /** Process CPU seconds per message, µs. */
  cpu_us_per_msg: number;
}

export interface SyncWaitRow {
  wait: SyncWait;
  runs: number;
  msgs_per_s: number;
  min: number;
  max: number;
  p50_ms: number;
  cpu_us_per_msg: number;
}

export interface SyncWaits {
  records: number;
  repeats: number;
  rows: SyncWaitRow[];
  /** The fastest by median messages per second. */
  fastest: SyncWait;
}

/** The rows and the fastest way from each way's samples (pure). */
export function syncWaitRows(samples: Readonly<Partial<Record<SyncWait, readonly SyncWaitSample[]>>>): {
  rows: SyncWaitRow[];
  fastest: SyncWait;
} {
  const rows = SYNC_WAITS.filter((w) => (samples[w]?.length ?? 0) > 0).map((wait) => {
    const s = samples[wait] ?? [];
    const rates = s.map((x) => x.msgs_per_s);
    return {
      wait,
      runs: s.length,
      msgs_per_s: median(rates),
      min: minOf(rates),
      max: maxOf(rates),
      p50_ms: median(s.map((x) => x.p50_ms)),
      cpu_us_per_msg: median(s.map((x) => x.cpu_us_per_msg)),
    };
  });
  const fastest = [...rows].sort((a, b) => b.msgs_per_s - a.msgs_per_s)[0]?.wait ?? "poll loop";
  return { rows, fastest };
}

function runWait(wait: SyncWait, connection: KafkaConnection, w: Workload, records: number): Promise<SyncWaitSample> {
  return withFreshTopic(connection, topicOf(w, `sync-wait-${wait.replace(/ /g, "-")}`), async (topic) => {
    let cpuStart = cpuUsage();
    const make = messageFactory(w);
    const run = await measureRun(new SyncProducer(connection, topic, oursSettings(w, "sync"), { wait }), {
      records,
      message: make,
      warmupRecords: Math.min(w.warmupRecords, 500),
      chunk: 500,
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
      beforeMeasure: async () => {
        cpuStart = cpuUsage();
      },
    });
    const cpu = cpuUsage(cpuStart);
    if (run.partial) throw run.error ?? new Error(`synchronous wait "${wait}" stopped: ${run.stopReason}`);
    const f = runFigures(run, w.recordSize);
    return { msgs_per_s: f.msgs_per_s, p50_ms: f.latency.p50_ms, cpu_us_per_msg: (cpu.user + cpu.system) / records };
  });
}

export interface SyncWaitOptions {
  connection: KafkaConnection;
  workload: Workload;
  /** Records per run (default 5,000: one at a time, a second or two each). */
  records?: number;
  repeats?: number;
  onProgress?: (message: string) => void;
}

/** Measures every way of waiting, round-robin in alternating order. */
export async function measureSyncWaits(opts: SyncWaitOptions): Promise<SyncWaits> {
  const records = opts.records ?? 5_000;
  const repeats = opts.repeats ?? 3;
  const samples: Partial<Record<SyncWait, SyncWaitSample[]>> = {};
  for (let i = 0; i < repeats; i++) {
    for (const wait of repeatOrder(SYNC_WAITS, i + 1)) {
      const s = await runWait(wait, opts.connection, opts.workload, records);
      (samples[wait] ??= []).push(s);
      opts.onProgress?.(`synchronous waits ${i + 1}/${repeats}: ${wait}: ${fmt(Math.round(s.msgs_per_s))} msgs/s`);
    }
  }
  return { records, repeats, ...syncWaitRows(samples) };
}

/** The comparison as table cells, the header first (text, Markdown). */
export function syncWaitCells(s: SyncWaits): string[][] {
  return [
    ["way of waiting", "msgs/s (median)", "min–max", "p50 ms", "CPU µs/msg"],
    ...s.rows.map((r) => [
      `${r.wait}${r.wait === s.fastest ? " (fastest)" : ""}`,
      fmt(Math.round(r.msgs_per_s)),
      `${fmt(Math.round(r.min))}–${fmt(Math.round(r.max))}`,
      r.p50_ms.toFixed(3),
      r.cpu_us_per_msg.toFixed(1),
    ]),
  ];
}

/** What the comparison shows, and which way the producer keeps. */
export function syncWaitsReading(s: SyncWaits): string {
  const byDefault = defaultSyncWait();
  const kept =
    s.fastest === byDefault
      ? "the synchronous producer's default here"
      : `faster in this run than "${byDefault}", the default for this machine's cores`;
  return (
    `${fmt(s.records)} records one at a time per run, ${s.repeats} run(s) per way in alternating order; each way waits for the broker's ` +
    `acknowledgement of a message before sending the next. Fastest here: "${s.fastest}" (${kept}). CPU is the whole process's ` +
    "(JavaScript and librdkafka's threads) per message over the measured part."
  );
}
