/** The end-to-end notebook (06) executed by Jupyter with a small record count: no error, every code
 *  cell shows something, its four charts draw offline in Chromium, and its files hold this run's numbers. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspectReport } from "../support/browser";
import { privateDataIn, stderrOutputs } from "../support/reports";
import { ensureBroker } from "../../lib/broker";
import { paths } from "../../lib/config";
import type { E2eResult } from "../../lib/end-to-end";
import { runNotebook, type NotebookRun } from "../../lib/notebook";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-nb06-"));
let run: NotebookRun;

before(async () => {
  await ensureBroker();
  run = await runNotebook({
    notebook: path.join(paths.notebooks, "06-end-to-end.ipynb"),
    outDir: out,
    env: {
      KAFKA_BOOTSTRAP_SERVERS: "",
      REPORTS_DIR: out,
      RECORDS: "20000",
      E2E_BATCH_SIZE: "2000",
      E2E_METHOD_RECORDS: "5000",
      E2E_SYNC_RECORDS: "300",
    },
    timeoutS: 600,
    onProgress: () => undefined,
  });
});

test("notebook 06 executes without an error; every code cell shows something; no stderr", () => {
  assert.ok(run.ok, `notebook 06 failed: ${run.error}`);
  const nb = JSON.parse(fs.readFileSync(run.executed, "utf8")) as { cells: { cell_type: string; outputs?: { output_type: string }[] }[] };
  const code = nb.cells.filter((c) => c.cell_type === "code");
  assert.ok(
    code.every((c) => (c.outputs ?? []).length > 0),
    "every code cell shows something",
  );
  assert.deepEqual(stderrOutputs(run.executed), []);
});

test("notebook 06's four charts draw in Chromium with no network", async () => {
  const page = await inspectReport(run.html!);
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(page.failedRequests, []);
  assert.equal(page.charts, 4);
  assert.ok(
    page.tracesPerChart.every((t) => t >= 1),
    JSON.stringify(page.tracesPerChart),
  );
});

test("notebook 06's results are this run's: every record read back once, and its prose says so", () => {
  const r = JSON.parse(fs.readFileSync(path.join(out, "06-end-to-end.json"), "utf8")) as E2eResult & { methods: { method: string }[] };
  assert.deepEqual(r.check, { delivered: 20_000, distinct: 20_000, lost: 0, duplicates: 0 });
  assert.deepEqual(
    r.methods.map((m) => m.method),
    ["async", "promise-per-produce", "sync"],
  );
  const html = fs.readFileSync(run.html!, "utf8");
  assert.ok(html.includes("Every one of the 20,000 acknowledged records was read back exactly once"));
  assert.ok(html.includes(Math.round(r.consumer!.msgs_per_s).toLocaleString("en-US")), "the analysis quotes this run's consumer rate");
  for (const f of ["06-end-to-end.producer.csv", "06-end-to-end.consumer.csv", "06-end-to-end.lag.csv"])
    assert.ok(fs.statSync(path.join(out, f)).size > 0, f);
  assert.deepEqual(privateDataIn(out), [], "no private path in the reports");
});
