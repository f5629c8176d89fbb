/**
 * The submission: Problem 2's concise answers read from notebook 02 (one source), counted in
 * sentences; the student's name and its safe file name; the scan for what a report must not hold;
 * and `npm run submission` end to end on reports made for the test (no broker, no notebook run).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { paths, PROJECT_ROOT } from "../../lib/config";
import { ConfigError, runChild } from "../../lib/core";
import { escapeRegExp } from "../../lib/core/format";
import {
  assignmentFileName,
  findPrivate,
  MAX_SENTENCES,
  parseProblem2,
  plainMarkdown,
  privateValues,
  PROBLEM2_QUESTIONS,
  readProblem2,
  safeFileStem,
  sentences,
  studentName,
  SUBMISSION_DIR,
  submissionHint,
  type Problem2Answer,
} from "../../lib/submission";
import { HOW_TO_SET } from "../../lib/submission/student";

test("sentences: code spans, numbers, file names, links and e.g./i.e. end none; . ? ! before a capital do", () => {
  assert.equal(sentences("One. Two? Three!").length, 3);
  assert.equal(sentences("`poll(10000)` waits up to 10,000 s (about 2.8 hours), e.g. in producer.py; i.e. long.").length, 1);
  assert.equal(sentences("It calls `msg.value().decode('utf-8')`. Then `flush()` returns.").length, 2);
  assert.equal(sentences("See [the docs](https://docs.example.com/a.b.html). Done.").length, 2);
  assert.equal(sentences('It prints "Produced event to topic …" with the key. The end.').length, 2);
  assert.equal(sentences("").length, 0);
});

test("plainMarkdown drops quote marks, emphasis and link syntax, and keeps code spans", () => {
  assert.equal(
    plainMarkdown("> **Why** is *it* _so_?\n> [docs](https://x.y/z) and `a_b_c` and `**kw`"),
    "Why is it so?\ndocs (https://x.y/z) and `a_b_c` and `**kw`",
  );
});

/** A notebook holding the answer cells given, each with its question id. */
function notebook(cells: { id?: string; source: string }[]): string {
  return JSON.stringify({
    cells: cells.map((c) => ({
      cell_type: "markdown",
      metadata: c.id ? { tags: ["problem2"], problem2: c.id } : {},
      source: c.source,
    })),
  });
}

function fullNotebook(override: Record<string, string> = {}): { id?: string; source: string }[] {
  return PROBLEM2_QUESTIONS.map((id) => ({
    id,
    source: `${id.endsWith(".1") ? `## ${id[0]}. Section ${id[0]}\n\n` : ""}**Question ${id}?**\n\n${override[id] ?? `> Answer ${id}.`}\n\nDetail.`,
  }));
}

test("notebook 02 answers every sub-question once, in order, with a concise answer of 1-2 sentences", () => {
  const answers = readProblem2();
  assert.deepEqual(
    answers.map((a) => a.id),
    [...PROBLEM2_QUESTIONS],
  );
  for (const a of answers) {
    const n = sentences(a.answer).length;
    assert.ok(n >= 1 && n <= MAX_SENTENCES, `${a.id}: ${n} sentences`);
    assert.ok(!/[*>]|\]\(/.test(a.question + a.answer), `${a.id} keeps markdown formatting: ${a.question} / ${a.answer}`);
    assert.match(a.question, /[?.]$/);
  }
  assert.equal(answers[0].section, "1. Configuration");
  assert.match(answers[0].question, /^What is the purpose of the `config_file` argument in the script\?$/);
  assert.equal(answers[13].section, "6. General understanding (extra credit)");
});

test("a malformed answer cell is a ConfigError naming the notebook, the question and the fix", () => {
  const bad = (cells: { id?: string; source: string }[], message: RegExp) =>
    assert.throws(
      () => parseProblem2(notebook(cells), path.join(paths.notebooks, "02-code-review.ipynb")),
      (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && e.key === "notebooks/02-code-review.ipynb" && message.test(e.message),
    );
  assert.equal(parseProblem2(notebook(fullNotebook())).length, PROBLEM2_QUESTIONS.length);
  bad(fullNotebook({ "3.2": "> One. Two. Three." }), /question 3\.2's concise answer has 3 sentences; the assignment asks for 1-2/);
  bad(
    fullNotebook({ "1.1": "Not quoted." }),
    /question 1\.1's cell must open with the question in bold .* then the concise answer as a quote/,
  );
  bad(
    fullNotebook().filter((c) => c.id !== "5.2"),
    /no answer cell for question 5\.2/,
  );
  bad(
    fullNotebook().map((c) => (c.id === "2.1" ? { ...c, source: c.source.replace("## 2.", "## 7.") } : c)),
    /question 2\.1 is not under its section/,
  );
  bad([{ id: "9.9", source: "**Q?**\n\n> A." }], /the question id '9\.9'/);
});

test("STUDENT_NAME: required, not a placeholder; any name gives a safe file name", () => {
  assert.equal(studentName({ STUDENT_NAME: "  Ada \t Lovelace \n" }), "Ada Lovelace");
  for (const env of [{}, { STUDENT_NAME: "  " }, { STUDENT_NAME: "<your name>" }, { STUDENT_NAME: "Your Name" }, { STUDENT_NAME: "?!" }]) {
    assert.throws(
      () => studentName(env),
      (e: unknown) =>
        e instanceof ConfigError && e.key === "STUDENT_NAME" && e.exitCode === 2 && /STUDENT_NAME="Your Name" in \.env/.test(e.message),
      JSON.stringify(env),
    );
  }
  assert.equal(assignmentFileName("Ada Lovelace"), "assignment1_Ada_Lovelace.md");
  assert.equal(safeFileStem("O'Brien,  Seán"), "O_Brien_Seán");
  assert.equal(safeFileStem("../../etc/passwd"), "etc_passwd");
  assert.equal(safeFileStem("李雷 (Li Lei)"), "李雷_Li_Lei");
  assert.equal([...safeFileStem("x".repeat(300))].length, 80);
  assert.throws(() => safeFileStem("🙂"), ConfigError);
});

test("escapeRegExp: a value with every RegExp metacharacter matches only itself", () => {
  const value = String.raw`C:\Users\a.b (x)+[y]{2}|^$*?/z`;
  const re = new RegExp(`^${escapeRegExp(value)}$`);
  assert.ok(re.test(value));
  assert.ok(!re.test(value.replace(".", "X")), "a dot is a dot");
  assert.ok(!re.test(`${value}${value}`));
});

test("without STUDENT_NAME, npm start names the submission's real folder and says how to set the name", () => {
  const hint = submissionHint(path.join(PROJECT_ROOT, "elsewhere", SUBMISSION_DIR));
  assert.ok(hint.includes(` into elsewhere/${SUBMISSION_DIR}/ `), hint);
  assert.ok(hint.endsWith(HOW_TO_SET), hint);
  assert.match(hint, /STUDENT_NAME="Your Name" npm run submission/);
  assert.ok(!hint.includes(PROJECT_ROOT), "relative to the project");
});

test("the privacy scan finds the project's path and the home directory as wholes, the user name in a path, and the password", () => {
  const values = privateValues({ KAFKA_SASL_PASSWORD: "s3cr3t-Pa55" }, { root: "/home/ada/kpp", home: "/home/ada", user: "ada" });
  const found = (text: string) => findPrivate(text, values);
  assert.deepEqual(found("Data written to reports/01.csv by ada, user student, adapter, Ada"), []);
  assert.deepEqual(found("/home/ada/kpp/reports/x.csv"), [
    "the project's absolute path (/home/ada/kpp)",
    "the home directory (/home/ada)",
    "the user name (ada)",
  ]);
  assert.equal(found("written to /home/ada/kpp.").length, 3, "a path ending a sentence is still the path");
  assert.deepEqual(found("/home/adam/notes, /home/ada-old, /home/ada.d/x"), [], "another directory is not the home directory");
  assert.deepEqual(
    found("C:\\Users\\ada\\kpp and /Users/ada/x"),
    ["the user name (ada)"],
    "the user name as a path segment, elsewhere too",
  );
  assert.deepEqual(found("password s3cr3t-Pa55"), ["the value of KAFKA_SASL_PASSWORD"]);
  assert.deepEqual(
    findPrivate("root ran /root/x", privateValues({}, { root: "/work/kpp", home: "/root", user: "root" })),
    ["the home directory (/root)"],
    "a generic account name is not looked for",
  );
  assert.deepEqual(
    findPrivate('{"path": "/home/jos\\u00e9/kpp"}', privateValues({}, { root: "/w", home: "/home/josé", user: "root" })),
    ["the home directory (/home/josé)"],
    "as JSON spells it too",
  );
});

// ------------------------------------------------------------------ the command, end to end

const LIMIT = { timeout: 60_000 };
const command = path.join(paths.root, "dist", "scripts", "submission.js");

function fakeReports(t: { after: (fn: () => void) => void }, extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "submission-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    "01-producer-benchmark.ipynb": JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }),
    "01-producer-benchmark.html": "<html><body>Problem 1</body></html>",
    "02-code-review.html": "<html><body>Problem 2</body></html>",
    "01-producer-benchmark.batches.csv": "not bundled",
    "99-not-a-notebook.html": "not bundled either",
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const submit = (reports: string, name?: string) =>
  runChild(process.execPath, [command], { env: { ...process.env, REPORTS_DIR: reports, STUDENT_NAME: name ?? "" }, timeoutMs: 30_000 });

test(
  'STUDENT_NAME="Ada Lovelace" npm run submission: the Problem 2 file, the reports, a manifest and a zip that match',
  LIMIT,
  async (t) => {
    const reports = fakeReports(t);
    const r = await submit(reports, "Ada Lovelace");
    assert.equal(r.code, 0, r.stderr);
    const dir = path.join(reports, "submission");
    const md = fs.readFileSync(path.join(dir, "assignment1_Ada_Lovelace.md"), "utf8");
    assert.match(r.stdout, /Submission for Ada Lovelace in .*submission/);

    // Every sub-question, with an answer of at most two sentences; plain markdown: no table, no HTML.
    const expected = readProblem2();
    const qa = [...md.matchAll(/^Q: (.+)\n\nA: (.+)$/gm)].map((m) => ({ question: m[1], answer: m[2] }));
    assert.deepEqual(
      qa.map((x) => x.question),
      expected.map((a: Problem2Answer) => a.question),
    );
    for (const x of qa) {
      const n = sentences(x.answer).length;
      assert.ok(n >= 1 && n <= 2, `"${x.question}": ${n} sentences`);
    }
    assert.match(md, /^Student: Ada Lovelace$/m);
    assert.doesNotMatch(md, /<[a-z][^>]*>|^\s*\|/im, "no HTML, no table");

    // The manifest lists each file with its size and SHA-256; the zip holds the same bytes, plus the manifest.
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
      student: string;
      files: { name: string; bytes: number; sha256: string }[];
    };
    assert.equal(manifest.student, "Ada Lovelace");
    assert.deepEqual(
      manifest.files.map((f) => f.name),
      ["assignment1_Ada_Lovelace.md", "01-producer-benchmark.ipynb", "01-producer-benchmark.html", "02-code-review.html"],
    );
    for (const f of manifest.files) {
      const data = fs.readFileSync(path.join(dir, f.name));
      assert.equal(f.bytes, data.length, f.name);
      assert.equal(f.sha256, createHash("sha256").update(data).digest("hex"), f.name);
    }
    const zipped = unzipSync(fs.readFileSync(path.join(dir, "assignment1_Ada_Lovelace.zip")));
    assert.deepEqual(Object.keys(zipped).sort(), [...manifest.files.map((f) => f.name), "manifest.json"].sort());
    for (const [name, data] of Object.entries(zipped)) assert.ok(Buffer.from(data).equals(fs.readFileSync(path.join(dir, name))), name);
    assert.deepEqual(fs.readdirSync(dir).sort(), Object.keys(zipped).concat("assignment1_Ada_Lovelace.zip").sort());

    // A second run under another name replaces the first.
    assert.equal((await submit(reports, "Grace Hopper")).code, 0);
    assert.ok(!fs.existsSync(path.join(dir, "assignment1_Ada_Lovelace.md")));
  },
);

test("without STUDENT_NAME, or without notebook 01's reports, it exits 2 naming the fix", LIMIT, async (t) => {
  const reports = fakeReports(t);
  const noName = await submit(reports);
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /^Error: STUDENT_NAME: not set; put STUDENT_NAME="Your Name" in \.env/);
  fs.rmSync(path.join(reports, "01-producer-benchmark.html"));
  const noReport = await submit(reports, "Ada Lovelace");
  assert.equal(noReport.code, 2);
  assert.match(noReport.stderr, /01-producer-benchmark\.html is missing: run `npm start` first/);
  assert.ok(!fs.existsSync(path.join(reports, "submission")));
});

test("a report holding the project's absolute path or the home directory is refused by name, and nothing is written", LIMIT, async (t) => {
  const reports = fakeReports(t, { "02-code-review.html": `<td>${PROJECT_ROOT}/config/getting_started.ini</td>` });
  const r = await submit(reports, "Ada Lovelace");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing to make the submission: .*02-code-review\.html contains the project's absolute path/);
  assert.match(r.stderr, /Show paths relative to the project/);
  assert.ok(!fs.existsSync(path.join(reports, "submission")));
});
