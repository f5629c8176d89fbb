/**
 * The submission a student hands in, gathered in reports/submission/:
 *
 *   assignment1_<name>.md     Problem 2: each question and its concise answer (from notebook 02)
 *   01-producer-benchmark.ipynb and .html    Problem 1: the executed notebook and its report
 *   <the other notebooks>.html               the reports of the other notebooks that were run
 *   manifest.json             each file with its size and SHA-256
 *   assignment1_<name>.zip    all of the above in one file (fflate)
 *
 * Everything is built in memory and scanned (./privacy.ts) before anything is written: a file
 * holding the SASL password, the project's absolute path, the home directory or the user name is
 * refused, by name, and nothing is written.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import { readEnv, type Env } from "../config/env";
import { paths, projectRelative, reportsDir } from "../config/paths";
import { KppError } from "../core/errors";
import { NOTEBOOK_CATALOG } from "../notebook/reports-index";
import { CODE_REVIEW_NOTEBOOK, readProblem2 } from "./problem2";
import { findPrivate, privateValues } from "./privacy";
import { assignmentFileName, studentName } from "./student";
import { describeFile, problem2Markdown } from "./texts";

/** Problem 1's deliverable: this notebook, executed, and its report. */
export const PROBLEM1_NOTEBOOK = "01-producer-benchmark";
export const SUBMISSION_DIR = "submission";
export const MANIFEST = "manifest.json";

/** Something the student can fix before a submission can be made (a missing report, a report that must not be handed in). */
export class SubmissionError extends KppError {
  constructor(message: string) {
    super("config", message);
  }
}

export interface BundledFile {
  name: string;
  bytes: number;
  sha256: string;
  what: string;
}

export interface Submission {
  student: string;
  dir: string;
  /** The Problem 2 file first, then the notebook files in name order. */
  files: BundledFile[];
  manifest: BundledFile;
  zip: BundledFile;
  ms: number;
}

export interface SubmissionOptions {
  /** Where STUDENT_NAME and REPORTS_DIR come from (default: the environment over .env). */
  env?: Env;
  /** The notebook holding the Problem 2 answers (default notebooks/02-code-review.ipynb). */
  notebook?: string;
  now?: Date;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The reports to bundle: notebook 01's executed copy and HTML (required), then every other notebook's HTML that exists. */
function reportFiles(reports: string): string[] {
  const required = [`${PROBLEM1_NOTEBOOK}.ipynb`, `${PROBLEM1_NOTEBOOK}.html`];
  const missing = required.filter((f) => !fs.existsSync(path.join(reports, f)));
  if (missing.length) {
    throw new SubmissionError(
      `${missing.map((f) => projectRelative(path.join(reports, f))).join(" and ")} ${missing.length > 1 ? "are" : "is"} missing: ` +
        "run `npm start` first (it runs the notebooks and writes their reports), then `npm run submission`.",
    );
  }
  const others = fs
    .readdirSync(paths.notebooks)
    .filter((f) => f.endsWith(".ipynb") && f !== `${PROBLEM1_NOTEBOOK}.ipynb`)
    .map((f) => f.replace(/\.ipynb$/, ".html"))
    .filter((f) => fs.existsSync(path.join(reports, f)))
    .sort();
  return [...required, ...others];
}

function bundled(name: string, data: Uint8Array): BundledFile {
  const title = (stem: string) => NOTEBOOK_CATALOG.find((n) => n.name === stem)?.title;
  return { name, bytes: data.byteLength, sha256: sha256(data), what: describeFile(name, title) };
}

/** Builds reports/submission/ (REPORTS_DIR/submission), replacing what an earlier run left there. */
export function buildSubmission(opts: SubmissionOptions = {}): Submission {
  const started = performance.now();
  const env = opts.env ?? readEnv();
  const student = studentName(env);
  const answers = readProblem2(opts.notebook ?? CODE_REVIEW_NOTEBOOK);
  const reports = reportsDir(env);
  const contents = new Map<string, Uint8Array>([[assignmentFileName(student), Buffer.from(problem2Markdown(answers, student))]]);
  for (const f of reportFiles(reports)) contents.set(f, fs.readFileSync(path.join(reports, f)));

  const forbidden = privateValues(env);
  const refusals = [...contents].flatMap(([name, data]) =>
    findPrivate(Buffer.from(data).toString("utf8"), forbidden).map(
      (what) => `${projectRelative(path.join(reports, name))} contains ${what}`,
    ),
  );
  if (refusals.length) {
    throw new SubmissionError(
      `refusing to make the submission: ${refusals.join("; ")}. ` +
        "Show paths relative to the project (projectRelative in lib/config) and no secret in the notebook that wrote it, run it again (`npm start`), " +
        "then `npm run submission`.",
    );
  }

  const dir = path.join(reports, SUBMISSION_DIR);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files = [...contents].map(([name, data]) => {
    fs.writeFileSync(path.join(dir, name), data);
    return bundled(name, data);
  });
  const now = opts.now ?? new Date();
  const manifestData = Buffer.from(JSON.stringify({ student, generated: now.toISOString(), files }, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, MANIFEST), manifestData);
  const zipData = zipSync(Object.fromEntries([...contents, [MANIFEST, manifestData]]), { level: 6, mtime: now });
  const zipName = assignmentFileName(student).replace(/\.md$/, ".zip");
  fs.writeFileSync(path.join(dir, zipName), zipData);
  return {
    student,
    dir,
    files,
    manifest: bundled(MANIFEST, manifestData),
    zip: bundled(zipName, zipData),
    ms: performance.now() - started,
  };
}
