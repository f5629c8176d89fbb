/** The monitoring notebook (08) executed by Jupyter with a small sweep: no error output, every dashboard panel drawn offline in
 *  Chromium, and its comparison computed from this run. Prometheus is left as it was found. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspectReport } from "../support/browser";
import { ensureBroker } from "../../lib/broker";
import { paths } from "../../lib/config";
import { PANELS, prometheusStatus, stopPrometheus } from "../../lib/monitoring";
import { runNotebook, type NotebookRun } from "../../lib/notebook";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-nb08-"));
let run: NotebookRun;
let wasRunning = false;

before(async () => {
  await ensureBroker();
  wasRunning = (await prometheusStatus()).state === "running";
  run = await runNotebook({
    notebook: path.join(paths.notebooks, "08-monitoring.ipynb"),
    outDir: out,
    env: { KAFKA_BOOTSTRAP_SERVERS: "", REPORTS_DIR: out, TUNING_RECORDS: "60000", TUNING_REPEATS: "1", TUNING_WARMUP: "2000" },
    timeoutS: 300,
    onProgress: () => undefined,
  });
});

after(async () => {
  if (!wasRunning) await stopPrometheus();
  fs.rmSync(out, { recursive: true, force: true });
});

test("notebook 08 executes without an error and says where Prometheus and the harness agree", { timeout: 360_000 }, () => {
  assert.ok(run.ok, `notebook 08 failed: ${run.error}`);
  const html = fs.readFileSync(run.html!, "utf8");
  assert.match(html, /In 3 of 3 runs the exporter/, "every run's counter equals delivered + warm-up");
  assert.match(html, /Where they differ: the rates/);
});

test(
  "notebook 08 draws every dashboard panel, the sweep and the comparison in Chromium with no network",
  { timeout: 120_000 },
  async () => {
    const page = await inspectReport(run.html!);
    assert.deepEqual(page.pageErrors, []);
    assert.deepEqual(page.failedRequests, []);
    // Every panel the producers and the broker feed, the sweep and the comparison; consumer lag is named as empty (no consumer ran).
    assert.equal(page.charts, PANELS.filter((p) => p.fedByProducers).length + 2);
    assert.ok(
      page.tracesPerChart.every((t) => t >= 1),
      JSON.stringify(page.tracesPerChart),
    );
    assert.match(fs.readFileSync(run.html!, "utf8"), /Consumer Lag per Topic<\/strong>: no data in this run/);
  },
);
