/** Notebooks 02 (code review) and 03 (flush semantics) executed by Jupyter with small counts on the
 *  embedded broker, then their HTML reports opened in headless Chromium. */
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
import { readProblem2 } from "../../lib/submission";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-nb0203-"));
const runs: Record<string, NotebookRun> = {};

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}
interface Cell {
  cell_type: string;
  outputs?: Output[];
}

function join(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join("") : (v ?? "");
}

/** Everything the executed notebook shows (stdout, stderr, markdown and HTML), per code cell. */
function outputs(run: NotebookRun): { cells: Cell[]; text: string } {
  const nb = JSON.parse(fs.readFileSync(run.executed, "utf8")) as { cells: Cell[] };
  const cells = nb.cells.filter((c) => c.cell_type === "code");
  const text = cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => join(o.text) + join(o.data?.["text/markdown"]) + join(o.data?.["text/html"]).slice(0, 20_000))
    .join("\n");
  return { cells, text };
}

before(async () => {
  await ensureBroker();
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: "",
    REPORTS_DIR: out,
    EXAMPLE_TOPIC: `test-nb02-${Date.now()}`,
    FLUSH_LAB_EXIT_COUNT: "50",
    FLUSH_LAB_Q3_COUNT: "100",
  };
  for (const name of ["02-code-review", "03-flush-semantics"]) {
    runs[name] = await runNotebook({
      notebook: path.join(paths.notebooks, `${name}.ipynb`),
      outDir: out,
      env,
      timeoutS: 300,
      onProgress: () => undefined,
    });
  }
});

for (const name of ["02-code-review", "03-flush-semantics"]) {
  test(`${name} executes without an error, every code cell shows something`, () => {
    const run = runs[name];
    assert.ok(run.ok, `${name} failed: ${run.error}`);
    const { cells } = outputs(run);
    assert.ok(
      cells.every((c) => (c.outputs ?? []).length > 0),
      "every code cell shows something",
    );
    assert.ok(
      !cells.some((c) => (c.outputs ?? []).some((o) => o.output_type === "error" || o.name === "stderr")),
      "no error or stderr output",
    );
  });
}

test("02 shows each behaviour: delivery success and failure, read-back, poll/flush, validation, SIGINT", () => {
  const { text } = outputs(runs["02-code-review"]);
  assert.match(text, /Produced event to topic test-nb02-\d+ \[partition 0, offset \d+\]: key = /);
  assert.match(text, /Delivery reports: 10 delivered, 0 failed \(exit code 0\)/);
  assert.match(text, /ERROR: Message failed delivery: Broker: Message size too large/);
  assert.match(text, /ERROR: Message failed delivery: Broker: Invalid topic/);
  assert.match(text, /ERROR: produce\(\) refused the message/);
  assert.match(
    text,
    /Read back \*\*10\*\* of the 10 messages \(stopped: max\); key and value identical to what was sent for every one: \*\*true\*\*/,
  );
  assert.match(text, /poll with a 10 000 ms bound returned after \*\*[\d.,]+ ms\*\*/);
  assert.match(text, /blocked for its \*\*whole timeout\*\*/);
  assert.match(text, /&#39;linger\.mss&#39; is not a librdkafka configuration property/);
  assert.match(text, /exit code was 130\. Nothing that was produced was lost\./);
  assert.ok(!text.includes("⚠️"), "no claim contradicted by this run");
});

test("02's report opens each Problem 2 answer with the concise answer the submission takes, and shows no machine path", () => {
  assert.deepEqual(readProblem2(runs["02-code-review"].executed), readProblem2());
  const { text } = outputs(runs["02-code-review"]);
  assert.match(text, /config\/getting_started\.ini:\n/, "the config file, shown relative to the project");
  assert.match(text, /<td style="text-align:left">config\/getting_started\.ini<\/td>/);
});

test("the reports hold no absolute path of this machine, and no executed notebook a stderr output", () => {
  assert.deepEqual(privateDataIn(out), []);
  for (const name of ["02-code-review", "03-flush-semantics"]) assert.deepEqual(stderrOutputs(runs[name].executed), [], name);
});

test("03 answers all four questions from its measurements", () => {
  const { text } = outputs(runs["03-flush-semantics"]);
  assert.match(text, /10 messages were produced and then left alone for [\d,]+ ms/);
  // Question 1 says what happened to the delivery reports around flush()'s callback, from this run.
  assert.match(
    text,
    /returned [\d.,]+ ms later\*\*, once librdkafka's queue was empty, that is once the broker had acknowledged all 10 .*(All 10 delivery reports had reached JavaScript when flush\(\)'s callback ran|In JavaScript, (\d+ of the 10 delivery reports arrived before flush\(\)'s callback and \d+|all 10 delivery reports arrived) after it)/,
  );
  // Question 2: lost without an exception or a report, and this child process printed nothing (process.exit() skips librdkafka's warning).
  assert.match(
    text,
    /no exception was raised, the delivery reports that would have said so never came, and the process printed nothing at all/,
  );
  assert.match(
    text,
    /`process\.exit\(\)` right after the last `produce\(\)` \(no flush, no disconnect\), `linger\.ms=1000`: 50 produced, \*\*\d+ reached the topic\*\*/,
  );
  assert.match(text, /With `disconnect\(\)` or `flush\(\)` before exiting, every message arrived|Even with flush or disconnect/);
  assert.match(text, /100 messages each; latencies from produce\(\)/);
  assert.match(text, /Flushing after every record sent 100 messages at|was \*\*not\*\* slower/);
  assert.match(text, /\*\*Q4, default linger\*\* \(`linger\.ms=5`, `acks=all`\): 15 of 15 messages consumed/);
  assert.match(text, /\*\*Q4, long linger\*\* \(`linger\.ms=10000`, `acks=all`\): 15 of 15 messages consumed/);
  assert.match(text, /Answer, from these runs|do not show the expected pattern/);
});

test("02's HTML opens offline without errors; 03's draws its three timelines", async () => {
  const page02 = await inspectReport(runs["02-code-review"].html!);
  assert.deepEqual(page02.pageErrors, []);
  assert.deepEqual(page02.failedRequests, []);
  const shot = path.join(out, "03.png");
  const page03 = await inspectReport(runs["03-flush-semantics"].html!, { screenshot: shot });
  assert.deepEqual(page03.pageErrors, []);
  assert.deepEqual(page03.failedRequests, []);
  assert.equal(page03.charts, 3);
  assert.deepEqual(page03.tracesPerChart, [3, 3, 3], "produced, acknowledged and consumed in each");
  assert.ok(fs.statSync(shot).size > 10_000);
});
