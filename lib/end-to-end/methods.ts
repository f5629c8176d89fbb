/**
 * What each of the seed's ways of producing costs, measured side by side: our asynchronous
 * producer, the seed's "older method" (one acknowledgement at a time, on a slice: a million would
 * take minutes) and its asyncio version (a promise around every produce()). Each method runs in a
 * producer process of its own on a topic of its own, repeated round-robin with the order
 * alternating, so a slow minute of the machine hits every method alike.
 */
import type { KafkaConnection } from "../config/connection";
import { medianBy, spread } from "../core/stats";
import type { E2eParams } from "./params";
import type { ProducerMethod, ProducerSide } from "./protocol";
import { runProducerMethod } from "./run";

const METHODS: readonly ProducerMethod[] = ["async", "promise-per-produce", "sync"];

const METHOD_LABELS: Readonly<Record<ProducerMethod, string>> = Object.freeze({
  async: "asynchronous: produce(), flush() at the end (ours)",
  "promise-per-produce": "a promise around every produce(), 250 awaited together (the seed's asyncio tasks)",
  sync: "one acknowledgement at a time (the seed's older method)",
});

export interface MethodRow {
  method: ProducerMethod;
  label: string;
  records: number;
  repeats: number;
  /** Median over the repeats, with the spread. */
  msgs_per_s: number;
  msgs_per_s_min: number;
  msgs_per_s_max: number;
  /** Of the median run: produce() to acknowledgement. */
  latency_p50_ms: number;
  cpu_pct: number;
  peak_rss_mib: number;
  failed: number;
}

/** Every method `repeats` times (order alternating between rounds); one row per method. */
export async function compareProducerMethods(
  connection: KafkaConnection,
  params: E2eParams,
  opts: { repeats?: number; signal?: AbortSignal; onRun?: (method: ProducerMethod, side: ProducerSide) => void } = {},
): Promise<MethodRow[]> {
  const repeats = opts.repeats ?? 3;
  const runs = new Map<ProducerMethod, ProducerSide[]>(METHODS.map((m) => [m, []]));
  for (let round = 0; round < repeats && !opts.signal?.aborted; round++) {
    const order = round % 2 === 0 ? METHODS : [...METHODS].reverse();
    for (const method of order) {
      if (opts.signal?.aborted) break;
      const records = method === "sync" ? Math.min(params.syncRecords, params.methodRecords) : params.methodRecords;
      const side = await runProducerMethod(connection, params, method, records, opts.signal);
      runs.get(method)!.push(side);
      opts.onRun?.(method, side);
    }
  }
  return METHODS.filter((m) => runs.get(m)!.length > 0).map((method) => {
    const sides = runs.get(method)!;
    const rates = spread(sides.map((s) => s.figures.msgs_per_s));
    // The run whose rate is the median one (the lower middle); the first if none has a rate.
    const median = medianBy(sides, (s) => s.figures.msgs_per_s) ?? sides[0];
    return {
      method,
      label: METHOD_LABELS[method],
      records: median.figures.sent,
      repeats: sides.length,
      msgs_per_s: rates.median,
      msgs_per_s_min: rates.min,
      msgs_per_s_max: rates.max,
      latency_p50_ms: median.figures.latency.p50_ms,
      cpu_pct: median.cpu_pct,
      peak_rss_mib: median.peakRssMiB,
      failed: sides.reduce((s, x) => s + x.figures.failed, 0),
    };
  });
}
