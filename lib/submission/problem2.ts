/**
 * Problem 2's answers, read from their one source: notebook 02's markdown. Every sub-question of
 * the assignment has one markdown cell tagged `problem2`, with the question's id in the cell's
 * metadata (`"problem2": "1.1"`), laid out as
 *
 *   ## 1. Configuration                      (in the first cell of a section: its heading)
 *
 *   **What is the purpose of the `config_file` argument in the script?**
 *
 *   > The concise answer, one or two sentences.
 *
 *   The evidence and detail, as long as it needs to be.
 *
 * The notebook shows the cells as they are; the submission takes the question and the quoted
 * concise answer of each. Nothing here holds an answer.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { paths, projectRelative } from "../config/paths";
import { ConfigError } from "../core/errors";

/** The tag of an answer cell; its metadata key of the same name holds the question's id. */
export const PROBLEM2_TAG = "problem2";

/** Problem 2's sub-questions in the assignment's order: section.question (section 6 is the extra credit). */
export const PROBLEM2_QUESTIONS: readonly string[] = Object.freeze([
  "1.1",
  "1.2",
  "1.3",
  "2.1",
  "2.2",
  "3.1",
  "3.2",
  "3.3",
  "4.1",
  "4.2",
  "4.3",
  "5.1",
  "5.2",
  "6.1",
]);

/** The assignment asks for "concise and straight forward answers (1-2 sentences)". */
export const MAX_SENTENCES = 2;

export const CODE_REVIEW_NOTEBOOK = path.join(paths.notebooks, "02-code-review.ipynb");

export interface Problem2Answer {
  /** "1.1" … "6.1". */
  id: string;
  /** The section heading, e.g. "1. Configuration". */
  section: string;
  /** The question as the notebook states it (markdown: code spans kept, emphasis dropped). */
  question: string;
  /** The concise answer (markdown, one paragraph). */
  answer: string;
}

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[]; [PROBLEM2_TAG]?: unknown };
}

const SECTION = /^##\s+(\d+)\.\s+(.+?)\s*$/;

/**
 * Sentences of a markdown paragraph. A sentence ends at `.`, `?` or `!` followed by a space and a
 * capital, a digit or a quote; dots inside code spans, links, numbers ("2.8"), file names and the
 * abbreviations e.g., i.e., etc. and vs. end nothing. Colons and semicolons join clauses.
 */
export function sentences(markdown: string): string[] {
  const text = plainMarkdown(markdown)
    .replace(/`[^`]*`/g, "CODE")
    .replace(/\(https?:[^)\s]*\)/g, "(URL)")
    .replace(/\b(e\.g|i\.e|etc|vs|cf)\./gi, "$1")
    .replace(/(\d)\.(\d)/g, "$1$2")
    .replace(/\s+/g, " ")
    .trim();
  if (!text) return [];
  return text
    .split(/(?<=[.?!]["')\]]*)\s+(?=["'(]?[A-Z0-9])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Markdown with the formatting a plain-text reader would trip over removed: quote marks, emphasis, links (kept as "text (url)"); code spans stay. */
export function plainMarkdown(markdown: string): string {
  const unquoted = markdown
    .split("\n")
    .map((l) => l.replace(/^\s*>\s?/, ""))
    .join("\n")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1 ($2)")
    .replace(/\*\*(.+?)\*\*/gs, "$1");
  return unquoted
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/(^|[\s(])[*_]([^*_\s][^*_]*)[*_](?=[\s).,;:!?]|$)/g, "$1$2")))
    .join("")
    .trim();
}

const joined = (source: string | string[]): string => (Array.isArray(source) ? source.join("") : source);

/** One answer cell, checked: the bold question first, then the concise answer as a quote. */
function answerOf(cell: NotebookCell, id: string, section: string, where: string): Problem2Answer {
  const paragraphs = joined(cell.source)
    .split("\n")
    .filter((l) => !/^#{1,6}\s/.test(l))
    .join("\n")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const bold = /^\*\*([\s\S]+)\*\*$/.exec(paragraphs[0] ?? "");
  const quote = paragraphs[1]?.split("\n") ?? [];
  if (!bold || quote.length === 0 || !quote.every((l) => l.startsWith(">"))) {
    throw new ConfigError(
      where,
      `question ${id}'s cell must open with the question in bold (**…**), then the concise answer as a quote (> …); ` +
        "fix the cell's markdown in JupyterLab.",
    );
  }
  const answer = plainMarkdown(paragraphs[1]).replace(/\s*\n\s*/g, " ");
  const count = sentences(answer).length;
  if (count === 0 || count > MAX_SENTENCES) {
    throw new ConfigError(
      where,
      `question ${id}'s concise answer has ${count} sentences; the assignment asks for 1-${MAX_SENTENCES}. ` +
        "Shorten the quoted answer (move the rest to the detail below it).",
    );
  }
  return { id, section, question: plainMarkdown(bold[1]).replace(/\s*\n\s*/g, " "), answer };
}

/** The answers in the notebook's cells, checked: every sub-question once, in order, under its section, each 1-2 sentences. */
export function parseProblem2(notebookJson: string, file: string = CODE_REVIEW_NOTEBOOK): Problem2Answer[] {
  const where = projectRelative(file);
  let cells: NotebookCell[];
  try {
    cells = (JSON.parse(notebookJson) as { cells: NotebookCell[] }).cells;
    if (!Array.isArray(cells)) throw new Error("no cells");
  } catch (e) {
    throw new ConfigError(where, `not a notebook (${(e as Error).message}); restore it with \`git checkout ${where}\`.`);
  }
  const answers: Problem2Answer[] = [];
  let section: { number: string; title: string } | undefined;
  for (const cell of cells) {
    if (cell.cell_type !== "markdown") continue;
    for (const line of joined(cell.source).split("\n")) {
      const m = SECTION.exec(line);
      if (m) section = { number: m[1], title: `${m[1]}. ${m[2]}` };
    }
    if (!cell.metadata?.tags?.includes(PROBLEM2_TAG)) continue;
    const id = String(cell.metadata[PROBLEM2_TAG] ?? "");
    if (!PROBLEM2_QUESTIONS.includes(id)) {
      throw new ConfigError(where, `a cell tagged ${PROBLEM2_TAG} has the question id '${id}'; ids are ${PROBLEM2_QUESTIONS.join(", ")}.`);
    }
    if (section?.number !== id.split(".")[0]) {
      throw new ConfigError(where, `question ${id} is not under its section's "## ${id.split(".")[0]}. …" heading.`);
    }
    answers.push(answerOf(cell, id, section.title, where));
  }
  const ids = answers.map((a) => a.id);
  const missing = PROBLEM2_QUESTIONS.filter((id) => !ids.includes(id));
  if (missing.length || ids.join() !== PROBLEM2_QUESTIONS.join()) {
    throw new ConfigError(
      where,
      missing.length
        ? `no answer cell for question${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (a markdown cell tagged ${PROBLEM2_TAG} with its id).`
        : `the answer cells must hold each question once, in order (${PROBLEM2_QUESTIONS.join(", ")}); found ${ids.join(", ")}.`,
    );
  }
  return answers;
}

/** Problem 2's answers from notebook 02 (or another notebook file laid out the same way). */
export function readProblem2(file: string = CODE_REVIEW_NOTEBOOK): Problem2Answer[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(
      projectRelative(file),
      `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); restore it with git.`,
    );
  }
  return parseProblem2(text, file);
}
