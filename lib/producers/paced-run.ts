/**
 * The paced sender: records offered at a fixed rate, the way a real source produces them, instead
 * of as fast as the client takes them (measured-run.ts's closed loop). It drives any
 * MeasuredClient (our synchronous and asynchronous producers alike) through the same sequence:
 * connect, a paced warm-up into its own DeliveryRecorder, flush, the paced measured step into a
 * fresh one, flush, disconnect. The client only sends; this schedules, times and records.
 *
 * The schedule (rate > 0): record i of a step is intended to be handed over at t0 + i × 1000 / rate
 * ms, t0 being performance.now() when the step starts. A step of `durationMs` holds
 * floor(rate × durationMs / 1000) records, all due before t0 + durationMs. The sender may finish
 * them within a grace of 2% of the step (at least 20 ms), so that a sender on schedule is not cut
 * off by its last timer's lateness; nothing is handed over after that, and records not sent by
 * then are counted as `missed` (a sender more than 2% of the step behind). The intended times live
 * here, one Float64Array by sequence number; the recorder keeps the actual send and
 * acknowledgement times.
 *
 * Sending: the pacer sleeps until the next record is due (a timer: about 0.1 ms late when that is
 * 1 ms or more away; closer than 1 ms it sleeps 1 ms) and then hands every record already due to
 * the client in one send() call (at most maxGroup), so 100,000 records/s take about 1,000 calls a
 * second, not 100,000 timers. A sender that falls behind sends its backlog as fast as the client
 * takes it, and the time it was behind stays in the figures.
 *
 * Three figures per delivered record, from the monotonic clock; "ack" is when its delivery report
 * reaches JavaScript:
 * - latency from the intended time (ack − intended): everything a record's source waits for:
 *   the pacer's timer lateness, the sender being busy with earlier records (a synchronous producer
 *   waiting for the previous acknowledgement, an asynchronous one waiting for room to queue it),
 *   librdkafka's queue and linger.ms, the produce request and the broker's acknowledgement (acks),
 *   and the report's way back to JavaScript. A stalled sender cannot hide its own delay
 *   (coordinated omission).
 * - latency from the send (ack − the record's first produce() attempt): the DeliveryRecorder's
 *   latency, what every other study reports; it leaves out the time the record waited to be sent.
 * - send lag (first produce() attempt − intended): the difference of the two.
 * Missed records have no latency; theirs would exceed every recorded one, so once a sender cannot
 * keep up, the percentiles from the intended time are a lower bound.
 *
 * rate 0 means as fast as possible: no schedule (each record's intended time is its send), records
 * in groups of maxGroup until durationMs or maxRecords, whichever comes first.
 *
 * Like measureRun, a run never throws away what it measured: an abort signal, failing deliveries or
 * an exception stop it early and it comes back marked partial (delivered + failed = sent).
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { LatencyRecorder, type LatencySummary } from "../core/latency";
import { DeliveryRecorder, OUTCOME } from "../core/recorder";
import { now, sleep } from "../core/time";
import { throughput } from "../core/units";
import { messagesOf, runEnding, stopRule, wallTimeMs, type MeasuredRun, type RunPlan } from "./measured-run";
import type { MeasuredClient, OutgoingMessage } from "./base";

/** The share of a step a paced sender may run over to finish its schedule (at least SEND_GRACE_MIN_MS). */
export const SEND_GRACE = 0.02;
export const SEND_GRACE_MIN_MS = 20;

/** A step's records: floor(rate × duration), computed so that e.g. 0.1/s × 30 s gives 3, not 2. */
export function scheduledRecords(rate: number, durationMs: number): number {
  if (!(rate > 0) || !(durationMs > 0)) return 0;
  return Math.floor((rate * durationMs) / 1000 + 1e-9);
}

/** How long after t0 a step may hand records over: its length, plus the grace when paced. */
export function sendWindowMs(rate: number, durationMs: number): number {
  return rate > 0 ? durationMs + Math.max(SEND_GRACE_MIN_MS, SEND_GRACE * durationMs) : durationMs;
}

/** Record i's intended send time, ms after t0. */
export function intendedOffset(rate: number, i: number): number {
  return (i * 1000) / rate;
}

/** Every record's intended send time (performance.now() ms). */
export function intendedTimes(t0: number, rate: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = t0 + intendedOffset(rate, i);
  return out;
}

/** How many of a step's `count` records are due `elapsedMs` after t0 (intended time ≤ elapsed). */
export function dueCount(rate: number, elapsedMs: number, count: number): number {
  if (!(elapsedMs >= 0) || count <= 0) return 0;
  let due = Math.min(count, Math.floor((elapsedMs * rate) / 1000) + 1);
  // The estimate can be one off by rounding; settle it on the same arithmetic as intendedOffset.
  while (due < count && intendedOffset(rate, due) <= elapsedMs) due++;
  while (due > 0 && intendedOffset(rate, due - 1) > elapsedMs) due--;
  return due;
}

export interface PacedProgress {
  phase: "warm-up" | "measuring" | "done";
  /** Records of the measured step handed over so far, of `scheduled`. */
  sent: number;
  scheduled: number;
  /** How overdue the oldest record due but not yet sent is, ms (0: on schedule). */
  behindMs: number;
}

/** The sequence's options shared with measureRun (flush bound, abort, failures, start barrier), and the pacing. */
export interface PacedPlan extends Pick<RunPlan, "flushTimeoutMs" | "signal" | "stopOnFailure" | "beforeMeasure"> {
  /** Records per second; 0 = as fast as possible. */
  rate: number;
  /** The measured step's length, ms. */
  durationMs: number;
  /** A paced warm-up at the same rate before it, ms (its own recorder, flushed before measuring; default 0). */
  warmupMs?: number;
  /** Record i of the measured step. */
  message(i: number): OutgoingMessage;
  /** Warm-up record i (default message(i)). */
  warmupMessage?(i: number): OutgoingMessage;
  /** rate 0: the most records a step sends (default 1,000,000). */
  maxRecords?: number;
  /** At most this many records per send() call (default 1,000). */
  maxGroup?: number;
  onProgress?(e: PacedProgress): void;
}

/** What a paced run reports: measureRun's account of a run (recorders, t0, wall time, partial), and the schedule's. */
export interface PacedRun extends Pick<
  MeasuredRun,
  "settings" | "sent" | "recorder" | "warmupRecorder" | "t0" | "wallMs" | "unacknowledged" | "partial" | "stopReason" | "error" | "extra"
> {
  rate: number;
  durationMs: number;
  /** Records the step's schedule holds (rate 0: maxRecords). */
  scheduled: number;
  /** Due within the step but not sent by its end (grace included; 0 for rate 0). */
  missed: number;
  /** Intended send time per record (performance.now() ms); for rate 0, the actual first send. */
  intended: Float64Array;
  /** send() calls of the step. */
  groups: number;
  /** At the step's end (grace included), how overdue the first record never sent was, ms (0 when every record was sent). */
  behindAtEndMs: number;
}

interface Schedule {
  rate: number;
  count: number;
  t0: number;
  /** Intended times (rate > 0). */
  intended?: Float64Array;
  /** Nothing is handed over from this moment on. */
  deadline: number;
  make(i: number): OutgoingMessage;
}

/** Hands records over as they come due, in groups; returns how many were sent and in how many calls. */
async function paceSends(
  client: MeasuredClient,
  s: Schedule,
  maxGroup: number,
  shouldStop: () => boolean,
  signal: AbortSignal | undefined,
  onGroup: (sent: number) => void,
): Promise<{ sent: number; groups: number }> {
  const stop = () => shouldStop() || now() >= s.deadline;
  let sent = 0;
  let groups = 0;
  while (sent < s.count && !stop()) {
    let end = Math.min(s.count, sent + maxGroup);
    if (s.intended) {
      const wait = s.intended[sent] - now();
      if (wait > 0) {
        await sleep(Math.min(wait, s.deadline - now()), signal);
        continue;
      }
      end = Math.min(dueCount(s.rate, now() - s.t0, s.count), sent + maxGroup);
    }
    const messages = messagesOf(s.make, sent, end - sent);
    const n = await client.send(messages, sent, stop);
    sent += n;
    groups++;
    onGroup(sent);
    if (n < messages.length) break;
    // Let delivery reports that arrived meanwhile be timed now, not after the next group.
    await yieldToEventLoop();
  }
  return { sent, groups };
}

/** How overdue the first unsent record is at time t (0 when none is due). */
function behind(s: Schedule, sent: number, t: number): number {
  return s.intended && sent < s.count ? Math.max(0, t - s.intended[sent]) : 0;
}

function schedule(rate: number, durationMs: number, maxRecords: number, make: (i: number) => OutgoingMessage): Schedule {
  const t0 = now();
  const count = rate > 0 ? scheduledRecords(rate, durationMs) : maxRecords;
  return {
    rate,
    count,
    t0,
    intended: rate > 0 ? intendedTimes(t0, rate, count) : undefined,
    deadline: t0 + sendWindowMs(rate, durationMs),
    make,
  };
}

/** Runs the paced sequence on a client; never rejects for a failure of the run itself (see PacedRun). */
export async function pacedRun(client: MeasuredClient, plan: PacedPlan): Promise<PacedRun> {
  const maxGroup = plan.maxGroup ?? 1_000;
  const maxRecords = plan.maxRecords ?? 1_000_000;
  const warmupMs = plan.warmupMs ?? 0;
  const capacity = plan.rate > 0 ? scheduledRecords(plan.rate, plan.durationMs) : maxRecords;
  const warmupCapacity = plan.rate > 0 ? scheduledRecords(plan.rate, warmupMs) : warmupMs > 0 ? maxRecords : 0;
  const warmupRecorder = new DeliveryRecorder({ capacity: warmupCapacity });
  const recorder = new DeliveryRecorder({ capacity });
  const { aborted, shouldStop } = stopRule(plan, warmupRecorder, recorder);
  let step: Schedule | undefined;
  let sent = 0;
  let groups = 0;
  let behindAtEndMs = 0;
  let error: unknown;
  let lastProgress = -Infinity;
  const progress = (phase: PacedProgress["phase"], force = false) => {
    if (!plan.onProgress || (!force && now() - lastProgress < 250)) return;
    lastProgress = now();
    plan.onProgress({
      phase,
      sent,
      scheduled: capacity,
      behindMs: step ? behind(step, sent, now()) : 0,
    });
  };

  client.useRecorder(warmupRecorder);
  try {
    await client.connect();
    if (warmupCapacity > 0) {
      const warm = schedule(plan.rate, warmupMs, warmupCapacity, plan.warmupMessage ?? plan.message);
      await paceSends(client, warm, maxGroup, aborted, plan.signal, () => progress("warm-up"));
      await client.flush(plan.flushTimeoutMs);
    }
    progress("warm-up", true);
    await plan.beforeMeasure?.();
    client.useRecorder(recorder);
    step = schedule(plan.rate, plan.durationMs, maxRecords, plan.message);
    const s = step;
    const r = await paceSends(client, s, maxGroup, shouldStop, plan.signal, (n) => {
      sent = n;
      progress("measuring");
    });
    sent = r.sent;
    groups = r.groups;
    behindAtEndMs = behind(s, sent, Math.min(now(), s.deadline));
    await client.flush(aborted() ? 2_000 : plan.flushTimeoutMs);
  } catch (e) {
    error = e;
  } finally {
    await client.disconnect();
  }
  const t0 = step?.t0 ?? now();
  const scheduled = step?.count ?? capacity;
  const { unacknowledged, stopReason } = runEnding(recorder, warmupRecorder, sent, error, aborted());
  const interruptedEarly = stopReason !== undefined;
  progress("done", true);
  return {
    settings: client.settings,
    rate: plan.rate,
    durationMs: plan.durationMs,
    scheduled,
    sent,
    // A step stopped by an error or an interrupt did not miss its records: it was cut short.
    missed: plan.rate > 0 && !interruptedEarly ? scheduled - sent : 0,
    intended: step?.intended ?? recorder.sentAt.slice(),
    recorder,
    warmupRecorder,
    groups,
    t0,
    wallMs: wallTimeMs(recorder, t0),
    behindAtEndMs,
    unacknowledged,
    partial: interruptedEarly,
    stopReason,
    error,
    extra: client.extra?.() ?? {},
  };
}

/** What a paced step reports, under the same names everywhere (the sweep's table, its JSON and CSV). */
export interface PacedFigures {
  /** The rate asked for (NaN for rate 0). */
  offered_per_s: number;
  /** Delivered records over t0 → the last acknowledgement. */
  achieved_per_s: number;
  scheduled: number;
  sent: number;
  delivered: number;
  /** Failed deliveries plus records still unacknowledged when the run stopped. */
  failed: number;
  missed: number;
  wall_s: number;
  from_intended: LatencySummary;
  from_send: LatencySummary;
  send_lag: LatencySummary;
  behind_at_end_ms: number;
}

/** The step's figures; latencies over its delivered records. */
export function pacedFigures(run: PacedRun): PacedFigures {
  const r = run.recorder;
  const fromIntended = new LatencyRecorder();
  const fromSend = new LatencyRecorder();
  const lag = new LatencyRecorder();
  for (let i = 0; i < run.sent && i < r.capacity; i++) {
    if (r.outcome[i] !== OUTCOME.delivered) continue;
    fromIntended.record(r.ackAt[i] - run.intended[i]);
    fromSend.record(r.ackAt[i] - r.sentAt[i]);
    lag.record(r.sentAt[i] - run.intended[i]);
  }
  return {
    offered_per_s: run.rate > 0 ? run.rate : NaN,
    achieved_per_s: throughput(r.delivered, 0, run.wallMs).msgs_per_s,
    scheduled: run.scheduled,
    sent: run.sent,
    delivered: r.delivered,
    failed: r.failed + run.unacknowledged,
    missed: run.missed,
    wall_s: run.wallMs / 1000,
    from_intended: fromIntended.summary(),
    from_send: fromSend.summary(),
    send_lag: lag.summary(),
    behind_at_end_ms: run.behindAtEndMs,
  };
}
