/**
 * The attribution ladder of our asynchronous producer: where its microseconds per message go.
 *
 * Each rung is the rung above it plus one thing, measured on the same workload through the same
 * measuring sequence (lib/producers/measured-run.ts), the rungs round-robin in alternating order
 * within one run, each run on a fresh topic. A rung's cost per message is 1,000,000 / its median
 * messages per second; the difference to the rung above is what the added thing costs (negative:
 * it saves time). The rungs differ only in how the producer is built (ProducerOptions), so the
 * last rung is exactly the producer notebook 01 and `npm run bench` use.
 */
import type { KafkaConnection } from "../config/connection";
import { fmt, mdTable } from "../core/format";
import { median, maxOf, minOf } from "../core/stats";
import { withFreshTopic } from "../kafka/admin";
import { AggregateProducer } from "../producers/aggregate";
import { measureRun, runFigures } from "../producers/measured-run";
import type { MeasuredClient } from "../producers/base";
import { ASYNC_WINDOW, AsyncProducer } from "../producers/producer";
import { repeatOrder } from "../core/stats";
import { FLUSH_TIMEOUT_MS, topicOf } from "./framework";
import { messageFactory, oursSettings, type Workload } from "./workload";

export type RungId = "produce" | "reports" | "opaque" | "bookkeeping" | "send-order" | "window";

export interface Rung {
  id: RungId;
  label: string;
  /** What this rung adds to the one above, in words. */
  adds: string;
  /** Per-record send and acknowledgement times kept (the recorder's bookkeeping). */
  perRecord: boolean;
  make(connection: KafkaConnection, topic: string, w: Workload): MeasuredClient;
}

/** No window of our own: only librdkafka's queue limit holds send() back (the previous design). */
const NO_WINDOW = Number.POSITIVE_INFINITY;

export const RUNGS: readonly Rung[] = Object.freeze([
  {
    id: "produce",
    label: "produce only",
    adds: "produce() and a final flush(); librdkafka tells JavaScript of failures only (the aggregate-acknowledgement mode, with the queue limit of the rungs below)",
    perRecord: false,
    // librdkafka's queue limit, as the rungs after it have: the ladder changes one thing per rung.
    make: (c, t, w) => new AggregateProducer(c, t, oursSettings(w, "async"), { queueDepth: Number.POSITIVE_INFINITY }),
  },
  {
    id: "reports",
    label: "+ delivery reports",
    adds: "a report per message crosses into JavaScript (an object and an event each) and is counted",
    perRecord: false,
    make: (c, t, w) => new AsyncProducer(c, t, oursSettings(w, "async"), { attribution: "none", window: NO_WINDOW }),
  },
  {
    id: "opaque",
    label: "+ opaque",
    adds: "each produce() carries the record's number, which its report hands back (the previous design's matching)",
    perRecord: false,
    make: (c, t, w) => new AsyncProducer(c, t, oursSettings(w, "async"), { attribution: "opaque", window: NO_WINDOW }),
  },
  {
    id: "bookkeeping",
    label: "+ our bookkeeping",
    adds: "a clock read at each send and each report, kept per record by the DeliveryRecorder (latencies, batch timings)",
    perRecord: true,
    make: (c, t, w) => new AsyncProducer(c, t, oursSettings(w, "async"), { attribution: "opaque", window: NO_WINDOW }),
  },
  {
    id: "send-order",
    label: "send order instead of opaque",
    adds: "reports matched to records by per-partition send order (the producer picks partitions as librdkafka would) instead of the opaque",
    perRecord: true,
    make: (c, t, w) => new AsyncProducer(c, t, oursSettings(w, "async"), { attribution: "send order", window: NO_WINDOW }),
  },
  {
    id: "window",
    label: "+ window: our producer as it ships",
    adds: `backpressure of our own: at most ${fmt(ASYNC_WINDOW)} messages ahead of the reports JavaScript has seen`,
    perRecord: true,
    make: (c, t, w) => new AsyncProducer(c, t, oursSettings(w, "async")),
  },
]);

/** One rung's measurements. */
export interface LadderStep {
  id: RungId;
  label: string;
  adds: string;
  /** Messages per second, one per repeat, in the order run. */
  rates: number[];
  median: number;
  min: number;
  max: number;
  /** 1,000,000 / median: microseconds per message. */
  us_per_msg: number;
  /** us_per_msg minus the rung above's (NaN for the first rung). */
  delta_us: number;
  /** The run-to-run spread in µs per message: 1e6/min − 1e6/max. */
  noise_us: number;
  /** |delta_us| is larger than this rung's and the rung above's spread. */
  beyond_noise: boolean;
  /** Median of the runs' median latencies, ms (NaN for rungs without per-record times). */
  p50_ms: number;
}

/** One rung's run: its rate and median latency. */
export interface RungSample {
  msgs_per_s: number;
  p50_ms: number;
}

export interface Ladder {
  workload: Workload;
  repeats: number;
  steps: LadderStep[];
}

/** The steps from each rung's rates (pure). */
export function ladderSteps(
  samples: Readonly<Partial<Record<RungId, readonly RungSample[]>>>,
  rungs: readonly Rung[] = RUNGS,
): LadderStep[] {
  const steps: LadderStep[] = [];
  for (const rung of rungs) {
    const r = (samples[rung.id] ?? []).map((x) => x.msgs_per_s);
    const med = median(r);
    const us = med > 0 ? 1e6 / med : NaN;
    const noise = 1e6 / minOf(r) - 1e6 / maxOf(r);
    const above = steps[steps.length - 1];
    const delta = above ? us - above.us_per_msg : NaN;
    steps.push({
      id: rung.id,
      label: rung.label,
      adds: rung.adds,
      rates: r,
      median: med,
      min: minOf(r),
      max: maxOf(r),
      us_per_msg: us,
      delta_us: delta,
      noise_us: noise,
      beyond_noise: Number.isFinite(delta) && Math.abs(delta) > Math.max(noise, above?.noise_us ?? 0),
      p50_ms: median((samples[rung.id] ?? []).map((x) => x.p50_ms).filter((x) => Number.isFinite(x))),
    });
  }
  return steps;
}

export interface LadderOptions {
  connection: KafkaConnection;
  workload: Workload;
  /** Runs per rung (default 3). */
  repeats?: number;
  onProgress?: (message: string) => void;
}

/** One rung's run on a fresh topic. */
function runRung(rung: Rung, connection: KafkaConnection, w: Workload): Promise<RungSample> {
  return withFreshTopic(connection, topicOf(w, `ladder-${rung.id}`), async (topic) => {
    const make = messageFactory(w);
    const run = await measureRun(rung.make(connection, topic, w), {
      records: w.records,
      message: make,
      warmupRecords: w.warmupRecords,
      chunk: 1_000,
      perRecord: rung.perRecord,
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
    });
    if (run.partial) throw run.error ?? new Error(`ladder rung "${rung.label}" stopped: ${run.stopReason}`);
    const f = runFigures(run, w.recordSize);
    return { msgs_per_s: f.msgs_per_s, p50_ms: f.latency.p50_ms };
  });
}

/** Measures every rung `repeats` times, round-robin in alternating order. */
export async function measureLadder(opts: LadderOptions): Promise<Ladder> {
  const repeats = opts.repeats ?? 3;
  const samples: Partial<Record<RungId, RungSample[]>> = {};
  for (let i = 0; i < repeats; i++) {
    // Forwards, then backwards, so no rung always runs first or on a warmer machine.
    for (const rung of repeatOrder(RUNGS, i + 1)) {
      const sample = await runRung(rung, opts.connection, opts.workload);
      (samples[rung.id] ??= []).push(sample);
      opts.onProgress?.(`ladder ${i + 1}/${repeats}: ${rung.label}: ${fmt(Math.round(sample.msgs_per_s))} msgs/s`);
    }
  }
  return { workload: opts.workload, repeats, steps: ladderSteps(samples) };
}

const us = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}` : "");
/** A step's Δ, marked when it is within the run-to-run noise. */
const deltaText = (s: LadderStep) => (Number.isFinite(s.delta_us) ? `${signed(s.delta_us)}${s.beyond_noise ? "" : " (noise)"}` : "");
const p50Text = (s: LadderStep) => (Number.isFinite(s.p50_ms) ? s.p50_ms.toFixed(1) : "n/a");

/** The ladder as table cells, the header first (text, Markdown). */
export function ladderCells(l: Ladder): string[][] {
  return [
    ["rung", "msgs/s (median)", "min–max", "µs/msg", "Δ µs/msg", "p50 ms", "adds"],
    ...l.steps.map((s) => [
      s.label,
      fmt(Math.round(s.median)),
      `${fmt(Math.round(s.min))}–${fmt(Math.round(s.max))}`,
      us(s.us_per_msg),
      deltaText(s),
      p50Text(s),
      s.adds,
    ]),
  ];
}

/** The ladder as a Markdown table with its reading. */
export function ladderMarkdown(l: Ladder): string {
  return [mdTable(ladderCells(l)), "", ladderReading(l)].join("\n");
}

/** Where the time goes, in a sentence or two, from the measured steps. */
export function ladderReading(l: Ladder): string {
  const steps = l.steps;
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (!first || !last || !Number.isFinite(first.us_per_msg) || !Number.isFinite(last.us_per_msg))
    return "The ladder has no complete measurement.";
  const costs = steps.slice(1).filter((s) => s.beyond_noise);
  const largest = [...costs].sort((a, b) => b.delta_us - a.delta_us)[0];
  const savings = costs.filter((s) => s.delta_us < 0).map((s) => `"${s.label}" saves ${Math.abs(s.delta_us).toFixed(2)} µs`);
  const noisy = steps
    .slice(1)
    .filter((s) => Number.isFinite(s.delta_us) && !s.beyond_noise)
    .map((s) => `"${s.label}"`);
  return (
    `Each rung adds one thing to the rung above; µs/msg = 1,000,000 / median msgs/s, over ${l.repeats} run(s) per rung in alternating order, ` +
    `and Δ is what the added thing costs per message. Producing alone takes ${us(first.us_per_msg)} µs per message; ` +
    `the producer as it ships takes ${us(last.us_per_msg)} µs. ` +
    (largest && largest.delta_us > 0 ? `The largest cost is "${largest.label}": ${largest.delta_us.toFixed(2)} µs per message. ` : "") +
    (savings.length ? `${savings.join("; ")} per message. ` : "") +
    (noisy.length
      ? `The differences of ${noisy.join(", ")} are within the run-to-run spread (marked "noise"): on this machine they cannot be told from nothing.`
      : "Every difference is larger than the run-to-run spread of the two rungs it compares.")
  );
}
