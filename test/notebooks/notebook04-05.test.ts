/** The tuning (04) and client comparison (05) notebooks executed by Jupyter with small counts:
 *  no error output, every code cell shows something, the charts draw offline in Chromium, and the
 *  report's figures are this run's. No performance is asserted. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspectReport } from "../support/browser";
import { privateDataIn, stderrOutputs } from "../support/reports";
import { ensureBroker } from "../../lib/broker";
import { runNotebook, type NotebookRun } from "../../lib/notebook";
import { paths } from "../../lib/config";
import { PRODUCER_IDS, RUNGS, type BenchReport } from "../../lib/bench";
import { SYNC_WAITS } from "../../lib/producers";
import { readHistory } from "../../lib/core";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-nb0405-"));
const runs: Record<string, NotebookRun> = {};

interface Nb {
  cells: { cell_type: string; outputs?: { output_type: string; name?: string; text?: string[] }[] }[];
}

before(async () => {
  await ensureBroker();
  const env = { KAFKA_BOOTSTRAP_SERVERS: "", REPORTS_DIR: out };
  runs["04"] = await runNotebook({
    notebook: path.join(paths.notebooks, "04-tuning.ipynb"),
    outDir: out,
    env: { ...env, TUNING_RECORDS: "1500", TUNING_REPEATS: "2", TUNING_WARMUP: "100", TUNING_THREE_NODES: "0" },
    timeoutS: 600,
    onProgress: () => undefined,
  });
  runs["05"] = await runNotebook({
    notebook: path.join(paths.notebooks, "05-clients.ipynb"),
    outDir: out,
    env: {
      ...env,
      CLIENTS_RECORDS: "2000",
      CLIENTS_REPEATS: "1",
      CLIENTS_WARMUP: "200",
      CLIENTS_SYNC_RECORDS: "200",
      CLIENTS_MIN_SECONDS: "0",
      CLIENTS_LADDER_REPEATS: "1",
      CLIENTS_SYNC_WAIT_REPEATS: "1",
    },
    timeoutS: 600,
    onProgress: () => undefined,
  });
});

for (const [key, charts] of [
  ["04", 10],
  ["05", 2],
] as const) {
  test(`notebook ${key} executes without an error`, () => {
    const run = runs[key];
    assert.ok(run.ok, `notebook ${key} failed: ${run.error}`);
    const nb = JSON.parse(fs.readFileSync(run.executed, "utf8")) as Nb;
    const code = nb.cells.filter((c) => c.cell_type === "code");
    assert.ok(
      code.every((c) => (c.outputs ?? []).length > 0),
      "every code cell shows something",
    );
    assert.ok(!code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "error")), "no error output");
  });

  test(`notebook ${key}'s charts draw in Chromium with no network`, async () => {
    const page = await inspectReport(runs[key].html!);
    assert.deepEqual(page.pageErrors, []);
    assert.deepEqual(page.failedRequests, []);
    assert.equal(page.charts, charts);
    assert.ok(
      page.tracesPerChart.every((t) => t >= 1),
      JSON.stringify(page.tracesPerChart),
    );
  });
}

test("notebook 05's report and results come from this run", () => {
  const report = JSON.parse(fs.readFileSync(path.join(out, "05-clients.bench.json"), "utf8")) as BenchReport;
  assert.deepEqual(
    report.rows.map((r) => `${r.placement} ${r.producer}`),
    ["unpinned", "pinned"].flatMap((pl) => PRODUCER_IDS.map((p) => `${pl} ${p}`)),
    "every producer, the Python peers included, unpinned and pinned",
  );
  assert.ok(report.targets.length > 0 && report.comparisons.length > 0);
  assert.equal(report.ladder?.steps.length, RUNGS.length, "the attribution ladder, every rung");
  assert.equal(report.syncWaits?.rows.length, SYNC_WAITS.length, "every way the synchronous producer can wait");
  assert.equal(report.workload.records, 2000);
  for (const r of report.rows) assert.equal(r.failed, 0, `${r.producer} failed`);
  const md = fs.readFileSync(path.join(out, "05-clients.report.md"), "utf8");
  for (const h of ["## Environment", "## Topic config", "## Workload", "## Tuning", "## Producers", "## Results", "## Conclusion"])
    assert.ok(md.includes(h), h);
  const async = report.rows.find((r) => r.producer === "ours-async")!;
  const shown = Math.round(async.msgs_per_s).toLocaleString("en-US");
  assert.ok(md.includes(`| our asynchronous producer | 2,000 | ${shown} |`), "the report's table shows this run's rate");
  const html = fs.readFileSync(runs["05"].html!, "utf8");
  assert.ok(html.includes(shown), "so does the exported HTML");
  assert.ok(html.includes("the attribution ladder") && html.includes(RUNGS[0].label), "and the ladder");
  const history = readHistory(path.join(out, "history.jsonl")).entries;
  assert.deepEqual(
    history.map((e) => e.source),
    ["notebook 05"],
    "the run is in the history",
  );
});

test("the reports hold no absolute path of this machine, and no executed notebook a stderr output (progress updates in place)", () => {
  assert.deepEqual(privateDataIn(out), []);
  for (const key of ["04", "05"]) assert.deepEqual(stderrOutputs(runs[key].executed), [], key);
  const nb = JSON.parse(fs.readFileSync(runs["05"].executed, "utf8")) as {
    cells: { outputs?: { data?: Record<string, string | string[]> }[] }[];
  };
  const progress = nb.cells
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => /^Comparison: /.test([o.data?.["text/plain"] ?? ""].flat().join("")));
  assert.equal(progress.length, 1, "the comparison's progress is one display, updated in place");
});
