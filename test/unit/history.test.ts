/** The run history: lines appended and read back, comparable runs chosen, differences called beyond the noise or not. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildReport, historyMarkdown, historyText, recordBenchRun, validateWorkload, type BenchRun } from "../../lib/bench";
import { appendHistory, compareWithHistory, historyFile, hostInfo, readHistory, type HistoryEntry } from "../../lib/core/history";
import { fakeRun } from "../support/bench-runs";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "kpp-history-"));

function entry(at: string, values: number[], over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    kind: "bench",
    source: "test",
    at,
    workload: "w",
    series: [{ key: "unpinned · ours-async · msgs/s", label: "ours-async", unit: "msgs/s", better: "higher", values }],
    figures: {},
    settings: {},
    versions: {},
    host: hostInfo(),
    load: { start: [0.5], end: [0.6] },
    ...over,
  };
}

test("lines are appended and read back; non-finite numbers become null; a run is not added twice; bad lines are counted, not fatal", () => {
  const file = historyFile(tmp());
  assert.deepEqual(readHistory(file), { entries: [], unreadable: 0 });
  assert.equal(appendHistory(file, entry("2026-01-01T00:00:00Z", [1, NaN, 3])), true);
  assert.equal(appendHistory(file, entry("2026-01-01T00:00:00Z", [9])), false, "same kind and start time");
  fs.appendFileSync(file, "not json\n{}\n");
  assert.equal(appendHistory(file, entry("2026-01-02T00:00:00Z", [4])), true);
  const { entries, unreadable } = readHistory(file);
  assert.equal(unreadable, 2);
  assert.deepEqual(
    entries.map((e) => e.series[0].values),
    [[1, null, 3], [4]],
  );
});

test("only runs of the same kind, workload and host are compared; the others are named with the reason", () => {
  const now = entry("2026-01-05T00:00:00Z", [11, 12, 13, 14, 15, 16]);
  const earlier = [
    entry("2026-01-01T00:00:00Z", [1, 2, 3, 4, 5, 6]),
    entry("2026-01-02T00:00:00Z", [1, 2, 3], { workload: "other" }),
    entry("2026-01-03T00:00:00Z", [1, 2, 3], { host: { ...hostInfo(), name: "elsewhere" } }),
    entry("2026-01-04T00:00:00Z", [1, 2, 3], { partial: true }),
    entry("2026-01-04T12:00:00Z", [1, 2, 3], { kind: "notebook-01" }),
    now,
  ];
  const c = compareWithHistory(now, earlier);
  assert.equal(c.comparable, 1);
  assert.deepEqual(
    c.skipped.map((s) => s.why),
    ["another workload", "another host", "a partial run"],
  );
  const [row] = c.rows;
  assert.equal(row.previous?.at, "2026-01-01T00:00:00Z");
  assert.equal(row.now.estimate, 13.5);
  assert.equal(row.previous?.comparison.ratio, 13.5 / 3.5);
  assert.equal(row.previous?.verdict, "better, beyond the noise");
  assert.deepEqual(row.earlier, [{ at: "2026-01-01T00:00:00Z", median: 3.5 }]);
});

test("a difference inside the noise is called so, and three repeats against three cannot tell", () => {
  const a = compareWithHistory(entry("b", [1, 3, 5, 7, 9, 11]), [entry("a", [2, 4, 6, 8, 10, 12])]);
  assert.equal(a.rows[0].previous?.verdict, "within the noise");
  const b = compareWithHistory(entry("b", [10, 11, 12]), [entry("a", [1, 2, 3])]);
  assert.match(b.rows[0].previous!.verdict, /^too few repeats to tell \(the smallest p they allow is 0\.10\)$/);
  const lower = compareWithHistory(
    entry("b", [1, 2, 3, 4, 5, 6], { series: [{ key: "k", label: "", unit: "ms/msg", better: "lower", values: [1, 2, 3, 4, 5, 6] }] }),
    [entry("a", [], { series: [{ key: "k", label: "", unit: "ms/msg", better: "lower", values: [11, 12, 13, 14, 15, 16] }] })],
  );
  assert.equal(lower.rows[0].previous?.verdict, "better, beyond the noise", "less time per message is better");
});

const run = (producer: BenchRun["producer"], msgsPerSec: number): BenchRun =>
  fakeRun(producer, msgsPerSec, {
    settings: { "ssl.ca.location": path.join(process.cwd(), ".broker", "certs", "ca.pem"), "linger.ms": 5 },
  });

const report = (at: string, rates: number[]) =>
  buildReport({
    startedAt: at,
    finishedAt: at,
    environment: { node: "v20", client: "c", python: "Python 3.11.7" },
    workload: validateWorkload({ records: 1000 }),
    minSeconds: 2,
    sizing: [],
    repeats: rates.length,
    skippedPlacements: [],
    runs: [...rates.map((r) => run("ours-async", r)), ...rates.map((r) => run("ours-sync", r / 20))],
    load: [0.1, 0.2, 0.3],
    loadEnd: [0.4, 0.5, 0.6],
  });

test("a bench run's line: every repeat per producer and placement, settings without absolute paths, versions, host, load", () => {
  const dir = tmp();
  const first = recordBenchRun(report("2026-02-01T00:00:00Z", [100, 101, 102, 103, 104, 105]), "npm run bench", dir);
  assert.deepEqual(
    first.entry.series.map((s) => s.key),
    ["unpinned · ours-async · msgs/s", "unpinned · ours-sync · ms/msg", "unpinned · ours-sync · ms"],
  );
  assert.deepEqual(first.entry.series[0].values, [100, 101, 102, 103, 104, 105]);
  assert.deepEqual(first.entry.load, { start: [0.1, 0.2, 0.3], end: [0.4, 0.5, 0.6] });
  assert.equal(first.entry.versions.python, "Python 3.11.7");
  const line = fs.readFileSync(historyFile(dir), "utf8");
  assert.ok(!line.includes(process.cwd()), "no absolute path of the machine");
  assert.match(historyText(first.comparison), /beside 0 earlier comparable run\(s\).*Nothing to compare with yet/);

  const second = recordBenchRun(report("2026-02-02T00:00:00Z", [200, 201, 202, 203, 204, 205]), "npm run bench", dir);
  assert.equal(readHistory(historyFile(dir)).entries.length, 2);
  const text = historyText(second.comparison);
  assert.match(text, /beside 1 earlier comparable run\(s\)/);
  assert.match(text, /Beyond the noise \(p < 0\.05\) against the previous run: unpinned · ours-async · msgs\/s \(better, 1\.98×\)/);
  assert.match(text, /unpinned · ours-sync · ms\/msg .* 0\.506× .* better, beyond the noise/, "half the time per message is better");
  assert.match(text, /unpinned · ours-sync · ms .* within the noise/);
  assert.match(historyMarkdown(second.comparison), /^\| series \| this run \(median, CI\) \|/m);
});
