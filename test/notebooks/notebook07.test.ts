/** The latency-under-load notebook (07) executed by Jupyter with a short sweep: no error, every code cell
 *  shows something, its four charts (the curve among them) draw offline in Chromium, and its prose and
 *  files hold this run's numbers. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspectReport } from "../support/browser";
import { privateDataIn, silentCodeCells, stderrOutputs } from "../support/reports";
import { ensureBroker } from "../../lib/broker";
import { paths } from "../../lib/config";
import { divergence, type SweepResult } from "../../lib/latency-under-load";
import { runNotebook, type NotebookRun } from "../../lib/notebook";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-nb07-"));
let run: NotebookRun;

before(async () => {
  await ensureBroker();
  run = await runNotebook({
    notebook: path.join(paths.notebooks, "07-latency-under-load.ipynb"),
    outDir: out,
    env: {
      KAFKA_BOOTSTRAP_SERVERS: "",
      REPORTS_DIR: out,
      // A short sweep: a rate every producer keeps up with, and one the synchronous producer cannot reach.
      SWEEP_RATES: "1000,20000",
      SWEEP_DURATION_S: "2",
      SWEEP_WARMUP_S: "1",
      SWEEP_PERCENTILES: "50,99",
      SWEEP_SEARCH_PROBES: "1",
      SWEEP_JAVA_E2E_RECORDS: "200",
    },
    timeoutS: 600,
    onProgress: () => undefined,
  });
});

test("notebook 07 executes without an error; every code cell shows something; no stderr", () => {
  assert.ok(run.ok, `notebook 07 failed: ${run.error}`);
  assert.deepEqual(silentCodeCells(run.executed), []);
  assert.deepEqual(stderrOutputs(run.executed), []);
});

test("notebook 07's four charts, the latency–throughput curve first, draw in Chromium with no network", async () => {
  const page = await inspectReport(run.html!);
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(page.failedRequests, []);
  assert.equal(page.charts, 4);
  assert.ok(
    page.tracesPerChart[0] >= 14,
    `the curve: 4 percentiles × 3 producers + our two p99s from the send (${page.tracesPerChart[0]})`,
  );
  assert.ok(
    page.tracesPerChart.every((t) => t >= 1),
    JSON.stringify(page.tracesPerChart),
  );
});

test("notebook 07's results are this run's: every producer at both rates, the parting rate and the answer in its prose", () => {
  const r = JSON.parse(fs.readFileSync(path.join(out, "07-latency-under-load.json"), "utf8")) as SweepResult;
  const grid = r.steps.filter((s) => s.probe === "grid");
  for (const p of ["ours-sync", "ours-async", "perf-tool"] as const)
    assert.deepEqual(
      grid.filter((s) => s.producer === p).map((s) => s.offered_per_s),
      [1_000, 20_000],
      p,
    );
  const sync20k = grid.find((s) => s.producer === "ours-sync" && s.offered_per_s === 20_000)!;
  assert.ok(sync20k.saturated && sync20k.missed > 0, "the synchronous producer cannot reach 20,000 msgs/s");
  const parts = divergence(r.steps, "ours-sync");
  assert.ok(parts, "its latency from the intended time parts from latency from the send");
  const html = fs.readFileSync(run.html!, "utf8");
  assert.ok(
    html.includes(`from <strong>${parts.offered_per_s.toLocaleString("en-US")} msgs/s</strong> the two latencies part`),
    "the text names the rate",
  );
  assert.ok(
    html.includes("When is the synchronous producer the better choice?") ||
      html.includes("when is the synchronous producer the better choice?"),
  );
  assert.ok(html.includes("So, in this run:"), "the analysis concludes from the run");
  assert.equal(r.sustainable.length, 3);
  assert.ok(r.javaE2e && r.javaE2e.records === 200, r.javaE2eSkipped);
  assert.ok(fs.statSync(path.join(out, "07-latency-under-load.csv")).size > 0);
  assert.deepEqual(privateDataIn(out), [], "no private path in the reports");
});
