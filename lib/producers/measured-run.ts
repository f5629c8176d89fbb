/**
 * The one measuring sequence, used by notebook 01's benchmark and by every `npm run bench` driver:
 * connect, send the warm-up records and flush them, then send the measured records in chunks,
 * flush, disconnect. The client only sends; this times and records.
 *
 * What the timing includes: t0 is taken just before the first measured record is handed to the
 * client; the wall time runs to the last acknowledgement reaching JavaScript. Connecting and the
 * warm-up are not in it. Warm-up and measured records go into two DeliveryRecorders, switched
 * after the warm-up's flush, so no warm-up report can count as measured.
 *
 * A run never throws away what it measured: an abort signal, failing deliveries or an exception
 * stop it early, and it comes back marked partial, with delivered + failed = sent (records still
 * unacknowledged when it gave up count as failed).
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { NO_LATENCY, type LatencySummary } from "../core/latency";
import { DeliveryRecorder } from "../core/recorder";
import type { StatisticsRecorder } from "../core/statistics";
import { now } from "../core/time";
import { throughput } from "../core/units";
import type { Settings } from "../kafka/client";
import type { MeasuredClient, OutgoingMessage } from "./base";

export interface RunProgress {
  phase: "warm-up" | "measuring" | "done";
  /** Measured chunks handed over so far, of `chunks`. */
  chunk: number;
  chunks: number;
  acknowledged: number;
  total: number;
  elapsedMs: number;
}

export interface RunPlan {
  /** Measured records. */
  records: number;
  /** Measured record i (0-based); or give chunkOf. */
  message?(i: number): OutgoingMessage;
  /**
   * The measured records first .. first+count-1, for a lazy source (a streamed file) that cannot
   * hand out record i on its own; used instead of message() when given. Not timed.
   */
  chunkOf?(first: number, count: number): Promise<readonly OutgoingMessage[]>;
  /** Records sent and flushed before timing starts (default 0). */
  warmupRecords?: number;
  /** Warm-up record i; default message(i mod records). */
  warmupMessage?(i: number): OutgoingMessage;
  /** Records handed to the client per send() call; notebook 01's batches. */
  chunk: number;
  /** Keep per-record times (latency, batch timings); default true. */
  perRecord?: boolean;
  /** The bound on each flush (warm-up and final). */
  flushTimeoutMs: number;
  signal?: AbortSignal;
  /** Stop at the first failed delivery (default true: a failing target is not worth timing). */
  stopOnFailure?: boolean;
  /** Awaited after the warm-up, just before timing starts (parallel runs use it as a start barrier). */
  beforeMeasure?(): Promise<void>;
  onProgress?(e: RunProgress): void;
}

/** One send() call: which records, when it started and when it returned (performance.now()). */
export interface Chunk {
  first: number;
  count: number;
  start: number;
  handedOver: number;
}

export interface MeasuredRun {
  settings: Settings;
  /** Measured records planned. */
  records: number;
  /** Measured records handed to the client. */
  sent: number;
  recorder: DeliveryRecorder;
  warmupRecorder: DeliveryRecorder;
  chunks: Chunk[];
  warmupChunks: Chunk[];
  /** performance.now() when timing started. */
  t0: number;
  /** t0 to the last acknowledgement, ms (0 when none came). */
  wallMs: number;
  /** Sent but neither delivered nor failed when the run ended. */
  unacknowledged: number;
  partial: boolean;
  stopReason?: string;
  /** The exception that stopped the run, if one did. */
  error?: unknown;
  statistics?: StatisticsRecorder;
  extra: Record<string, number | string>;
}

type ChunkSource = (first: number, count: number) => readonly OutgoingMessage[] | Promise<readonly OutgoingMessage[]>;

/** Records first .. first+count-1 of a record-at-a-time source, as one group for a send() call (this sequence's, the paced one's). */
export function messagesOf(make: (i: number) => OutgoingMessage, first: number, count: number): OutgoingMessage[] {
  const out: OutgoingMessage[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = make(first + i);
  return out;
}

/** A chunk source from a record-at-a-time one. */
function chunksOf(make: (i: number) => OutgoingMessage): ChunkSource {
  return (first, count) => messagesOf(make, first, count);
}

/** Hands records first .. first+total-1 to the client in chunks; stops early when shouldStop() says so. */
async function sendChunks(
  client: MeasuredClient,
  source: ChunkSource,
  total: number,
  chunk: number,
  shouldStop: () => boolean,
  onChunk: (c: Chunk, index: number) => void,
): Promise<number> {
  let sent = 0;
  for (let first = 0, index = 0; first < total; first += chunk, index++) {
    if (shouldStop()) break;
    const count = Math.min(chunk, total - first);
    const messages = await source(first, count);
    const start = now();
    const n = await client.send(messages, first, shouldStop);
    sent += n;
    if (n > 0) onChunk({ first, count: n, start, handedOver: now() }, index);
    if (n < count) break;
    // Let delivery reports that arrived meanwhile be timed now, not after the next chunk.
    await yieldToEventLoop();
  }
  return sent;
}

/**
 * When a sequence that sends through a recorder (this one, the paced one) stops sending: aborted()
 * on an interrupt; shouldStop() also at the first failed delivery unless the plan says otherwise. A
 * failure in the warm-up counts too: a failing target is not worth timing.
 */
export function stopRule(
  plan: Pick<RunPlan, "signal" | "stopOnFailure">,
  warmupRecorder: DeliveryRecorder,
  recorder: DeliveryRecorder,
): { aborted: () => boolean; shouldStop: () => boolean } {
  const aborted = () => plan.signal?.aborted ?? false;
  const stopOnFailure = plan.stopOnFailure ?? true;
  return { aborted, shouldStop: () => aborted() || (stopOnFailure && warmupRecorder.failed + recorder.failed > 0) };
}

/** A run's wall time: t0 to the last acknowledgement, ms (0 when none came). */
export function wallTimeMs(recorder: DeliveryRecorder, t0: number): number {
  return Number.isFinite(recorder.lastAckAt) ? recorder.lastAckAt - t0 : 0;
}

/**
 * How a run ended, for every sequence that sends through a recorder (this one, the paced one): records
 * sent but never acknowledged (noted among the errors; they count as failed), and why the run
 * stopped early, if it did: the exception, the interrupt, or the first failed delivery.
 */
export function runEnding(
  recorder: DeliveryRecorder,
  warmupRecorder: DeliveryRecorder,
  sent: number,
  error: unknown,
  aborted: boolean,
): { unacknowledged: number; stopReason?: string } {
  const unacknowledged = Math.max(0, sent - recorder.acknowledged);
  if (unacknowledged > 0) recorder.errors.push(`${unacknowledged} messages still unacknowledged when the run stopped`);
  let stopReason: string | undefined;
  if (error !== undefined) stopReason = error instanceof Error ? error.message : String(error);
  if (aborted) stopReason ??= "interrupted";
  if (!stopReason && warmupRecorder.failed + recorder.failed > 0)
    stopReason = `delivery failed: ${recorder.errors[0] ?? warmupRecorder.errors[0] ?? "unknown error"}`;
  return { unacknowledged, stopReason };
}

/** Runs the sequence on a client; never rejects for a failure of the run itself (see MeasuredRun). */
export async function measureRun(client: MeasuredClient, plan: RunPlan): Promise<MeasuredRun> {
  const perRecord = plan.perRecord ?? true;
  const warmN = plan.warmupRecords ?? 0;
  const warmupRecorder = new DeliveryRecorder({ capacity: warmN, perRecord });
  const recorder = new DeliveryRecorder({ capacity: plan.records, perRecord });
  const chunks: Chunk[] = [];
  const warmupChunks: Chunk[] = [];
  const { aborted, shouldStop } = stopRule(plan, warmupRecorder, recorder);
  const totalChunks = Math.ceil(plan.records / plan.chunk);
  let t0 = now();
  let sent = 0;
  let error: unknown;
  const progress = (phase: RunProgress["phase"], chunk: number) =>
    plan.onProgress?.({
      phase,
      chunk,
      chunks: totalChunks,
      acknowledged: recorder.acknowledged,
      total: plan.records,
      elapsedMs: now() - t0,
    });

  const recordAt = (i: number): OutgoingMessage => {
    if (!plan.message) throw new Error("measureRun: a plan needs message() for warm-up records or without chunkOf");
    return plan.message(i);
  };
  client.useRecorder(warmupRecorder);
  try {
    await client.connect();
    if (warmN > 0) {
      const make = plan.warmupMessage ?? ((i: number) => recordAt(i % plan.records));
      await sendChunks(client, chunksOf(make), warmN, plan.chunk, aborted, (c) => warmupChunks.push(c));
      await client.flush(plan.flushTimeoutMs);
    }
    progress("warm-up", 0);
    // A statistics emission after the warm-up: the baseline the measured counters start from.
    await client.statistics?.next(1_000);
    await plan.beforeMeasure?.();
    client.useRecorder(recorder);
    t0 = now();
    client.statistics?.start(t0);
    const source = plan.chunkOf ? (first: number, count: number) => plan.chunkOf!(first, count) : chunksOf(recordAt);
    sent = await sendChunks(client, source, plan.records, plan.chunk, shouldStop, (c, i) => {
      chunks.push(c);
      progress("measuring", i + 1);
    });
    await client.flush(aborted() ? 2_000 : plan.flushTimeoutMs);
  } catch (e) {
    error = e;
  } finally {
    await client.statistics?.next(300); // the final counters
    await client.disconnect();
  }
  const { unacknowledged, stopReason } = runEnding(recorder, warmupRecorder, sent, error, aborted());
  const wallMs = wallTimeMs(recorder, t0);
  progress("done", chunks.length);
  return {
    settings: client.settings,
    records: plan.records,
    sent,
    recorder,
    warmupRecorder,
    chunks,
    warmupChunks,
    t0,
    wallMs,
    unacknowledged,
    partial: stopReason !== undefined || sent < plan.records,
    stopReason,
    error,
    statistics: client.statistics,
    extra: client.extra?.() ?? {},
  };
}

/**
 * The figures every report shows for one run, under the same names everywhere (notebook 01's
 * summary, `npm run bench`'s table, their CSV and JSON): MB = 10^6 bytes of payload.
 */
export interface RunFigures {
  sent: number;
  delivered: number;
  /** Failed deliveries plus records still unacknowledged when the run stopped. */
  failed: number;
  wall_s: number;
  msgs_per_s: number;
  mb_per_s: number;
  latency: LatencySummary;
}

export function runFigures(run: MeasuredRun, payloadBytesPerRecord: number): RunFigures {
  const r = run.recorder;
  return {
    sent: run.sent,
    delivered: r.delivered,
    failed: r.failed + run.unacknowledged,
    wall_s: run.wallMs / 1000,
    ...throughput(r.delivered, r.delivered * payloadBytesPerRecord, run.wallMs),
    latency: r.perRecord ? r.latencySummary() : { ...NO_LATENCY },
  };
}
