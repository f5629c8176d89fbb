/**
 * The sentences notebook 07 and `npm run bench -- --sweep` show, every number computed from the
 * sweep passed in: where the two latencies part, the sustainable rates, publish against
 * end-to-end latency at a rate every producer kept up with, Java's EndToEndLatency, and the answer
 * to "when is the synchronous producer the better choice?".
 */
import { fmt, fmtMs, round } from "../core/format";
import {
  byRate,
  commonRate,
  divergence,
  DIVERGENCE_MIN_MS,
  DIVERGENCE_SHARE,
  firstSaturated,
  fromIntendedMeasured,
  isSaturated,
  publishLatency,
  publishP99,
  SATURATION_TOLERANCE,
  stepAt,
} from "./analysis";
import type { SweepProducer } from "./params";
import type { StepResult } from "./steps";
import type { SweepResult } from "./sweep";

export const PRODUCER_NAMES: Readonly<Record<SweepProducer, string>> = Object.freeze({
  "ours-sync": "our synchronous producer",
  "ours-async": "our asynchronous producer",
  "perf-tool": "Java's ProducerPerformance",
});

const rate = (x: number) => `${fmt(x)} msgs/s`;
/** End-to-end p50 from which (and ten times publish p50) the consumer is taken to be behind. */
const CONSUMER_BEHIND_MS = 100;
/** A latency as the sweep's texts print it: two decimals below 10 ms, whole ms above ("1,108 ms"); "n/a" when not measured. */
export const ms = (x: number): string => fmtMs(x, x < 10 ? 2 : 0);
/** A ratio: one decimal below 10 ("1.4×"), whole above ("12×"). */
const times = (x: number) => `${fmt(x, x < 10 ? 1 : 0)}×`;

/** What the run was: steps, time, target, and whether it is complete. */
export function runSentence(r: SweepResult): string {
  const grid = r.steps.filter((s) => s.probe === "grid").length;
  const search = r.steps.length - grid;
  return (
    `${fmt(r.steps.length)} steps (${fmt(grid)} on the grid, ${fmt(search)} for the search) in ${fmt(r.elapsed_s / 60, 1)} min; ` +
    `target: ${r.target.target}; load average ${r.environment.load_average_1m ?? "n/a"} at the start, on ${r.environment.cores ?? "?"} cores ` +
    `(other work on the machine shows in the figures).` +
    (r.failedSteps.length
      ? ` ${fmt(r.failedSteps.length)} step(s) failed: ${r.failedSteps.map((f) => `${f.producer} @ ${rate(f.rate)}: ${f.error}`).join("; ")}.`
      : "") +
    (r.javaSkipped ? ` Java's ProducerPerformance: ${r.javaSkipped}.` : "") +
    (r.partial ? ` ⚠️ Partial sweep: ${r.stopReason}.` : "")
  );
}

/** Per producer we pace: the rate at which the two latencies part, and the stalls below it. */
export function divergenceMarkdown(r: SweepResult): string {
  const out: string[] = [];
  for (const p of r.producers.filter((x) => x !== "perf-tool")) {
    const all = byRate(r.steps, p);
    if (!all.length) continue;
    const d = divergence(all, p);
    const sat = firstSaturated(all, p);
    const top = all[all.length - 1];
    let line: string;
    if (d) {
      line =
        `**${PRODUCER_NAMES[p]}**: from **${rate(d.offered_per_s)}** the two latencies part. The median record waited ` +
        `${ms(d.send_lag.p50_ms)} to be sent, so p50 from the intended time is ${ms(d.from_intended.p50_ms)} against ` +
        `${ms(d.from_send.p50_ms)} from the send (p99: ${ms(d.from_intended.p99_ms)} against ${ms(d.from_send.p99_ms)}). `;
      line += !sat
        ? `It did not saturate there by the sweep's measure (it delivered within ${round(100 * SATURATION_TOLERANCE, 2)} % of the rate): it kept up only by sending late.`
        : sat.offered_per_s === d.offered_per_s
          ? `That is where it saturated: ${sat.saturation}; it delivered ${rate(sat.achieved_per_s)}.`
          : `It first saturated at ${rate(sat.offered_per_s)} (${sat.saturation}).`;
    } else {
      line =
        `**${PRODUCER_NAMES[p]}**: the two latencies stayed together up to ${rate(top.offered_per_s)}, the highest rate it ran` +
        (sat ? `, although it saturated at ${rate(sat.offered_per_s)} (${sat.saturation}).` : ` (it never saturated).`);
    }
    const below = all.filter((s) => !d || s.offered_per_s < d.offered_per_s);
    const gap = (s: StepResult) => s.from_intended.p99_ms - s.from_send.p99_ms;
    const stall = below.sort((a, b) => gap(b) - gap(a))[0];
    if (stall && gap(stall) >= DIVERGENCE_MIN_MS)
      line +=
        ` ${d ? "Below that" : "Even so"}, at ${rate(stall.offered_per_s)}, p99 from the intended time is ${ms(stall.from_intended.p99_ms)} ` +
        `against ${ms(stall.from_send.p99_ms)} from the send while the medians stay together: records queued behind momentary stalls ` +
        `of the sender, which latency from the send does not see.`;
    else if (stall)
      line +=
        ` ${d ? "Below that" : "At every rate"}, p99 from the intended time stays within ${ms(Math.max(0, gap(stall)))} of p99 from the ` +
        `send: the pacer's timer lateness and the sender's own work.`;
    out.push(`- ${line}`);
  }
  // Java's tool catches up after a warm-up it fell behind in: its measured part then runs faster than offered.
  const caughtUp = byRate(r.steps, "perf-tool").filter((s) => s.achieved_per_s > (1 + SATURATION_TOLERANCE) * s.offered_per_s);
  return (
    out.join("\n") +
    `\n\n*Parting*: the median record waits at least ${DIVERGENCE_MIN_MS} ms to be sent, and at least ${DIVERGENCE_SHARE * 100} % of its latency ` +
    `from the send. Java's ProducerPerformance times only from its own send() call, so the same gap cannot be seen in its figures` +
    (caughtUp.length
      ? `: ${caughtUp.map((s) => `at ${rate(s.offered_per_s)} it delivered ${rate(s.achieved_per_s)}`).join(", ")}, more than offered, ` +
        `because it was behind its schedule when its warm-up ended and caught up; the wait of those records is not in its latency.`
      : ".")
  );
}

/** The sustainable rate of each producer: the table's rows. */
export function sustainableRows(r: SweepResult): Record<string, string | number>[] {
  return r.sustainable.map((s) => {
    const at = r.steps.find((x) => x.producer === s.producer && x.offered_per_s === s.rate);
    return {
      producer: PRODUCER_NAMES[s.producer],
      sustainable_msgs_per_s: s.rate,
      p99_there_ms: at ? publishP99(at) : NaN,
      p99_bound_ms: s.bound_ms,
      fails_at_msgs_per_s: s.fails_at,
      search_probes: s.probes.map((x) => fmt(x)).join(", ") || "none",
      note: s.note || `the limit lies between this rate and ${fmt(s.fails_at)} msgs/s, which did not sustain it`,
    };
  });
}

/** Publish and end-to-end latency of every producer at the rate all of them kept up with. */
export function commonRateRows(r: SweepResult): Record<string, string | number>[] {
  const at = commonRate(r.steps, r.producers);
  if (!Number.isFinite(at)) return [];
  return r.producers.map((p) => {
    const s = stepAt(r.steps, p, at)!;
    return {
      producer: PRODUCER_NAMES[p],
      offered_per_s: at,
      achieved_per_s: s.achieved_per_s,
      publish_p50_ms: publishLatency(s).p50_ms,
      publish_p99_ms: publishP99(s),
      publish_from: fromIntendedMeasured(s) ? "the intended time" : "its send()",
      p99_from_send_ms: s.from_send.p99_ms,
      e2e_p50_ms: s.e2e?.p50_ms ?? NaN,
      e2e_p99_ms: s.e2e?.p99_ms ?? NaN,
    };
  });
}

/** End-to-end next to publish latency, at the common rate, and Java's EndToEndLatency. */
export function endToEndMarkdown(r: SweepResult): string {
  const lines: string[] = [];
  const at = commonRate(r.steps, r.producers);
  if (!r.params.endToEnd) lines.push("No consumer ran alongside (SWEEP_E2E=false): there is no end-to-end latency in this run.");
  else if (!Number.isFinite(at))
    lines.push("No rate of the grid was kept up with by every producer, so there is no common rate to compare at.");
  else {
    lines.push(`At ${rate(at)}, the highest rate of the grid every producer kept up with:`);
    for (const row of commonRateRows(r)) {
      const gap = Number(row.e2e_p99_ms) - Number(row.p99_from_send_ms);
      lines.push(
        `- ${row.producer}: p99 publish ${ms(Number(row.publish_p99_ms))} (from ${row.publish_from}), p99 end-to-end ${ms(Number(row.e2e_p99_ms))}` +
          (Number.isFinite(gap) ? `, ${ms(Math.abs(gap))} ${gap >= 0 ? "more" : "less"} than p99 publish from the send.` : "."),
      );
    }
    lines.push(
      "",
      "End-to-end latency runs from the record's timestamp (set by the producer's client at produce(), in whole ms) to the consumer's " +
        "consume() returning it: it starts at the actual send, like publish latency from the send, and adds the broker's hand-over to the " +
        "fetch and the consumer's own wait. Java's records carry no sequence number, so its end-to-end figures include its warm-up records.",
    );
    const behind = r.producers
      .map((p) => byRate(r.steps, p).find((s) => s.e2e && s.e2e.p50_ms >= CONSUMER_BEHIND_MS && s.e2e.p50_ms >= 10 * s.from_send.p50_ms))
      .filter((s): s is StepResult => s !== undefined);
    if (behind.length)
      lines.push(
        "",
        `The consumer could not keep up from ` +
          behind
            .map((s) => `${rate(s.offered_per_s)} with ${PRODUCER_NAMES[s.producer]} (end-to-end p50 ${ms(s.e2e!.p50_ms)})`)
            .join(", ") +
          `: ` +
          `there, end-to-end latency measures its backlog, not the producer (it shares the machine's cores with the producer and the broker).`,
      );
  }
  const j = r.javaE2e;
  if (j)
    lines.push(
      "",
      `Java's EndToEndLatency (${fmt(j.records)} records of ${fmt(j.recordSize)} B, acks=${j.acks}), one record at a time, so at its own ` +
        `rate of ${rate(j.rate_per_s)}: p50 ${fmt(j.p50_ms)} ms, p99 ${fmt(j.p99_ms)} ms, p99.9 ${fmt(j.p999_ms)} ms, mean ${fmtMs(j.mean_ms, 2)} ` +
        `(from before send() to its consumer's poll() returning the record, whole ms, its first record included).` +
        javaBeside(r, j.rate_per_s),
    );
  else if (r.javaE2eSkipped) lines.push("", `Java's EndToEndLatency: ${r.javaE2eSkipped}.`);
  return lines.join("\n");
}

/** Our synchronous producer's end-to-end latency at the grid rate nearest Java's EndToEndLatency's. */
function javaBeside(r: SweepResult, javaRate: number): string {
  const sync = byRate(r.steps, "ours-sync").filter((s) => s.probe === "grid" && s.e2e && !isSaturated(s));
  if (!sync.length) return "";
  const near = sync.reduce((a, b) =>
    Math.abs(Math.log(b.offered_per_s / javaRate)) < Math.abs(Math.log(a.offered_per_s / javaRate)) ? b : a,
  );
  return ` Our synchronous producer with the consumer alongside, at ${rate(near.offered_per_s)}: end-to-end p50 ${ms(near.e2e!.p50_ms)}, p99 ${ms(near.e2e!.p99_ms)}.`;
}

/** The rates both our producers ran without the synchronous one saturating, with both latencies. */
function syncRange(r: SweepResult): { rate: number; sync: StepResult; async: StepResult }[] {
  return byRate(r.steps, "ours-sync")
    .filter((s) => s.probe === "grid" && !isSaturated(s))
    .map((s) => ({ rate: s.offered_per_s, sync: s, async: stepAt(r.steps, "ours-async", s.offered_per_s) }))
    .filter((x): x is { rate: number; sync: StepResult; async: StepResult } => x.async !== undefined);
}

/** "When is the synchronous producer the better choice?", answered from the run. */
export function analysisMarkdown(r: SweepResult): string {
  if (!r.producers.includes("ours-sync") || !r.producers.includes("ours-async"))
    return "The question needs both of our producers in the sweep (SWEEP_PRODUCERS).";
  const range = syncRange(r);
  const syncSteps = byRate(r.steps, "ours-sync");
  const syncSat = firstSaturated(syncSteps, "ours-sync");
  const sus = (p: SweepProducer) => r.sustainable.find((s) => s.producer === p);
  const out: string[] = [];
  if (!range.length) {
    out.push(
      `The synchronous producer kept up with none of the rates tried (the lowest, ${rate(r.params.rates[0])}, already saturated it), ` +
        `so in this run it is never the better choice: lower rates would be needed to find where it is.`,
    );
    return out.join("\n");
  }
  const lower50 = range.filter((x) => x.sync.from_intended.p50_ms < x.async.from_intended.p50_ms);
  const lower99 = range.filter((x) => x.sync.from_intended.p99_ms < x.async.from_intended.p99_ms);
  const lowerE2e = range.filter((x) => x.sync.e2e && x.async.e2e && x.sync.e2e.p99_ms < x.async.e2e.p99_ms);
  const top = range[range.length - 1];
  const list = (xs: typeof range) => (xs.length ? xs.map((x) => fmt(x.rate)).join(", ") + " msgs/s" : "none");
  out.push(
    `The synchronous producer kept up with ${range.length === 1 ? "one rate" : `${range.length} rates`} of the grid, up to ${rate(top.rate)}. ` +
      `At those rates, latency from the intended time (what a record's source waits), synchronous against asynchronous:`,
    "",
    "| offered | sync p50 | async p50 | sync p99 | async p99 | sync e2e p99 | async e2e p99 |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...range.map(
      (x) =>
        `| ${fmt(x.rate)} | ${ms(x.sync.from_intended.p50_ms)} | ${ms(x.async.from_intended.p50_ms)} | ${ms(x.sync.from_intended.p99_ms)} | ` +
        `${ms(x.async.from_intended.p99_ms)} | ${x.sync.e2e ? ms(x.sync.e2e.p99_ms) : "n/a"} | ${x.async.e2e ? ms(x.async.e2e.p99_ms) : "n/a"} |`,
    ),
    "",
    `- Its median is lower at ${lower50.length} of ${range.length} (${list(lower50)}); its p99 at ${lower99.length} of ${range.length} ` +
      `(${list(lower99)})` +
      (r.params.endToEnd ? `; its end-to-end p99 at ${lowerE2e.length} of ${range.length} (${list(lowerE2e)}).` : "."),
    `- The asynchronous producer's records wait up to linger.ms = ${r.params.lingerMs} ms to be batched; the synchronous producer sends each ` +
      `at once with linger.ms = 0, but has one record in flight, so a stall delays every record behind it (its p99 shows that, not its median).`,
  );
  if (syncSat)
    out.push(
      `- From ${rate(syncSat.offered_per_s)} it cannot keep up: ${syncSat.saturation}; it delivered ${rate(syncSat.achieved_per_s)}, and p99 ` +
        `from the intended time was ${ms(syncSat.from_intended.p99_ms)} (${ms(syncSat.from_send.p99_ms)} from the send, which hides the backlog).`,
    );
  const sSync = sus("ours-sync");
  const sAsync = sus("ours-async");
  // The asynchronous producer's sustainable rate over the synchronous one's (NaN: either unknown).
  const sustainedRatio = sSync && sAsync ? sAsync.rate / sSync.rate : NaN;
  if (sSync && sAsync && Number.isFinite(sustainedRatio))
    out.push(
      `- Sustainable with p99 ≤ ${r.params.p99BoundMs} ms: ${rate(sSync.rate)} synchronous, ${rate(sAsync.rate)} asynchronous ` +
        `(${times(sustainedRatio)}).`,
    );
  // The rates from the lowest up at which its median stays lower: where a record's own latency favours it.
  const firstNot = range.findIndex((x) => !(x.sync.from_intended.p50_ms < x.async.from_intended.p50_ms));
  const ahead = firstNot === -1 ? range : range.slice(0, firstNot);
  const tailToo = ahead.every((x) => x.sync.from_intended.p99_ms < x.async.from_intended.p99_ms);
  const upTo = ahead.length ? ahead[ahead.length - 1].rate : NaN;
  const span = (xs: number[]) => (xs.length === 1 ? ms(xs[0]) : `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`);
  // Where it stops keeping up; without that, the highest rate it ran (every rate tried, kept up with).
  const syncTop = syncSteps[syncSteps.length - 1].offered_per_s;
  const asyncBetter =
    `the asynchronous producer is the better choice` +
    (sustainedRatio > 1
      ? ` (it sustained ${times(sustainedRatio)} the synchronous producer's rate with p99 ≤ ${r.params.p99BoundMs} ms)`
      : "");
  out.push(
    "",
    ahead.length
      ? `**So, in this run:** the synchronous producer is the better choice for a record's own latency at rates up to about ${rate(upTo)}: ` +
          `its median from the intended time was ${span(ahead.map((x) => x.sync.from_intended.p50_ms))} against ` +
          `${span(ahead.map((x) => x.async.from_intended.p50_ms))}` +
          (tailToo ? ", and its p99 was lower too" : ", though not its p99, which every stall of the one record in flight reaches") +
          `. It is also the choice when each record must be acknowledged before the next is sent. ` +
          (firstNot !== -1 ? `From ${rate(range[firstNot].rate)} its median is no longer lower; ` : "") +
          (syncSat
            ? `${firstNot !== -1 ? "from" : "From"} ${rate(syncSat.offered_per_s)} it cannot keep up at all, and ${asyncBetter}.`
            : `${firstNot !== -1 ? "it" : "It"} kept up at every rate tried, up to ${rate(syncTop)}, so this run does not show where it stops keeping up.`)
      : `**So, in this run:** the synchronous producer's median latency was not lower even at the lowest rate tried, ${rate(range[0].rate)}; ` +
          `it is the better choice only when each record must be acknowledged before the next is sent` +
          (syncSat
            ? `, and then only below ${rate(syncSat.offered_per_s)}.`
            : ` (it kept up at every rate tried, up to ${rate(syncTop)}).`),
  );
  return out.join("\n");
}

/** The command's closing lines: every step, the sustainable rates, the divergence, the answer. */
export function commandReport(r: SweepResult): string[] {
  const stepsText = r.producers.flatMap((p) => byRate(r.steps, p)).map((s) => `  ${stepText(s)}`);
  const sus = sustainableRows(r).map((x) => {
    const at = Number(x.sustainable_msgs_per_s);
    return `  ${x.producer}: ${Number.isFinite(at) ? `${fmt(at)} msgs/s, p99 ${ms(Number(x.p99_there_ms))}` : "none"} (bound: p99 ≤ ${x.p99_bound_ms} ms); ${x.note}`;
  });
  return [
    runSentence(r),
    "",
    "Steps (latency = p50 / p99 / p99.9 / max from the intended time; Java's tool: from its send()):",
    ...stepsText,
    "",
    "Sustainable rates:",
    ...sus,
    "",
    divergenceMarkdown(r),
    "",
    endToEndMarkdown(r),
    "",
    analysisMarkdown(r),
  ];
}

function stepText(s: StepResult): string {
  const l = publishLatency(s);
  return (
    `${PRODUCER_NAMES[s.producer].padEnd(32)} ${fmt(s.offered_per_s).padStart(9)} offered ${fmt(s.achieved_per_s).padStart(9)} achieved  ` +
    `${[l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms].map(ms).join(" / ")}` +
    (s.e2e ? `  e2e p99 ${ms(s.e2e.p99_ms)}` : "") +
    (s.probe === "search" ? "  (search)" : "") +
    (s.saturated ? `  SATURATED: ${s.saturation}` : "")
  );
}
