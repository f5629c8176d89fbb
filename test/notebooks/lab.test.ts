/** `npm run lab`: JupyterLab from the project's .venv, on notebooks/, with the tslab kernel; and
 *  what a student sees there: notebook 01 run in the browser, its charts drawn in JupyterLab. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../support/browser";
import { ensureBroker } from "../../lib/broker";
import { paths } from "../../lib/config";
import { startLab } from "../support/lab";

test("JupyterLab serves notebooks/ with the TypeScript kernel available", async () => {
  const lab = await startLab();
  try {
    const specs = (await (await fetch(`${lab.url}api/kernelspecs?token=${lab.token}`)).json()) as {
      kernelspecs: Record<string, { spec: { argv: string[] } }>;
    };
    assert.ok(specs.kernelspecs.tslab, `kernels: ${Object.keys(specs.kernelspecs)}`);
    assert.ok(specs.kernelspecs.tslab.spec.argv[0].startsWith(paths.root), "the kernel is registered inside the project");
    const contents = (await (await fetch(`${lab.url}api/contents?token=${lab.token}`)).json()) as { content: { name: string }[] };
    assert.ok(
      contents.content.some((c) => c.name === "01-producer-benchmark.ipynb"),
      "serving notebooks/",
    );
  } finally {
    await lab.stop();
  }
});

test("in JupyterLab, Run All Cells on notebook 01 draws its charts", { timeout: 300_000 }, async () => {
  await ensureBroker();
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-lab-"));
  // The kernel inherits the server's environment: a small run, reports to a temporary folder.
  // Autosave off (in a throwaway settings folder), so the run never saves outputs into notebooks/.
  const settings = path.join(reports, "lab-settings", "@jupyterlab", "docmanager-extension");
  fs.mkdirSync(settings, { recursive: true });
  fs.writeFileSync(path.join(settings, "plugin.jupyterlab-settings"), JSON.stringify({ autosave: false }));
  const lab = await startLab({
    JUPYTERLAB_SETTINGS_DIR: path.join(reports, "lab-settings"),
    NUM_MESSAGES: "1000",
    TRIALS: "1",
    WARMUP_BATCHES: "1",
    REPORTS_DIR: reports,
    TOPIC: `test-lab-${Date.now()}`,
    KAFKA_BOOTSTRAP_SERVERS: "",
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${lab.url}lab/tree/01-producer-benchmark.ipynb?token=${lab.token}`);
    await page.locator(".jp-Notebook").first().waitFor({ timeout: 90_000 });
    // The page's kernel is ready once the server has connected the page to it (the status bar
    // says "Idle" before that) and it is idle.
    const deadline = Date.now() + 90_000;
    while (!/Connecting to kernel/.test(lab.log()) && Date.now() < deadline) await page.waitForTimeout(250);
    await page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first().waitFor({ timeout: 90_000 });
    await page.getByRole("menuitem", { name: "Run", exact: true }).click();
    await page.getByText("Run All Cells", { exact: true }).click();
    const charts = page.locator(".jp-OutputArea-output .kpp-chart .main-svg");
    await page.waitForFunction(() => document.querySelectorAll(".jp-OutputArea-output .kpp-chart .main-svg").length >= 5, null, {
      timeout: 180_000,
    });
    assert.ok((await charts.count()) >= 5);
    const text = await page.locator(".jp-Notebook").innerText();
    assert.match(text, /producer was faster in this run/);
    assert.doesNotMatch(text, /Plotly did not load/);
    await page.screenshot({ path: path.join(reports, "jupyterlab.png") });
    assert.ok(fs.existsSync(path.join(reports, "01-producer-benchmark.summary.json")), "the run in the browser wrote its results");
    assert.deepEqual(
      errors.filter((e) => /plotly|kpp/i.test(e)),
      [],
    );
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(paths.notebooks, "01-producer-benchmark.ipynb"), "utf8")).cells.some(
        (c: { outputs?: unknown[] }) => c.outputs?.length,
      ),
      false,
      "the notebook on disk still has no outputs",
    );
  } finally {
    await browser.close();
    await lab.stop();
  }
});
