/**
 * The project's performance targets for `npm run bench`, checked against one run (never as timed
 * tests: a busy machine would make them flake). A missed target is reported with its measured
 * ratio, not hidden.
 */
import { fmt, fmtPct } from "../core/format";
import type { HarnessCost } from "./harness-cost";
import { medianRun, type BenchRow } from "./results";
import type { BenchRun, ProducerId } from "./run";

export interface TargetCheck {
  target: string;
  goal: string;
  measured: number;
  met: boolean | null;
  how: string;
}

/** A ratio that must reach `min`; not measured (null) when either side did not run. */
function atLeast(target: string, measured: number, min: number, how: string): TargetCheck {
  return { target, goal: `≥ ${min}`, measured, met: Number.isFinite(measured) ? measured >= min : null, how };
}

/** The performance targets, checked on this run (null = could not be measured). */
export function checkTargets(rows: BenchRow[], runs: BenchRun[], harness?: HarnessCost): TargetCheck[] {
  const row = (id: ProducerId) => rows.find((r) => r.producer === id);
  const a = row("ours-async");
  const ref = row("perf-tool");
  const kjs = row("kafkajs");
  const out: TargetCheck[] = [];
  const ratio = (x?: BenchRow, y?: BenchRow) => (x && y ? x.msgs_per_s / y.msgs_per_s : NaN);
  out.push(
    atLeast(
      "async ≥ 0.9× ProducerPerformance",
      ratio(a, ref),
      0.9,
      "median messages/s of our asynchronous producer / ProducerPerformance's, same workload, same broker, same run",
    ),
    atLeast("async ≥ 3× KafkaJS", ratio(a, kjs), 3, "median messages/s of our asynchronous producer / KafkaJS's"),
  );
  const sync = runs.filter((r) => r.producer === "ours-sync");
  const s = sync.length ? medianRun(sync) : undefined;
  const r3 = s ? Number(s.extra.median_over_rtt) : NaN;
  out.push({
    target: "sync median per message ≤ 1.2× produce rtt",
    goal: "≤ 1.2",
    measured: r3,
    met: Number.isFinite(r3) ? r3 <= 1.2 : null,
    how: s ? syncHow(s) : "synchronous producer not run",
  });
  const h = harness?.abOverhead ?? NaN;
  const hDirect = harness?.directFraction ?? NaN;
  out.push({
    target: "harness cost < 1%",
    goal: "< 1%",
    measured: hDirect,
    met: Number.isFinite(hDirect) ? hDirect < 0.01 : null,
    how: harness
      ? `bookkeeping timed on its own: ${fmtPct(hDirect)} of the measured time (${fmt(harness.directMs, 1)} ms for ${fmt(harness.records)} records); ` +
        `A/B (same loop with vs without it, ${harness.pairs} pairs, median): ${fmtPct(h)}` +
        (Number.isFinite(h) && (h < 0 || Math.abs(h) < harness.abNoise)
          ? ` — ${h < 0 ? "the runs with bookkeeping were faster, so" : "within the run-to-run spread of " + fmtPct(harness.abNoise) + ":"} the A/B ` +
            `difference is machine noise, too coarse to see a cost this small; the direct figure is the measurement`
          : "")
      : "not measured (--harness-pairs 0)",
  });
  return out;
}

/** The synchronous producer's median split into librdkafka's own stages (statistics) and the rest. */
function syncHow(s: BenchRun): string {
  const med = Number(s.extra.median_per_message_ms);
  const rtt = Number(s.extra.rtt_p50_ms);
  const q = Number(s.extra.int_latency_p50_ms);
  const ob = Number(s.extra.outbuf_latency_p50_ms);
  const rest = med - rtt - q - ob;
  return (
    `median produce()→delivery report ${fmt(med, 3)} ms / librdkafka's broker rtt p50 ${fmt(rtt, 3)} ms (request-weighted over ${s.extra.rtt_requests} requests)` +
    (Number.isFinite(q)
      ? `; of the median: internal queue ${fmt(q, 3)} ms + output buffer ${fmt(ob, 3)} ms + rtt ${fmt(rtt, 3)} ms + ${fmt(rest, 3)} ms from the ` +
        `broker's response to the report in JavaScript (and the produce() call)`
      : "")
  );
}
