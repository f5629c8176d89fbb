/**
 * The sentences notebook 06 and `npm run e2e` show, every number computed from the run passed in:
 * the seed's formulas set against the correct ones on this run's own batch timings, the seed's
 * bugs named, the analysis, and the one-screen summary.
 */
import { capitalize, fmt, fmtMs, fmtPct, textTable } from "../core/format";
import { median, medianBy } from "../core/stats";
import type { MethodRow } from "./methods";
import type { ConsumerBatchRow } from "./protocol";
import type { E2eResult } from "./run";

/** The seed's published consumer line: "Overall throughput: 25654176.91 messages/second" over a batch of 0.0194900 s. */
const SEED_PUBLISHED = { throughput: 25_654_176.91, batchSeconds: 0.01949000358581543, cpuPct: [1.0, 0.0] } as const;

export interface FormulaRow {
  figure: string;
  seed_formula: string;
  seed_value: string;
  correct_formula: string;
  correct_value: string;
}

/**
 * The batch the table is computed on: of the full batches after the first (where a cumulative
 * count and a batch's count differ), the one whose throughput is the median one.
 */
function typicalBatch(batches: readonly ConsumerBatchRow[]): ConsumerBatchRow | undefined {
  const size = Math.max(...batches.map((x) => x.messages));
  const full = batches.filter((b) => b.messages === size && b.batch > 1);
  return medianBy(full.length ? full : batches, (b) => b.msgs_per_s);
}

/** The seed consumer's formulas against the correct ones, on one batch of this run and on the whole run. */
export function formulaRows(r: E2eResult): FormulaRow[] {
  const c = r.consumer;
  const b = c && typicalBatch(c.batches);
  if (!c || !b) return [];
  const before = c.batches.filter((x) => x.batch < b.batch).reduce((s, x) => s + x.messages, 0);
  const cumulative = before + b.messages;
  const sinceStart = (c.lastEpochMs - c.startEpochMs) / 1000;
  // The consumer's own rate: received / (last record − first record).
  const overall = c.msgs_per_s;
  const msgs = (x: number) => `${fmt(x)} msgs/s`;
  return [
    {
      figure: `throughput of batch ${b.batch} (cond.py, final)`,
      seed_formula: "total_consumed / batch time: every record so far over this batch's time",
      seed_value: msgs(cumulative / (b.batch_ms / 1000)),
      correct_formula: "the batch's records / batch time",
      correct_value: msgs(b.msgs_per_s),
    },
    {
      figure: "overall throughput (cond.py, initial)",
      seed_formula: "total / (end − start of the loop): includes waiting for the first record",
      seed_value: msgs(c.received / sinceStart),
      correct_formula: "total / (last record − first record)",
      correct_value: msgs(overall),
    },
    {
      figure: "per-message throughput (cond.py, initial)",
      seed_formula: "overall throughput / number of messages (messages per second per message)",
      seed_value: `${fmt(overall / c.received, 4)} "msgs/s"`,
      correct_formula: "time per message = 1 / throughput",
      correct_value: `${fmt(1e6 / overall, 2)} µs per message`,
    },
    {
      figure: `CPU of batch ${b.batch}`,
      seed_formula: "psutil cpu_percent(interval=1.0): sleeps 1 s, measures the sleep",
      seed_value: `${SEED_PUBLISHED.cpuPct.map((x) => fmtPct(x / 100)).join(", ")} in the seed's own output`,
      correct_formula: "process CPU time / wall time over the batch, no sleeping",
      correct_value: `${fmt(b.cpu_pct, 1)}% of one core`,
    },
    {
      figure: `batch ${b.batch}'s time`,
      seed_formula: "from after the previous batch's 1 s sleep: the client kept fetching meanwhile",
      seed_value: "too short (records were already in memory)",
      correct_formula: "previous batch's end to this batch's end",
      correct_value: fmtMs(b.batch_ms, 1),
    },
  ];
}

/** Whether two methods' ranges of throughput overlap (then this run cannot tell them apart). */
const overlap = (a: MethodRow, b: MethodRow) =>
  Math.min(a.msgs_per_s_max, b.msgs_per_s_max) >= Math.max(a.msgs_per_s_min, b.msgs_per_s_min);

/** The seed's bugs, each in a sentence, with this run's evidence where it measured one. */
export function seedBugsMarkdown(r: E2eResult, methods: readonly MethodRow[] = []): string {
  const m = (id: string) => methods.find((x) => x.method === id);
  const [asyncRow, promiseRow, syncRow] = [m("async"), m("promise-per-produce"), m("sync")];
  const published = SEED_PUBLISHED.throughput * SEED_PUBLISHED.batchSeconds;
  const lines = [
    `- **25,654,176 messages/s** is the final cond.py's "throughput of this batch": ${fmt(SEED_PUBLISHED.throughput, 2)} × ${SEED_PUBLISHED.batchSeconds.toFixed(5)} s = ` +
      `${fmt(published)} records, the *cumulative* count, divided by one batch's time. This run's batches give ${formulaRows(r)[0]?.seed_value ?? "n/a"} by that formula.`,
    "- The initial cond.py's **per-message throughput** divides the overall rate by the number of messages: its unit is messages per second per message, which measures nothing.",
    "- `psutil.cpu_percent(interval=1.0)` **sleeps for a second** inside every batch it reports on and measures the CPU of that sleep (hence 0-1%); " +
      "the batch time then starts after the sleep, " +
      "while the client kept fetching, so the next batch comes from memory and looks fast.",
    "- The initial pro.py passes `callback=await delivery_report`: the coroutine is awaited at the call and `None` is passed, so **no delivery is ever reported**; " +
      "`await producer.flush()` awaits an integer and raises TypeError.",
    "- The final pro.py's delivery callback **prints one line per message**: a million lines of output, which the producer's time then includes.",
    "- `replicate()` builds every record in memory (`reader * rfactor`) before the first is sent; this run read the CSV a batch at a time" +
      (r.producer
        ? ` (the file read ${r.producer.csvPasses} time(s), peak RSS ${fmt(r.producer.peakRssMiB, 0)} MiB for ${fmt(r.params.records)} records).`
        : "."),
    "- `len(replicated_data) // BATCH_SIZE` drops the last partial batch: a record count that is not a multiple of the batch size is never fully sent.",
  ];
  if (asyncRow && promiseRow) {
    const ratio = promiseRow.msgs_per_s / asyncRow.msgs_per_s;
    const verdict = overlap(promiseRow, asyncRow)
      ? "within the spread of the repeats: in JavaScript the wrapping costs little, and buys nothing"
      : "beyond the spread of the repeats";
    lines.push(
      `- **asyncio tasks around produce()**, which never blocks, add no concurrency: here a promise around every produce() gave ${fmt(promiseRow.msgs_per_s)} msgs/s ` +
        `(${fmt(promiseRow.msgs_per_s_min)}–${fmt(promiseRow.msgs_per_s_max)}) against ${fmt(asyncRow.msgs_per_s)} ` +
        `(${fmt(asyncRow.msgs_per_s_min)}–${fmt(asyncRow.msgs_per_s_max)}) without: ` +
        `${fmt(ratio, 2)}×, ${verdict}.`,
    );
  }
  if (syncRow && asyncRow) {
    lines.push(
      `- The **older method** (wait for each acknowledgement) sent ${fmt(syncRow.msgs_per_s)} msgs/s over ${fmt(syncRow.records)} records: ` +
        `${fmt(asyncRow.msgs_per_s / syncRow.msgs_per_s, 0)}× slower than the asynchronous producer; a million records would take ` +
        `${fmt(1e6 / syncRow.msgs_per_s / 60, 1)} minutes.`,
    );
  }
  return lines.join("\n");
}

/** Whether every acknowledged record was read back once. */
function checkSentence(r: E2eResult): string {
  const k = r.check;
  const ok = k.lost === 0 && k.duplicates === 0 && k.delivered > 0;
  return ok
    ? `Every one of the ${fmt(k.delivered)} acknowledged records was read back exactly once (checked by sequence number: 0 lost, 0 duplicated).`
    : `⚠️ ${fmt(k.delivered)} records acknowledged, ${fmt(k.distinct)} distinct ones read: ${fmt(k.lost)} lost, ${fmt(k.duplicates)} duplicated.`;
}

/** The check's sentence, after a partial run's warning and reason: the analysis's first line, and notebook 06's after the run. */
export function checkLine(r: E2eResult): string {
  return `${r.partial ? `⚠️ **Partial run** (${r.stopReason}). ` : ""}${checkSentence(r)}`;
}

/** The analysis: throughput of both sides, lag, latency, resources and the Java reference, from this run. */
export function analysisMarkdown(r: E2eResult): string {
  const p = r.producer;
  const c = r.consumer;
  if (!p || !c) return `⚠️ The run stopped before both sides finished (${r.stopReason ?? "unknown"}): nothing to analyse.`;
  const maxLag = c.lag.reduce((m, l) => (l.lag > m.lag ? l : m), { t_ms: 0, lag: 0 });
  const out = [
    checkLine(r),
    "",
    `- **Producer**: ${fmt(p.figures.msgs_per_s)} msgs/s (${fmt(p.figures.mb_per_s, 2)} MB/s) from the first record handed over to the last acknowledgement, ` +
      `reading and preparing each batch from the CSV included; a batch added a median ${fmtMs(median(p.batches.map((b) => b.ack_interval_ms)))}; ` +
      `produce() to acknowledgement p50 ${fmtMs(p.figures.latency.p50_ms)}, p99 ${fmtMs(p.figures.latency.p99_ms)} (queueing behind the records sent before).`,
    `- **Consumer**: ${fmt(c.msgs_per_s)} msgs/s from the first record to the last, counting every record's words and each batch's unique words; ` +
      `a batch of ${fmt(r.params.batchSize)} took a median ${fmtMs(median(c.batches.map((b) => b.batch_ms)))}.`,
    `- **Lag**: at most ${fmt(maxLag.lag)} records behind, ${fmt(maxLag.t_ms / 1000, 1)} s after the first record; ` +
      `${c.lag.length && c.lag[c.lag.length - 1].lag === 0 ? "it caught up completely at the end" : "it had not caught up when sampling stopped"}.`,
    `- **End-to-end latency** (produce() to the consumer holding the record): p50 ${fmtMs(c.latency.p50_ms)}, p99 ${fmtMs(c.latency.p99_ms)}, p99.9 ${fmtMs(c.latency.p999_ms)}, ` +
      `max ${fmtMs(c.latency.max_ms)}. Every record was sent as fast as the producer could, so this is mostly the time a record waited behind others, on both sides.`,
    `- **Resources**: producer ${fmt(p.cpu_pct, 0)}% of one core, peak RSS ${fmt(p.peakRssMiB, 0)} MiB; consumer ${fmt(c.cpu_pct, 0)}% of one core, ` +
      `peak RSS ${fmt(c.peakRssMiB, 0)} MiB ` +
      (r.embedded ? "(both processes and the broker share this machine's cores)." : "(both processes share this machine's cores)."),
  ];
  if (r.java) {
    out.push(
      `- **Java's ConsumerPerformance** read the same ${fmt(r.java.records)} records at ${fmt(r.java.fetch_msgs_per_s)} msgs/s while fetching ` +
        `(${fmt(r.java.msgs_per_s)} with its ${fmt(r.java.rebalance_ms)} ms group join): ${fmt(r.java.fetch_msgs_per_s / c.msgs_per_s, 1)}× ours. ` +
        "It counts records only, after the producer finished; ours counts words while the producer competes for the same cores.",
    );
  } else out.push(`- Java's ConsumerPerformance: not run (${r.javaSkipped ?? "unknown"}).`);
  return out.join("\n");
}

/** The one-screen summary `npm run e2e` prints. */
export function e2eSummary(r: E2eResult, methods: readonly MethodRow[] = []): string {
  const p = r.producer;
  const c = r.consumer;
  const head = [
    `${fmt(r.params.records)} records from ${r.params.csvPath.split("/").pop()} in batches of ${fmt(r.params.batchSize)}, ${r.params.partitions} partitions, to ${r.target.target}`,
  ];
  if (r.partial) head.push(`PARTIAL RUN: ${r.stopReason}`);
  const rows = [["side", "msgs/s", "MB/s", "p50 latency", "p99 latency", "CPU (1 core)", "peak RSS"]];
  if (p)
    rows.push([
      "producer",
      fmt(p.figures.msgs_per_s),
      fmt(p.figures.mb_per_s, 2),
      fmtMs(p.figures.latency.p50_ms),
      fmtMs(p.figures.latency.p99_ms),
      `${fmt(p.cpu_pct, 0)}%`,
      `${fmt(p.peakRssMiB, 0)} MiB`,
    ]);
  if (c)
    rows.push([
      "consumer",
      fmt(c.msgs_per_s),
      "",
      fmtMs(c.latency.p50_ms),
      fmtMs(c.latency.p99_ms),
      `${fmt(c.cpu_pct, 0)}%`,
      `${fmt(c.peakRssMiB, 0)} MiB`,
    ]);
  if (r.java) rows.push(["Java consumer", fmt(r.java.fetch_msgs_per_s), fmt(r.java.fetch_mb_per_s, 2), "", "", "", ""]);
  const out = [...head, "", ...textTable(rows, { indent: "  " }), ""];
  out.push(
    checkSentence(r),
    "Latency: producer = produce() to acknowledgement; consumer = produce() to the record reaching the consumer (end to end).",
  );
  if (methods.length) {
    out.push("", "Producer methods (median msgs/s over the repeats, min–max):");
    for (const m of methods)
      out.push(
        `  ${capitalize(m.label)}: ${fmt(m.msgs_per_s)} (${fmt(m.msgs_per_s_min)}–${fmt(m.msgs_per_s_max)}, ${fmt(m.records)} records × ${m.repeats})`,
      );
  }
  if (!r.java) out.push(`Java ConsumerPerformance: not run (${r.javaSkipped ?? "unknown"}).`);
  return out.join("\n");
}
