/**
 * Whose submission it is: STUDENT_NAME from the environment or .env, and the file name the
 * assignment asks for, "assignment1_{your name}", made safe from any name.
 */
import { clean, readEnv, type Env } from "../config/env";
import { PLACEHOLDER } from "../config/connection";
import { ConfigError } from "../core/errors";

export const STUDENT_NAME_KEY = "STUDENT_NAME";

/** Longest name part of a file name (file systems allow 255 bytes; graders' tools like less). */
const MAX_STEM = 80;

/** How to set the name, for every message that asks for it (ends with a full stop). */
export const HOW_TO_SET =
  `put ${STUDENT_NAME_KEY}="Your Name" in .env (or run \`${STUDENT_NAME_KEY}="Your Name" npm run submission\`); ` +
  'it names the Problem 2 file, e.g. "Ada Lovelace" gives assignment1_Ada_Lovelace.md.';

/** The name as the submission shows it: blanks folded, control characters removed. */
export function studentName(env: Env = readEnv()): string {
  const raw = clean(env[STUDENT_NAME_KEY]);
  if (!raw) throw new ConfigError(STUDENT_NAME_KEY, `not set; ${HOW_TO_SET}`);
  const name = raw.replace(/[\p{Cc}\s]+/gu, " ").trim();
  if (PLACEHOLDER.test(name) || /^your name$/i.test(name))
    throw new ConfigError(STUDENT_NAME_KEY, `'${name}' is a placeholder; ${HOW_TO_SET}`);
  if (!/[\p{L}\p{N}]/u.test(name)) throw new ConfigError(STUDENT_NAME_KEY, `'${name}' has no letter or digit; ${HOW_TO_SET}`);
  return name;
}

/**
 * A name as a file-name part that is safe everywhere: letters (any script, accents kept) and
 * digits, every run of anything else one underscore; "Ada Lovelace" → "Ada_Lovelace",
 * "O'Brien, Seán" → "O_Brien_Seán", "../../etc" → "etc".
 */
export function safeFileStem(name: string): string {
  const stem = name
    .normalize("NFC")
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
  const cut = [...stem].slice(0, MAX_STEM).join("").replace(/_+$/, "");
  if (!cut) throw new ConfigError(STUDENT_NAME_KEY, `'${name}' has no letter or digit; ${HOW_TO_SET}`);
  return cut;
}

/** The Problem 2 file's name: assignment1_<name>.md. */
export function assignmentFileName(name: string): string {
  return `assignment1_${safeFileStem(name)}.md`;
}
