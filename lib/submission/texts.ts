/**
 * What the submission says: the Problem 2 file (plain markdown, as the assignment asks: each
 * question and its concise answer, no tables, no HTML) and the lines `npm run submission` prints.
 */
import { projectRelative } from "../config/paths";
import { fmt } from "../core/format";
import { BYTES_PER_MB } from "../core/units";
import type { Submission } from "./bundle";
import type { Problem2Answer } from "./problem2";
import { HOW_TO_SET, STUDENT_NAME_KEY } from "./student";

export const REVIEWED_SCRIPT_URL = "https://developer.confluent.io/get-started/python/#build-producer";

/** assignment1_<name>.md: a title, the student, what was reviewed, then every question with its answer under its section. */
export function problem2Markdown(answers: readonly Problem2Answer[], student: string): string {
  const out = [
    "# Assignment 1, Problem 2: Reading and Understanding the Kafka Producer",
    "",
    `Student: ${student}`,
    "",
    `The code reviewed is producer.py from Confluent's "Getting Started with Apache Kafka and Python" (${REVIEWED_SCRIPT_URL}). ` +
      "Notebook 02 of the project (02-code-review) shows each behaviour at work and gives the sources of every answer.",
  ];
  let section = "";
  for (const a of answers) {
    if (a.section !== section) {
      section = a.section;
      out.push("", `## ${section}`);
    }
    out.push("", `Q: ${a.question}`, "", `A: ${a.answer}`);
  }
  return out.join("\n") + "\n";
}

/** What each file of the bundle is, for the manifest. */
export function describeFile(name: string, notebookTitle: (stem: string) => string | undefined): string {
  if (name.endsWith(".md")) return "Problem 2: each question and its concise answer";
  if (name.endsWith(".zip")) return "every file of the submission, with the manifest, in one zip";
  if (name.endsWith(".json")) return "each file of the submission with its size and SHA-256";
  const stem = name.replace(/\.(ipynb|html)$/, "");
  const title = notebookTitle(stem) ?? stem;
  return name.endsWith(".ipynb") ? `${title}: the executed notebook` : `${title}: the report (HTML, opens offline)`;
}

/** The lines `npm run submission` (and the end of `npm start`) print. */
export function submissionSummary(s: Submission, where: (file: string) => string): string {
  const size = (bytes: number) => `${fmt(bytes / BYTES_PER_MB, 2)} MB`;
  return [
    `Submission for ${s.student} in ${where(s.dir)} (${s.ms.toFixed(0)} ms):`,
    ...s.files.map((f) => `  ${f.name.padEnd(Math.max(...s.files.map((x) => x.name.length)))}  ${size(f.bytes).padStart(9)}`),
    `  ${s.manifest.name} (size and SHA-256 of each file) and ${s.zip.name} (${size(s.zip.bytes)}, all of them)`,
    `Hand in ${s.files[0].name} for Problem 2 and ${s.files.find((f) => f.name.endsWith(".ipynb"))?.name ?? "the notebook"} for Problem 1 ` +
      `(or the zip, if one file is asked for).`,
  ].join("\n");
}

/** What `npm start` says instead of making the submission (into dir, the reports' submission folder) when STUDENT_NAME is not set. */
export function submissionHint(dir: string): string {
  return `Submission: \`npm start\` also gathers what you hand in into ${projectRelative(dir)}/ once ${STUDENT_NAME_KEY} is set: ${HOW_TO_SET}`;
}
