/**
 * The end-to-end study without a broker: the CSV reader and its errors, replication, parameters,
 * the Java tool's output and failures, the consumer's batch accounting, the seed's formulas, the analysis.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toolFailure } from "../../lib/broker/tools";
import { ConfigError, KppError } from "../../lib/core";
import {
  analysisMarkdown,
  checkLine,
  formulaRows,
  generateReviews,
  loadE2eParams,
  parseConsumerPerf,
  readRows,
  ReplicatedRows,
  REVIEWS_CSV,
  reviewsCsv,
  seedBugsMarkdown,
  wordCount,
  words,
  type ConsumerBatchRow,
  type E2eResult,
} from "../../lib/end-to-end";
import { ConsumerBatches } from "../../lib/end-to-end/consumer-batches";

function csvFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-e2e-"));
  const file = path.join(dir, "x.csv");
  fs.writeFileSync(file, text);
  return file;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test("the shipped data/reviews.csv is exactly what the generator writes", () => {
  assert.equal(fs.readFileSync(REVIEWS_CSV, "utf8"), reviewsCsv(generateReviews(1_000)));
});

test("rows are read with their line numbers; quoted commas and newlines stay in the text", async () => {
  const file = csvFile('id,text\n1,"hello, world"\n2,"two\nlines"\n3,plain\n');
  const rows = await all(readRows(file, "text"));
  assert.deepEqual(
    rows.map((r) => r.text),
    ["hello, world", "two\nlines", "plain"],
  );
  assert.deepEqual(
    rows.map((r) => r.line),
    [2, 4, 5],
  );
});

test("a bad CSV is a ConfigError naming the file and the line", async () => {
  const cases: [string, string, RegExp][] = [
    ["id,body\n1,x\n", "text", /x\.csv: line 1: no 'text' column \(columns: id, body\); set TEXT_COLUMN/],
    ['id,text\n1,"ok"\n2,"unterminated\n', "text", /x\.csv: line \d+: .*quote/i],
    ["id,text\n1,a\n2,b,c\n", "text", /x\.csv: line 3: /],
  ];
  for (const [text, column, re] of cases) {
    await assert.rejects(
      all(readRows(csvFile(text), column)),
      (e: unknown) => e instanceof ConfigError && e.key === "CSV_PATH" && re.test(e.message),
      text,
    );
  }
  await assert.rejects(all(readRows("/no/such/file.csv", "text")), /no such file; set CSV_PATH/);
  await assert.rejects(new ReplicatedRows(csvFile("id,text\n"), "text").next(1), /has a header but no rows to send/);
});

test("rows replicate lazily to any count, in order, again from the top", async () => {
  const rows = new ReplicatedRows(csvFile("id,text\n1,a\n2,b\n3,c\n"), "text");
  assert.deepEqual(await rows.next(2), ["a", "b"]);
  assert.deepEqual(await rows.next(5), ["c", "a", "b", "c", "a"]);
  assert.equal(rows.passes, 1, "a small file is kept after its first pass, not read again");
  await rows.close();
});

test("word counts: the producer's count is the seed's split", () => {
  for (const t of ["", "one", "  two  words ", "tabs\tand\nnew lines", "Five stars."])
    assert.equal(wordCount(t), words(t).length, JSON.stringify(t));
});

test("parameters: the seed's defaults, and bad values named before anything starts", () => {
  const p = loadE2eParams({}, {});
  assert.deepEqual([p.records, p.batchSize, p.textColumn, p.partitions], [1_000_000, 10_000, "text", 3]);
  assert.equal(loadE2eParams({}, { CSV_PATH: "data/purchases.csv" }).csvPath, path.resolve(__dirname, "../../../data/purchases.csv"));
  const bad: [Record<string, string>, RegExp][] = [
    [{ RECORDS: "0" }, /^RECORDS: '0' is not allowed; use a whole number greater than 0\.$/],
    [{ RECORDS: "many" }, /^RECORDS: /],
    [{ RECORDS: "100", E2E_BATCH_SIZE: "1000" }, /^E2E_BATCH_SIZE: 1000 is larger than RECORDS \(100\)/],
    [{ E2E_TOPIC: "bad topic" }, /^E2E_TOPIC: 'bad topic' is not a valid Kafka topic name/],
    [{ E2E_JAVA: "maybe" }, /^E2E_JAVA: /],
  ];
  for (const [env, re] of bad)
    assert.throws(
      () => loadE2eParams({}, env),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      JSON.stringify(env),
    );
});

test("ConsumerPerformance's result line is parsed (real output of kafka-tools 4.3.1), MB recomputed as 10^6 bytes", () => {
  const out = [
    "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
    "2026-12-02 04:14:05:612, 2026-12-02 04:14:06:019, 1.9073, 4.6864, 20000, 49140.0491, 291, 116, 16.4427, 172413.7931",
  ].join("\n");
  const r = parseConsumerPerf(out);
  assert.ok(r);
  assert.equal(r.records, 20_000);
  assert.equal(r.fetch_msgs_per_s, 172413.7931);
  assert.equal(r.rebalance_ms, 291);
  assert.ok(Math.abs(r.fetch_mb_per_s - (1.9073 * 2 ** 20) / 1e6 / 0.116) < 1e-9);
  assert.equal(parseConsumerPerf("Warning: nothing here"), undefined);
});

function batch(n: number, messages: number, batchMs: number, endMs: number): ConsumerBatchRow {
  return {
    batch: n,
    messages,
    words: 0,
    unique_words: 0,
    end_ms: endMs,
    batch_ms: batchMs,
    msgs_per_s: messages / (batchMs / 1000),
    cumulative_msgs_per_s: NaN,
    lag: 0,
    cpu_pct: 50,
    rss_mib: 100,
  };
}

test("the seed's formulas against the correct ones, by hand", () => {
  // Three batches of 1,000 records taking 100, 50 and 200 ms; the loop started 1 s before the first record.
  const consumer = {
    batches: [batch(1, 1000, 100, 100), batch(2, 1000, 50, 150), batch(3, 1000, 200, 350)],
    received: 3000,
    startEpochMs: 0,
    firstEpochMs: 1000,
    lastEpochMs: 1350,
    wallMs: 350,
    msgs_per_s: 3000 / 0.35,
  };
  const rows = formulaRows({ consumer } as unknown as E2eResult);
  // Batches 2 and 3 are after the first; the median of their throughputs (20,000 and 5,000) is the lower middle: batch 3.
  assert.match(rows[0].figure, /batch 3/);
  assert.equal(rows[0].seed_value, "15,000 msgs/s", "3,000 records so far / 0.2 s");
  assert.equal(rows[0].correct_value, "5,000 msgs/s", "1,000 / 0.2 s");
  assert.equal(rows[1].seed_value, "2,222 msgs/s", "3,000 / 1.35 s since the loop started");
  assert.equal(rows[1].correct_value, "8,571 msgs/s", "3,000 / 0.35 s since the first record");
  assert.equal(rows[2].correct_value, "116.67 µs per message");
  assert.match(
    seedBugsMarkdown({ consumer, params: { records: 3000 } } as unknown as E2eResult),
    /25,654,176\.91 × 0\.01949 s = 500,000 records, the \*cumulative\* count/,
  );
});

test("a failed tool run says whether it was killed at its timeout or how it ended, with its last lines", () => {
  const result = { code: 1, signal: null, stdout: "", stderr: "", timedOut: false, ms: 1_234 };
  const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");
  const exited = toolFailure("ConsumerPerformance", { ...result, stderr: lines });
  assert.ok(exited instanceof KppError && exited.kind === "delivery");
  assert.equal(exited.message, `ConsumerPerformance exited with code 1 without a result:\n${lines.split("\n").slice(-8).join("\n")}`);
  const killed = toolFailure("ConsumerPerformance", { ...result, code: null, signal: "SIGKILL", timedOut: true, ms: 300_012 });
  assert.equal(killed.message, "ConsumerPerformance did not finish within 300 s (killed).");
  const signalled = toolFailure("ConsumerPerformance", { ...result, code: null, signal: "SIGTERM", stdout: "last words\n" });
  assert.equal(signalled.message, "ConsumerPerformance was ended by SIGTERM without a result:\nlast words");
});

test("consumer batches end at their last record: the idle wait after the last one counts in no time or rate", () => {
  const batches = new ConsumerBatches(3, () => ({ cpu_pct: 10, rss_mib: 50 }));
  let lagReads = 0;
  const lag = () => {
    lagReads++;
    return 7;
  };
  // Records at 1,000 (two from one consume() call), 1,100 and 1,300 ms; reading stops after an idle wait.
  batches.add(["a", "b"], 1_000, lag);
  batches.add(["b"], 1_000, lag);
  batches.add(["c", "c", "d"], 1_100, lag);
  batches.add(["e"], 1_300, lag);
  assert.equal(batches.rows.length, 1, "one full batch of 3; the 4th record's batch is still open");
  batches.finish(lag);
  batches.finish(lag); // nothing left open: no empty batch
  assert.equal(lagReads, 2, "the lag is read once per closed batch");
  assert.equal(batches.received, 4);
  assert.equal(batches.firstEpoch, 1_000);
  assert.equal(batches.lastEpoch, 1_300);
  assert.equal(batches.wallMs, 300, "first record to last");
  const resources = { lag: 7, cpu_pct: 10, rss_mib: 50 };
  assert.deepEqual(batches.rows, [
    {
      batch: 1,
      messages: 3,
      words: 6,
      unique_words: 4,
      end_ms: 100,
      batch_ms: 100,
      msgs_per_s: 30,
      cumulative_msgs_per_s: 30,
      ...resources,
    },
    // The last, shorter batch ends at its record (1,300), not when reading stopped.
    {
      batch: 2,
      messages: 1,
      words: 1,
      unique_words: 1,
      end_ms: 300,
      batch_ms: 200,
      msgs_per_s: 5,
      cumulative_msgs_per_s: 4 / 0.3,
      ...resources,
    },
  ]);
  const none = new ConsumerBatches(3, () => ({ cpu_pct: 0, rss_mib: 0 }));
  none.finish(lag);
  assert.deepEqual([none.rows.length, none.wallMs, none.received, lagReads], [0, 0, 0, 2]);
});

/** A finished run with only what the analysis reads. */
function analysed(over: Partial<E2eResult>): E2eResult {
  const latency = { count: 10, p50_ms: 1, p95_ms: 2, p99_ms: 3, p999_ms: 4, max_ms: 5 };
  return {
    params: { batchSize: 5, records: 10 },
    check: { delivered: 10, distinct: 10, lost: 0, duplicates: 0 },
    partial: false,
    embedded: true,
    javaSkipped: "E2E_JAVA=0",
    producer: { figures: { msgs_per_s: 1_000, mb_per_s: 1, latency }, batches: [], cpu_pct: 50, peakRssMiB: 80 },
    consumer: { msgs_per_s: 900, batches: [], lag: [{ t_ms: 0, lag: 0 }], latency, cpu_pct: 40, peakRssMiB: 70 },
    ...over,
  } as unknown as E2eResult;
}

test("the analysis names the broker among the processes sharing the cores only when it runs on this machine", () => {
  const shared = /\(both processes and the broker share this machine's cores\)/;
  assert.match(analysisMarkdown(analysed({ embedded: true })), shared);
  const remote = analysisMarkdown(analysed({ embedded: false }));
  assert.doesNotMatch(remote, shared);
  assert.match(remote, /\(both processes share this machine's cores\)/);
});

test("the check's line: the sentence, after a partial run's reason; the analysis opens with it", () => {
  const ok = analysed({});
  assert.equal(
    checkLine(ok),
    "Every one of the 10 acknowledged records was read back exactly once (checked by sequence number: 0 lost, 0 duplicated).",
  );
  const partial = analysed({ partial: true, stopReason: "interrupted", check: { delivered: 10, distinct: 8, lost: 2, duplicates: 0 } });
  assert.equal(
    checkLine(partial),
    "⚠️ **Partial run** (interrupted). ⚠️ 10 records acknowledged, 8 distinct ones read: 2 lost, 0 duplicated.",
  );
  for (const r of [ok, partial]) assert.equal(analysisMarkdown(r).split("\n")[0], checkLine(r));
});
