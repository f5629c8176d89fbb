/**
 * What a report must never hold: the active SASL password, and what it would tell about the
 * machine it ran on: the project's absolute path, the home directory and the user name (a student
 * who hands in a report must not publish them). scripts/run_notebook.py refuses the same things
 * when it writes a report; this is the check for everything else (the submission, tests).
 *
 * Each value is looked for as written and as JSON and HTML would spell it; a path only as a whole
 * (/root is not /rootfs), and the user name only as a segment of a path (/Users/max/, C:\Users\max\):
 * as a word it is often an ordinary one ("max", "mark") that any report and Plotly's code hold.
 */
import * as os from "node:os";
import { type Env } from "../config/env";
import { PROJECT_ROOT } from "../config/paths";
import { escapeHtml, escapeRegExp } from "../core/format";

/** Environment variables whose values are secrets (the same list npm start gives the notebook runner). */
export const SECRET_KEYS: readonly string[] = Object.freeze(["KAFKA_SASL_PASSWORD"]);

/**
 * Account names every machine of a kind shares (containers, CI, cloud images): they say nothing
 * about a person, and paths like /root/ or /node/ occur in reports. Keep in step with
 * GENERIC_USERS in scripts/run_notebook.py.
 */
export const GENERIC_USERS: readonly string[] = Object.freeze([
  "root",
  "admin",
  "administrator",
  "user",
  "ubuntu",
  "debian",
  "ec2-user",
  "node",
  "runner",
  "jovyan",
  "vscode",
  "codespace",
  "student",
  "guest",
  "vagrant",
  "docker",
  "app",
]);

export interface PrivateValue {
  /** What it is, for a message: "the home directory (/home/ada)"; a secret is named by its key only. */
  label: string;
  pattern: RegExp;
}

/** The spellings of a value in a text file, JSON (with or without \u escapes) and HTML. */
function spellings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const ascii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const html = escapeHtml(value);
  return [...new Set([value, json, ascii, html, html.replace(/'/g, "&#39;"), html.replace(/'/g, "&#x27;")])];
}

const alternativesOf = (value: string) => `(?:${spellings(value).map(escapeRegExp).join("|")})`;

/** A path, not followed by more of a file name ("/root" is not "/rootfs" nor "/root.d", but is "/root." ending a sentence). */
const pathPattern = (value: string) => new RegExp(`${alternativesOf(value)}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`, "u");

/** A name between two path separators. */
const segmentPattern = (value: string) => new RegExp(`(?<=[/\\\\])${alternativesOf(value)}(?=[/\\\\])`, "u");

export interface Machine {
  root?: string;
  home?: string;
  user?: string;
}

/** The machine's private values (and the secrets set in env) a report must not hold. */
export function privateValues(env: Env, machine: Machine = {}): PrivateValue[] {
  const out: PrivateValue[] = [];
  for (const key of SECRET_KEYS) {
    const v = env[key];
    if (v) out.push({ label: `the value of ${key}`, pattern: new RegExp(alternativesOf(v)) });
  }
  const root = machine.root ?? PROJECT_ROOT;
  out.push({ label: `the project's absolute path (${root})`, pattern: pathPattern(root) });
  const home = machine.home ?? os.homedir();
  if (home && home !== "/" && home !== root) out.push({ label: `the home directory (${home})`, pattern: pathPattern(home) });
  let user = machine.user;
  try {
    user ??= os.userInfo().username;
  } catch {
    // no entry for this uid (some containers): nothing to look for
  }
  if (user && !GENERIC_USERS.includes(user.toLowerCase())) out.push({ label: `the user name (${user})`, pattern: segmentPattern(user) });
  return out;
}

/** The labels of the private values `text` holds. */
export function findPrivate(text: string, values: readonly PrivateValue[]): string[] {
  return values.filter((v) => v.pattern.test(text)).map((v) => v.label);
}
