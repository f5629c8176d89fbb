import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runNotebook } from "../../lib/notebook";
import { inspectReport } from "../support/browser";
import { paths } from "../../lib/config";

const fixtures = path.join(paths.root, "test", "fixtures");
const LIMIT = { timeout: 180_000 }; // a kernel start and a chromium run, with room for a busy machine

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notebook-runner-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a passing notebook gives an executed notebook and an offline HTML report with its chart", LIMIT, async (t) => {
  const out = tempDir(t);
  const progress: string[] = [];
  const run = await runNotebook({
    notebook: path.join(fixtures, "chart.ipynb"),
    outDir: out,
    onProgress: (line) => progress.push(line),
  });
  assert.equal(run.ok, true, `run failed: ${run.error}\n${progress.join("\n")}`);
  assert.equal(run.executed, path.join(out, "chart.ipynb"));
  assert.equal(run.html, path.join(out, "chart.html"));
  assert.ok(fs.existsSync(run.executed));
  assert.ok(
    progress.some((line) => /^\[2\/2\] running cell 3/.test(line)),
    progress.join("\n"),
  );

  const executed = JSON.parse(fs.readFileSync(run.executed, "utf8"));
  const lastOutputs = JSON.stringify(executed.cells[2].outputs);
  assert.match(lastOutputs, /chart cell done/);

  const html = fs.readFileSync(run.html!, "utf8");
  assert.match(html, /<title>Runner fixture: one chart<\/title>/);
  assert.doesNotMatch(html, /<script[^>]+src="https?:/, "the report must not load scripts from the network");

  const report = await inspectReport(run.html!, { screenshot: path.join(out, "chart.png") });
  assert.equal(report.charts, 1);
  assert.ok(report.tracesPerChart[0] >= 1, `traces: ${report.tracesPerChart}`);
  assert.deepEqual(report.pageErrors, []);
  assert.deepEqual(report.failedRequests, []);
  assert.ok(report.screenshot && fs.statSync(report.screenshot).size > 1000);
});

test("a failing cell is reported with its number and error text, and no HTML is written", LIMIT, async (t) => {
  const out = tempDir(t);
  const run = await runNotebook({ notebook: path.join(fixtures, "fails.ipynb"), outDir: out, onProgress: () => {} });
  assert.equal(run.ok, false);
  assert.equal(run.status, "cell_failed");
  assert.equal(run.exitCode, 1);
  assert.ok(run.error, "an error text");
  assert.match(run.error!, /Cell 2 failed/);
  assert.match(run.error!, /boom-123/);
  assert.match(run.error!, /throw new Error\("boom-123"\)/, "the cell's source is shown");
  assert.equal(run.html, undefined);
  assert.ok(!fs.existsSync(path.join(out, "fails.html")));

  // the executed notebook is kept for inspection; the cell after the failure never ran
  const executed = JSON.parse(fs.readFileSync(run.executed, "utf8"));
  assert.match(JSON.stringify(executed.cells[0].outputs), /first cell runs/);
  assert.deepEqual(executed.cells[2].outputs, []);
});

test("a report containing a forbidden secret value is refused and nothing is written", LIMIT, async (t) => {
  const out = tempDir(t);
  const secret = `planted-${process.pid}-${Date.now()}-value`;
  const progress: string[] = [];
  const run = await runNotebook({
    notebook: path.join(fixtures, "secret.ipynb"),
    outDir: out,
    env: { PLANTED_SECRET: secret },
    forbidEnv: ["PLANTED_SECRET"],
    onProgress: (line) => progress.push(line),
  });
  assert.equal(run.ok, false);
  assert.equal(run.status, "refused");
  assert.equal(run.exitCode, 3);
  assert.match(run.error!, /refusing to write .*secret\.ipynb: it contains the value of PLANTED_SECRET/);
  assert.ok(!run.error!.includes(secret), "the message must not contain the value");
  assert.ok(!progress.join("\n").includes(secret), "the progress output must not contain the value");
  for (const name of fs.readdirSync(out)) {
    assert.ok(!fs.readFileSync(path.join(out, name), "utf8").includes(secret), `${name} contains the value`);
  }
  assert.ok(!fs.existsSync(path.join(out, "secret.ipynb")));
  assert.ok(!fs.existsSync(path.join(out, "secret.html")));
});

test("a report holding the project's absolute path is refused, naming the file and the fix, and nothing is written", LIMIT, async (t) => {
  const out = tempDir(t);
  const run = await runNotebook({ notebook: path.join(fixtures, "private-path.ipynb"), outDir: out, onProgress: () => {} });
  assert.equal(run.status, "refused", run.error);
  assert.equal(run.exitCode, 3);
  assert.match(
    run.error!,
    new RegExp(`refusing to write .*private-path\\.ipynb: it contains the project's absolute path \\(${paths.root}\\)`),
  );
  assert.match(run.error!, /To fix it: show paths relative to the project \(projectRelative in lib\/config\)/);
  assert.deepEqual(fs.readdirSync(out), []);
});

test(
  "a failing cell's stack trace names the library's files relative to the project, so its executed notebook is kept",
  LIMIT,
  async (t) => {
    const out = tempDir(t);
    const run = await runNotebook({ notebook: path.join(fixtures, "fails-in-lib.ipynb"), outDir: out, onProgress: () => {} });
    assert.equal(run.status, "cell_failed", run.error);
    const executed = fs.readFileSync(run.executed, "utf8");
    assert.match(executed, /NUM_MESSAGES/);
    assert.match(executed, /dist\/lib\//, "the stack trace is kept");
    assert.ok(!executed.includes(paths.root), "with paths relative to the project");
  },
);
