/** Unit: the flush() experiments' plans and the numbers and answers read from hand-made runs (no broker). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/core/errors";
import {
  arrivals,
  arrivalSummary,
  exitMarkdown,
  flushDemoMarkdown,
  loadFlushParams,
  planSteps,
  q4Conclusion,
  runStats,
  type TimelineRun,
} from "../../lib/flush-semantics";

const kinds = (steps: ReturnType<typeof planSteps>) =>
  steps.map((s) => (s.kind === "produce" ? "p" : s.kind === "flush" ? "F" : "z")).join("");

test("planSteps: pause after every 5th (not after the last), flush after every 15th", () => {
  assert.equal(kinds(planSteps({ count: 15, pauseEvery: 5, pauseMs: 2000, flushEvery: 15 })), "pppppzpppppzpppppF");
  assert.equal(kinds(planSteps({ count: 30, pauseEvery: 5, pauseMs: 1, flushEvery: 15 })), "pppppzpppppzpppppFzpppppzpppppzpppppF");
  assert.equal(kinds(planSteps({ count: 3, flushEvery: 1 })), "pFpFpF");
  assert.equal(kinds(planSteps({ count: 3 })), "pppF", "a final flush by default");
  assert.equal(kinds(planSteps({ count: 3, finalFlush: false })), "ppp");
});

/** A hand-made run: messages produced at 0, 10 and 1000 ms, each acknowledged 2 ms later, consumed
 *  at the given times, and one flush from 1001 to 1002 ms. */
function run(consumed: (number | null)[], linger = "5"): TimelineRun {
  const produced = [0, 10, 1000];
  return {
    label: "test",
    topic: "t",
    target: "embedded broker",
    client: "client",
    librdkafka: "2.15.1",
    settings: { "linger.ms": linger },
    plan: { count: 3, flushEvery: 3 },
    t0: 0,
    messages: consumed.map((c, i) => ({
      n: i + 1,
      producedAt: produced[i],
      ackedAt: produced[i] + 2,
      consumedAt: c,
      offset: i,
      error: null,
    })),
    events: [{ kind: "flush", start: 1001, end: 1002, afterMessage: 3 }],
    spanMs: 1002,
  };
}

test("arrivals classify each message against the next flush, and who had time to go without it", () => {
  const r = run([8, 17, 1002]);
  assert.deepEqual(
    arrivals(r).map((a) => [a.arrival, a.hadTime, a.gapToFlushMs]),
    [
      ["before-flush", true, 1001],
      ["before-flush", true, 991],
      ["at-flush", false, 1],
    ],
  );
  assert.equal(arrivalSummary(r).verdict, "immediately");
  const held = run([1002, 1002, 1004], "10000");
  assert.deepEqual(
    arrivals(held).map((a) => a.arrival),
    ["at-flush", "at-flush", "after-flush"],
  );
  assert.equal(arrivalSummary(held).verdict, "only after a flush");
  assert.equal(arrivalSummary(run([8, null, 1002])).verdict, "mixed");
  const s = runStats(run([8, 17, 1002]));
  assert.deepEqual(
    [s.messages, s.acknowledged, s.consumed, s.flushes, s.median_ack_ms, s.median_consume_ms, s.max_consume_ms],
    [3, 3, 3, 1, 2, 7, 8],
  );
  assert.ok(Math.abs(s.msgs_per_s - 3000 / 1002) < 1e-9);
});

test("the no-flush answer is computed from the counts, including when nothing was lost", () => {
  const base = { produced: 100, reportedByChild: 0, consumed: 0, childMs: 1, childStderr: "" };
  const lost = exitMarkdown([
    { ...base, ending: "exit", lingerMs: 1000, onTopic: 0 },
    { ...base, ending: "flush", lingerMs: 1000, onTopic: 100, reportedByChild: 100 },
  ]);
  assert.match(lost, /\*\*100 of 100 lost\*\* \(100%\)/);
  assert.match(lost, /With `flush\(\)` before exiting, every message arrived/);
  assert.match(
    lost,
    /no exception was raised, .* and the process printed nothing at all: `process\.exit\(\)` ends it without destroying the client/,
  );
  const warned = exitMarkdown([{ ...base, ending: "exit", lingerMs: 1000, onTopic: 0, childStderr: "%4|TERMINATE|a warning\nmore" }]);
  assert.match(warned, /the process wrote to stderr: "%4\|TERMINATE\|a warning"/);
  const lucky = exitMarkdown([{ ...base, ending: "exit", lingerMs: 5, onTopic: 100 }]);
  assert.match(lucky, /all 100 arrived in this run/);
  assert.match(lucky, /a race, not a guarantee/);
  const bad = exitMarkdown([{ ...base, ending: "disconnect", lingerMs: 1000, onTopic: 90 }]);
  assert.match(bad, /⚠️ Even with flush or disconnect some messages were missing \(disconnect: 90\/100\)/);
});

test("question 1 says which delivery reports reached JavaScript before flush()'s callback and which after, from the run", () => {
  const r = run([8, 17, 1002]);
  assert.match(flushDemoMarkdown(r), /All 3 delivery reports had reached JavaScript when flush\(\)'s callback ran/);
  const late = { ...r, events: [{ kind: "flush" as const, start: 1001, end: 1001.5, afterMessage: 3 }] };
  assert.match(
    flushDemoMarkdown(late),
    /In JavaScript, 2 of the 3 delivery reports arrived before flush\(\)'s callback and 1 after it, the last 0\.50 ms later: .* so the callback can come first/,
  );
});

test("notebook 03's parameters: defaults, the environment over them, and bad values named", () => {
  assert.deepEqual(loadFlushParams({}, {}), { exitCount: 100, flushCostCount: 200, pauseMs: 2000 });
  assert.deepEqual(loadFlushParams({}, { FLUSH_LAB_EXIT_COUNT: "50", FLUSH_LAB_Q3_COUNT: "1_000", FLUSH_LAB_PAUSE_MS: " 0 " }), {
    exitCount: 50,
    flushCostCount: 1000,
    pauseMs: 0,
  });
  assert.equal(loadFlushParams({ exitCount: 7 }, { FLUSH_LAB_EXIT_COUNT: "" }).exitCount, 7, "blank = not set");
  const bad: [Record<string, string>, string, RegExp][] = [
    [{ FLUSH_LAB_EXIT_COUNT: "lots" }, "FLUSH_LAB_EXIT_COUNT", /'lots' is not allowed; use a whole number greater than 0\./],
    [{ FLUSH_LAB_Q3_COUNT: "0" }, "FLUSH_LAB_Q3_COUNT", /'0' is not allowed; use a whole number greater than 0\./],
    [{ FLUSH_LAB_PAUSE_MS: "-1" }, "FLUSH_LAB_PAUSE_MS", /'-1' is not allowed; use a whole number, 0 or more\./],
    [{ FLUSH_LAB_PAUSE_MS: "1.5" }, "FLUSH_LAB_PAUSE_MS", /'1\.5' is not allowed/],
  ];
  for (const [env, key, re] of bad) {
    assert.throws(
      () => loadFlushParams({}, env),
      (e: unknown) => e instanceof ConfigError && e.key === key && re.test(e.message),
      key,
    );
  }
});

test("question 4's conclusion takes its numbers from the runs and says whether the order was kept", () => {
  const defaultLinger = run([8, 17, 1002]);
  const longLinger = run([1002, 1002, 1004], "10000");
  const md = q4Conclusion(defaultLinger, longLinger);
  assert.match(md, /^\*\*Answer, from these runs/);
  assert.match(md, /about 7 ms after it was produced, during the pauses and long before the flush after the 3rd record:/);
  assert.match(md, /held every message until the flush, so the consumer received all 3 in one burst at the flush/);
  assert.match(
    md,
    /only forces the send early\. Order is kept: every message arrived in the order produced \(one partition\)\. The activity's/,
  );
  assert.doesNotMatch(md, /⚠️|15/);
  // A longer plan with a flush after every 5th: the sentence follows the plan, and the bursts are counted.
  const twice = { ...longLinger, events: [...longLinger.events, { kind: "flush" as const, start: 1003, end: 1005, afterMessage: 3 }] };
  const planned = q4Conclusion({ ...defaultLinger, plan: { count: 10, flushEvery: 5 } }, twice);
  assert.match(planned, /long before the flush after every 5th record/);
  assert.match(planned, /until the next flush, so the consumer received all 3 in 2 bursts, one at each flush/);
  // Offsets out of production order: said, and the order sentence is not.
  const swapped = { ...longLinger, messages: longLinger.messages.map((m, i) => ({ ...m, offset: [1, 0, 2][i] })) };
  const unordered = q4Conclusion(defaultLinger, swapped);
  assert.match(unordered, /only forces the send early\. ⚠️ Offsets were not in production order in these runs\. The activity's/);
  assert.doesNotMatch(unordered, /Order is kept/);
  assert.match(q4Conclusion(longLinger, defaultLinger), /^⚠️ These runs do not show the expected pattern/);
});
