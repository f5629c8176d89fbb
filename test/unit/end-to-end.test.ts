/** The end-to-end study without a broker: the CSV reader and its errors, replication, parameters, the Java tool's output, the seed's formulas. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../lib/core";
import {
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
