/** Integration: one small flush() timeline on the embedded broker, every message timed end to end. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config/connection";
import { runStats, runTimeline, type TimelineRun } from "../../lib/flush-semantics";

const connection = loadConnection({});
let run: TimelineRun;

before(async () => {
  await ensureBroker();
  run = await runTimeline({
    connection,
    label: "integration: 5 messages, one flush",
    plan: { count: 5 },
    topicPrefix: "test-flush-semantics",
  });
});

test("every message is acknowledged and consumed, in the order produced", () => {
  assert.deepEqual(
    run.messages.map((m) => m.n),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(
    run.events.map((e) => [e.kind, e.afterMessage]),
    [["flush", 5]],
  );
  for (const m of run.messages) {
    assert.equal(m.error, null, `message ${m.n}: ${m.error}`);
    assert.ok(m.ackedAt !== null, `message ${m.n} acknowledged`);
    assert.ok(m.consumedAt !== null, `message ${m.n} consumed`);
  }
  const offsets = run.messages.map((m) => m.offset as number);
  assert.ok(
    offsets.every((o, i) => i === 0 || o === offsets[i - 1] + 1),
    `consecutive offsets: ${offsets.join(", ")}`,
  );
  const s = runStats(run);
  assert.deepEqual([s.messages, s.acknowledged, s.consumed, s.failed, s.flushes], [5, 5, 5, 0, 1]);
});

test("the times are in order: produced ≤ acknowledged, produced ≤ consumed, within the flush's bound", () => {
  let previous = run.t0;
  for (const m of run.messages) {
    assert.ok(m.producedAt >= previous, `message ${m.n} produced after message ${m.n - 1}`);
    assert.ok(m.producedAt <= (m.ackedAt as number), `message ${m.n}: produced ≤ acknowledged`);
    assert.ok(m.producedAt <= (m.consumedAt as number), `message ${m.n}: produced ≤ consumed`);
    previous = m.producedAt;
  }
  const flush = run.events[0];
  assert.ok(flush.start >= run.messages[4].producedAt && flush.end >= flush.start, "the flush follows the last produce()");
  assert.ok(
    run.messages.every((m) => (m.ackedAt as number) <= flush.end + 1),
    "flush() returns once every message is acknowledged",
  );
  assert.ok(run.spanMs > 0 && Number.isFinite(run.spanMs));
});
