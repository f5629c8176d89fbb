/**
 * The sentences notebook 03 shows: each answer is written from the numbers of the run it
 * describes (./analysis.ts), and says so with a ⚠️ when the run does not bear out the expected
 * pattern, so the notebook never states what its own measurements contradict.
 */
import { fmtMs } from "../core/format";
import { arrivalSummary, flushDemoFacts, runStats } from "./analysis";
import type { ExitRun } from "./exit-experiment";
import type { ChildEnding } from "./exit-child";
import type { TimelineRun } from "./timeline";

/** The answer to question 1, computed from the run. */
export function flushDemoMarkdown(run: TimelineRun): string {
  const x = flushDemoFacts(run);
  const held = x.ackedBeforeFlush === 0 && x.consumedBeforeFlush === 0;
  const first = held
    ? `${x.count} messages were produced and then left alone for ${fmtMs(x.waitMs, 0)}: **none** was acknowledged or consumed in that time, because ` +
      `with \`linger.ms=${x.lingerMs}\` librdkafka keeps them in its queue to build a batch.`
    : `⚠️ Before flush() was called, ${x.ackedBeforeFlush} of ${x.count} messages were already acknowledged and ${x.consumedBeforeFlush} consumed, so ` +
      `in this run the queue did not hold them for the whole \`linger.ms=${x.lingerMs}\` (see the chart).`;
  const arrived = x.reportedBeforeReturn
    ? `${x.reportedBeforeReturn} of the ${x.count} delivery reports arrived before flush()'s callback and ${x.reportedAfterReturn}`
    : `all ${x.count} delivery reports arrived`;
  const reports =
    x.reportedAfterReturn === 0
      ? `All ${x.count} delivery reports had reached JavaScript when flush()'s callback ran.`
      : `In JavaScript, ${arrived} after it, the last ${fmtMs(x.lastReportAfterReturnMs, 2)} later: librdkafka serves the reports inside ` +
        "`rd_kafka_flush()`, which this client runs on a worker thread, and the client passes the reports and flush()'s callback to the " +
        "JavaScript thread separately (`ProducerFlush` in its src/workers.cc, `Dispatcher` in src/callbacks.cc), so the callback can come first.";
  const second =
    x.acknowledged === x.count
      ? `Then flush() sent them at once and **returned ${fmtMs(x.flushMs)} later**, once librdkafka's queue was empty, that is once the broker had ` +
        `acknowledged all ${x.count} (\`rd_kafka_flush()\` waits for every outstanding message). ${reports} The consumer had all of them ` +
        `${fmtMs(x.flushToLastConsumedMs)} after flush() was called.`
      : `⚠️ flush() returned after ${fmtMs(x.flushMs)}, but only ${x.acknowledged} of ${x.count} messages were acknowledged (see the chart).`;
  return `${first} ${second}`;
}

/** What the child process said as it ended without flushing: nothing, in the runs this was written for. */
function silence(r: ExitRun): string {
  return r.childStderr
    ? `the process wrote to stderr: "${r.childStderr.split("\n")[0]}".`
    : "the process printed nothing at all: `process.exit()` ends it without destroying the client, so librdkafka never gets to log the " +
        'warning it logs when a producer is destroyed with messages still queued ("Producer terminating with N messages … still in queue or ' +
        'transit: use flush() to wait for outstanding message delivery", `rd_kafka_destroy_app()` in src/rdkafka.c).';
}

/** The answer to question 2, computed from the runs. */
export function exitMarkdown(runs: ExitRun[]): string {
  const how: Record<ChildEnding, string> = {
    exit: "`process.exit()` right after the last `produce()` (no flush, no disconnect)",
    disconnect: "`disconnect()`, then exit (the JavaScript client flushes inside disconnect)",
    flush: "`flush()`, then exit",
  };
  const lines = runs.map(
    (r) =>
      `- ${how[r.ending]}, \`linger.ms=${r.lingerMs}\`: ${r.produced} produced, **${r.onTopic} reached the topic** (${r.consumed} consumed), ` +
      `${r.reportedByChild} delivery reports seen by the process.`,
  );
  const out = [...lines, ""];
  for (const r of runs.filter((x) => x.ending === "exit")) {
    const lost = r.produced - r.onTopic;
    out.push(
      lost > 0
        ? `- Without flush, at \`linger.ms=${r.lingerMs}\`: **${lost} of ${r.produced} lost** (${Math.round((100 * lost) / r.produced)}%). They were ` +
            `still in librdkafka's in-memory queue when the process ended. produce() had returned for every one, no exception was raised, the ` +
            `delivery reports that would have said so never came, and ${silence(r)}`
        : `- Without flush, at \`linger.ms=${r.lingerMs}\`: all ${r.produced} arrived in this run, because librdkafka had sent them in the ` +
            `milliseconds the process took to exit. That is a race, not a guarantee: the process saw ${r.reportedByChild} delivery reports, so it could not know.`,
    );
  }
  const controls = runs.filter((x) => x.ending !== "exit");
  if (controls.length) {
    const kept = controls.every((r) => r.onTopic === r.produced);
    out.push(
      kept
        ? `- With ${[...new Set(controls.map((r) => `\`${r.ending}()\``))].join(" or ")} before exiting, every message arrived, even at \`linger.ms=${controls[0].lingerMs}\`.`
        : `- ⚠️ Even with flush or disconnect some messages were missing (${controls.map((r) => `${r.ending}: ${r.onTopic}/${r.produced}`).join(", ")}).`,
    );
  }
  return out.join("\n");
}

/** The answer to question 3: flush after every record (first run) against one flush at the end (second). */
export function flushCostMarkdown(everyRecord: TimelineRun, once: TimelineRun): string {
  const a = runStats(everyRecord);
  const b = runStats(once);
  const ratio = b.msgs_per_s / a.msgs_per_s;
  const tput =
    ratio > 1
      ? `Flushing after every record sent ${a.messages} messages at **${a.msgs_per_s.toFixed(0)} messages/s**, against ${b.msgs_per_s.toFixed(0)} ` +
        `messages/s with one flush at the end: **${ratio.toFixed(1)}× lower throughput**. ` +
        `Each flush() waits for the broker's acknowledgement before the next record is produced, so every record pays a full round trip and batches ` +
        `hold one message (${a.flushes} flushes, ${a.flushes} round trips).`
      : `⚠️ In this run flushing after every record was **not** slower (${a.msgs_per_s.toFixed(0)} vs ${b.msgs_per_s.toFixed(0)} messages/s); the ` +
        `expectation that it costs throughput does not hold here (a very small count or a busy machine can do this).`;
  const lat =
    a.median_ack_ms < b.median_ack_ms
      ? ` Per message, produce → acknowledgement was a median ${fmtMs(a.median_ack_ms, 2)} with a flush after each, against ` +
        `${fmtMs(b.median_ack_ms, 2)} without: a single record's latency can even be lower, because flush() does not wait for \`linger.ms\`, while ` +
        `without flushes the later records queue behind the earlier ones; the price is paid in throughput, and the producer is blocked for every record.`
      : ` Per message, produce → acknowledgement was a median ${fmtMs(a.median_ack_ms, 2)} with a flush after each, against ` +
        `${fmtMs(b.median_ack_ms, 2)} without: flushing every record costs latency as well as throughput.`;
  return tput + lat;
}

/** The answer to question 4 for one run, in sentences computed from it. */
export function arrivalMarkdown(run: TimelineRun): string {
  const s = runStats(run);
  const a = arrivalSummary(run);
  const linger = run.settings["linger.ms"];
  const head =
    `**${run.label}** (\`linger.ms=${linger}\`, \`acks=${run.settings.acks}\`): ${s.consumed} of ${s.messages} messages consumed, ` +
    `${s.acknowledged} acknowledged, ${s.failed} failed; produce → acknowledgement median ${fmtMs(s.median_ack_ms)}, produce → consume median ` +
    `${fmtMs(s.median_consume_ms)} (at most ${fmtMs(s.max_consume_ms)}).`;
  let body: string;
  if (a.verdict === "immediately") {
    body =
      `All ${a.hadTime} messages that were produced more than \`linger.ms\` before the next flush() reached the consumer **before that flush was ` +
      `called**, so the consumer receives each message practically immediately, not at the flush: ` +
      `librdkafka sends a batch once its oldest message has waited \`linger.ms\` = ${linger} ms (or the batch is full), the broker appends and ` +
      `acknowledges it (\`acks=all\`), and the waiting consumer's fetch returns it.` +
      (a.noTime
        ? ` The other ${a.noTime} were produced less than \`linger.ms\` before a flush(), so that flush sent them a few milliseconds early.`
        : "");
  } else if (a.verdict === "only after a flush") {
    body =
      `**None** of the ${s.messages} messages reached the consumer before the flush() that followed it, although some were produced ` +
      `${fmtMs(a.longestGapMs, 0)} before it: with \`linger.ms\` = ${linger} ms, longer than the time to the next flush, ` +
      `librdkafka holds them to fill a batch, and flush() is what sent them, all at once. The consumer therefore receives them only after (during) the flush.`;
  } else {
    body =
      `${a.beforeFlush} messages arrived before their flush() and ${a.atOrAfterFlush} only during or after ` +
      `it${a.never ? `, ${a.never} never` : ""}; of the ${a.hadTime} that had more than \`linger.ms\` before a flush, ${a.hadTimeBeforeFlush} arrived before it. See the chart.`;
  }
  return `${head} ${body}`;
}

/** Whether the acknowledged offsets of a run rise in production order. */
function inProductionOrder(run: TimelineRun): boolean {
  const offs = run.messages.map((m) => m.offset).filter((o): o is number => o !== null);
  return offs.every((o, i) => i === 0 || o > offs[i - 1]);
}

/** 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, …, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/** "the flush after the 15th record" (one flush, at the end), "the flush after every 5th record", "the flush after every record". */
function flushesOf(run: TimelineRun): string {
  const every = run.plan.flushEvery;
  if (!every || every >= run.plan.count) return `the flush after the ${ordinal(run.plan.count)} record`;
  return every === 1 ? "the flush after every record" : `the flush after every ${ordinal(every)} record`;
}

/** The answer to question 4 from both runs (default linger first, long linger second). */
export function q4Conclusion(defaultLinger: TimelineRun, longLinger: TimelineRun): string {
  const a = arrivalSummary(defaultLinger);
  const b = arrivalSummary(longLinger);
  const sa = runStats(defaultLinger);
  const la = defaultLinger.settings["linger.ms"];
  const lb = longLinger.settings["linger.ms"];
  const flushes = longLinger.events.filter((e) => e.kind === "flush").length;
  const bursts = flushes === 1 ? "in one burst at the flush" : `in ${flushes} bursts, one at each flush`;
  const expected = a.verdict === "immediately" && b.verdict === "only after a flush";
  const head = expected
    ? `**Answer, from these runs: neither "immediately" nor "only after a flush" in general; it depends on \`linger.ms\`.** ` +
      `With librdkafka's default \`linger.ms=${la}\` the consumer received each message about ${Math.round(sa.median_consume_ms)} ms after it was ` +
      `produced, during the pauses and long before ${flushesOf(defaultLinger)}: ` +
      `the pauses only space the messages out, and the flush has almost nothing left to send. With \`linger.ms=${lb}\` the producer held every ` +
      `message until ${flushes === 1 ? "the flush" : "the next flush"}, so the consumer received all ${longLinger.messages.length} ${bursts}, some ` +
      "seconds after they were produced."
    : `⚠️ These runs do not show the expected pattern (default linger: ${a.verdict}; long linger: ${b.verdict}); see the tables and charts above for what happened.`;
  const ordered = inProductionOrder(defaultLinger) && inProductionOrder(longLinger);
  const order = ordered
    ? "Order is kept: every message arrived in the order produced (one partition). "
    : "⚠️ Offsets were not in production order in these runs. ";
  const why =
    " Why: a message becomes visible to a consumer once librdkafka has sent its batch and the broker has appended it to the partition (with " +
    "`acks=all` the broker acknowledges once the in-sync replicas have it; a consumer reads up to that point). " +
    "librdkafka sends a batch when its oldest message has waited `linger.ms` or the batch is full (`batch.num.messages`, `batch.size`), and `flush()` " +
    "only forces the send early. " +
    order +
    "The activity's written answer (the consumer receives messages " +
    '"depending on when the producer calls flush()") therefore holds only when `linger.ms` is longer than the gaps between flushes.';
  return head + why;
}
