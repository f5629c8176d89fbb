/** Unit: notebook 02's sentences about its demonstrations, from hand-made measurements (no broker). */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEMO_LINGER_MS,
  IDLE_POLL_MS,
  pollFlushMarkdown,
  readBackMarkdown,
  shutdownLogExcerpt,
  type ConsumerRunResult,
  type ExampleDelivery,
  type LogEntry,
  type PollFlushRow,
  type ShutdownDemo,
} from "../../lib/getting-started";

function row(call: string, returned: string, blocked_ms: number, callbacks_served: number): PollFlushRow {
  return { call, python: "", returned, blocked_ms, callbacks_served };
}

/** The five rows demoPollAndFlush measures, with the last two (the linger.ms=3000 case) given. */
function rows(pollIdle: PollFlushRow, flushLinger: PollFlushRow): PollFlushRow[] {
  return [
    row("client.poll()", "the producer itself (for chaining)", 0.01, 0),
    row("poll(10000 ms) after 3 produce()", "3 (callbacks served)", 4.2, 3),
    row("flush(10000 ms) afterwards", "0 (still in queue)", 0.3, 0),
    pollIdle,
    flushLinger,
  ];
}

test("poll and flush with linger.ms: the claims are made only when the measured rows bear them out", () => {
  assert.equal(DEMO_LINGER_MS, 3000);
  assert.equal(IDLE_POLL_MS, 1000);
  const idle = row("poll(1000 ms) with linger.ms=3000", "0 (callbacks served)", 1003.4, 0);
  const quickFlush = row("flush(10000 ms) with linger.ms=3000", "0 (still in queue)", 6.1, 3);
  const good = pollFlushMarkdown(rows(idle, quickFlush));
  assert.match(good, /poll with a 10 000 ms bound returned after \*\*4\.2 ms\*\*/);
  assert.match(
    good,
    /With `linger\.ms=3000` nothing had been sent yet, so poll\(1000 ms\) found nothing to serve and blocked for its \*\*whole timeout\*\* \(1,003\.4 ms, 0 served\)\./,
  );
  assert.match(
    good,
    /flush\(\) then sent the held messages at once, without waiting for `linger\.ms`, and returned after 6\.1 ms with 0 still in the queue\./,
  );
  assert.ok(!good.includes("⚠️"), good);

  // poll served callbacks (something had been sent), and so returned early: not its whole timeout.
  const served = pollFlushMarkdown(rows(row("poll", "3 (callbacks served)", 12, 3), row("flush", "0 (still in queue)", 0.2, 0)));
  assert.doesNotMatch(served, /whole timeout\*\*|sent the held messages at once/);
  assert.match(
    served,
    /⚠️ With `linger\.ms=3000`, poll\(1000 ms\) was expected to find nothing to serve and block for its whole timeout, but it returned after 12\.0 ms having served 3 callback\(s\)\./,
  );
  assert.match(
    served,
    /⚠️ flush\(\) returned after 0\.2 ms with 0 still in the queue, having served 0 callback\(s\): this run does not show it sending the held messages/,
  );
  // Nothing served, but the timeout not reached: not "its whole timeout".
  assert.match(
    pollFlushMarkdown(rows(row("poll", "0 (callbacks served)", 999, 0), quickFlush)),
    /⚠️ With `linger\.ms=3000`, poll\(1000 ms\)/,
  );
  // flush() took as long as linger.ms had left (3000 − 1003.4 ms), or left messages queued: no "at once".
  for (const flush of [
    row("flush", "0 (still in queue)", 2_000, 3),
    row("flush", "1 (still in queue), flush: Local: Timed out", 10_000, 2),
  ]) {
    const md = pollFlushMarkdown(rows(idle, flush));
    assert.doesNotMatch(md, /sent the held messages at once/);
    assert.match(md, /⚠️ flush\(\) returned after [\d,.]+ ms with [01] still in the queue/);
  }
});

const delivery = (offset: number, key: string, value: string, ok = true): ExampleDelivery => ({
  seq: offset,
  topic: "t",
  key,
  value,
  ok,
  partition: 0,
  offset,
  at: 0,
});

test("the read-back sentence vouches for the messages only when every one was read back as sent", () => {
  const run = { delivered: 2, deliveries: [delivery(5, "jsmith", "book"), delivery(6, "eabara", "batteries")] };
  const back = (messages: [number, string, string][]): ConsumerRunResult => ({
    topic: "t",
    messages: messages.map(([offset, key, value]) => ({ topic: "t", partition: 0, offset, key, value, at: 0 })),
    stoppedBecause: messages.length === 2 ? "max" : "timeout",
    exitCode: 0,
  });
  const all = readBackMarkdown(
    run,
    back([
      [5, "jsmith", "book"],
      [6, "eabara", "batteries"],
    ]),
  );
  assert.equal(
    all,
    "Read back **2** of the 2 messages (stopped: max); key and value identical to what was sent for every one: **true**. " +
      "The key is the user id, the value the product.",
  );
  const none = readBackMarkdown(run, back([]));
  assert.match(
    none,
    /Read back \*\*0\*\* of the 2 messages \(stopped: timeout\); key and value identical to what was sent for every one: \*\*false\*\*/,
  );
  assert.match(none, /⚠️/);
  assert.match(
    readBackMarkdown(
      run,
      back([
        [5, "jsmith", "gift card"],
        [6, "eabara", "batteries"],
      ]),
    ),
    /\*\*false\*\*.*⚠️/,
  );
  const some = readBackMarkdown(run, back([[5, "jsmith", "book"]]));
  assert.match(
    some,
    /Read back \*\*1\*\* of the 2 messages .*\*\*true\*\*.* ⚠️ This run does not show every message read back as it was sent\./,
  );
  const failed = { delivered: 1, deliveries: [delivery(5, "jsmith", "book", false)] };
  assert.match(readBackMarkdown(failed, back([[5, "jsmith", "book"]])), /\*\*false\*\*/, "a failed delivery is not what was sent");
});

test("the shutdown log excerpt: every line but the deliveries, the first deliveries, in time order, and a count of the rest", () => {
  const entry = (time: string, event: string): LogEntry => ({ time, level: "info", event, message: event });
  const log = [
    entry("2026-01-01T00:00:00.000Z", "start"),
    entry("2026-01-01T00:00:00.020Z", "delivered"),
    entry("2026-01-01T00:00:00.040Z", "delivered"),
    entry("2026-01-01T00:00:00.060Z", "delivered"),
    entry("2026-01-01T00:00:00.050Z", "shutdown"),
    entry("2026-01-01T00:00:00.070Z", "delivered"),
  ];
  const demo: ShutdownDemo = { command: "node x", exitCode: 130, signalAfterMs: 1500, log, delivered: 4, failed: 0, onTopic: 4 };
  const lines = shutdownLogExcerpt(demo, 2);
  assert.deepEqual(
    lines.slice(0, -1).map((l) => (JSON.parse(l) as LogEntry).time.slice(-4)),
    ["000Z", "020Z", "040Z", "050Z"],
  );
  assert.equal(lines.at(-1), '… (2 more "delivered" lines)');
  assert.equal(shutdownLogExcerpt({ ...demo, log: log.slice(0, 2), delivered: 1 }).at(-1), '… (0 more "delivered" lines)');
});
