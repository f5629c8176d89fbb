/**
 * The sentences notebook 02 shows about its demonstrations, written from the measured rows (every
 * number comes from the run in front of the reader). Prose lives here, out of demos.ts's runners.
 */
import { EXIT_CODES } from "../core/errors";
import { fmt, fmtMs } from "../core/format";
import type { PollFlushRow, ShutdownDemo } from "./demos";

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
  if (pollIdle)
    out.push(
      `- With \`linger.ms=3000\` nothing had been sent yet, so poll(1000 ms) found nothing to serve and blocked for its **whole timeout** ` +
        `(${fmtMs(pollIdle.blocked_ms)}, ${pollIdle.callbacks_served} served).`,
    );
  if (flushLinger)
    out.push(
      `- flush() then sent the held messages at once, without waiting for \`linger.ms\`, and returned after ${fmtMs(flushLinger.blocked_ms)} with ` +
        `${flushLinger.returned.split(" ")[0]} still in the queue.`,
    );
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
