/**
 * The sentences notebook 02 shows about its demonstrations, written from the measured rows (every
 * number comes from the run in front of the reader). Prose lives here, out of demos.ts's runners.
 */
import { EXIT_CODES } from "../core/errors";
import { fmt, fmtMs } from "../core/format";
import { DEMO_LINGER_MS, IDLE_POLL_MS, type PollFlushRow, type ShutdownDemo } from "./demos";
import type { ConsumedPurchase, ConsumerRunResult } from "./example-consumer";
import type { ProducerRunResult } from "./example-producer";

/** The poll/flush findings in sentences, from demoPollAndFlush's rows. */
export function pollFlushMarkdown(rows: PollFlushRow[]): string {
  const [, poll10, flush10, pollIdle, flushLinger] = rows;
  const out: string[] = [];
  if (poll10)
    out.push(
      `- poll with a 10 000 ms bound returned after **${fmtMs(poll10.blocked_ms)}**, having served ${poll10.callbacks_served} delivery callback(s): ` +
        `the timeout is an upper bound, not a sleep.`,
    );
  if (flush10)
    out.push(
      `- flush afterwards returned ${flush10.returned.split(" ")[0]} (nothing left in the queue) after ${fmtMs(flush10.blocked_ms)}, serving the ` +
        `remaining ${flush10.callbacks_served} callback(s).`,
    );
  const linger = `\`linger.ms=${DEMO_LINGER_MS}\``;
  if (pollIdle) {
    const idle = pollIdle.callbacks_served === 0 && pollIdle.blocked_ms >= IDLE_POLL_MS;
    out.push(
      idle
        ? `- With ${linger} nothing had been sent yet, so poll(${IDLE_POLL_MS} ms) found nothing to serve and blocked for its **whole timeout** ` +
            `(${fmtMs(pollIdle.blocked_ms)}, ${pollIdle.callbacks_served} served).`
        : `- ⚠️ With ${linger}, poll(${IDLE_POLL_MS} ms) was expected to find nothing to serve and block for its whole timeout, but it returned ` +
            `after ${fmtMs(pollIdle.blocked_ms)} having served ${pollIdle.callbacks_served} callback(s).`,
    );
  }
  if (flushLinger) {
    const still = flushLinger.returned.split(" ")[0];
    // linger.ms would have sent the held messages by itself this long after flush() began.
    const lingerLeftMs = DEMO_LINGER_MS - (pollIdle?.blocked_ms ?? 0);
    const atOnce = Number(still) === 0 && flushLinger.callbacks_served > 0 && flushLinger.blocked_ms < lingerLeftMs;
    out.push(
      atOnce
        ? `- flush() then sent the held messages at once, without waiting for \`linger.ms\`, and returned after ${fmtMs(flushLinger.blocked_ms)} with ` +
            `${still} still in the queue.`
        : `- ⚠️ flush() returned after ${fmtMs(flushLinger.blocked_ms)} with ${still} still in the queue, having served ` +
            `${flushLinger.callbacks_served} callback(s): this run does not show it sending the held messages before ${linger} would have.`,
    );
  }
  return out.join("\n");
}

/** The graceful-shutdown demonstration in sentences. */
export function shutdownMarkdown(d: ShutdownDemo): string {
  const stop = d.log.find((e) => e.event === "shutdown");
  const produced = typeof stop?.produced === "number" ? stop.produced : NaN;
  const lost = produced - d.onTopic;
  const ok = d.exitCode === EXIT_CODES.interrupted && stop !== undefined && lost === 0 && d.failed === 0;
  return (
    `SIGINT (Ctrl-C) was sent ${fmt(d.signalAfterMs)} ms after the first delivery. The producer ` +
    `${stop ? `stopped after **${produced}** messages, flushed them and disconnected` : "**did not log a shutdown**"}; ` +
    `${d.delivered} delivery reports said delivered, ${d.failed} failed, the topic holds **${d.onTopic}**, and the exit code was ${d.exitCode}. ` +
    (ok ? "Nothing that was produced was lost." : "⚠️ This run does not show a clean shutdown; see the log above.")
  );
}

/**
 * What the consumer read back of a producer run, in a sentence: how many of the delivered
 * messages, and whether every one has the key and value that were sent to its partition and
 * offset (false when nothing was read back: there is then nothing to vouch for).
 */
export function readBackMarkdown(run: Pick<ProducerRunResult, "delivered" | "deliveries">, back: ConsumerRunResult): string {
  const sent = (m: ConsumedPurchase) =>
    run.deliveries.some((d) => d.ok && d.partition === m.partition && d.offset === m.offset && d.key === m.key && d.value === m.value);
  const same = back.messages.length > 0 && back.messages.every(sent);
  const all = back.messages.length === run.delivered;
  return (
    `Read back **${back.messages.length}** of the ${run.delivered} messages (stopped: ${back.stoppedBecause}); key and value identical to what ` +
    `was sent for every one: **${same}**. The key is the user id, the value the product.` +
    (same && all ? "" : " ⚠️ This run does not show every message read back as it was sent.")
  );
}

/**
 * The shutdown demo's log as the notebook prints it: every line that is not a delivery, the first
 * `deliveries` delivery lines, in time order, then how many delivery lines were left out.
 */
export function shutdownLogExcerpt(d: ShutdownDemo, deliveries = 2): string[] {
  const delivered = d.log.filter((e) => e.event === "delivered");
  const shown = d.log
    .filter((e) => e.event !== "delivered")
    .concat(delivered.slice(0, deliveries))
    .sort((a, b) => a.time.localeCompare(b.time));
  const left = delivered.length - Math.min(deliveries, delivered.length);
  return [...shown.map((e) => JSON.stringify(e)), `… (${left} more "delivered" lines)`];
}
