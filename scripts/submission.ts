/**
 * `npm run submission`: gathers what a student hands in into reports/submission/: the Problem 2
 * file assignment1_<STUDENT_NAME>.md (each question and its concise answer, from notebook 02),
 * notebook 01 executed and its HTML report, the other notebooks' reports, a manifest (size and
 * SHA-256 of each file) and a zip of them all. Nothing is written when a file would hold the SASL
 * password, the project's absolute path, the home directory or the user name.
 *
 *   STUDENT_NAME="Ada Lovelace" npm run submission      (or STUDENT_NAME in .env)
 *
 * Exit codes (lib/core/errors.ts, the same for every command): 0 done; 2 STUDENT_NAME missing or
 * unusable, a report missing (run `npm start` first), a report refused by the scan, or notebook
 * 02's answer cells malformed (each message names the fix); 1 an unexpected error.
 */
import { projectRelative } from "../lib/config";
import { runCommand, UsageError } from "../lib/core";
import { buildSubmission, submissionSummary } from "../lib/submission";

const USAGE = 'usage: STUDENT_NAME="Your Name" npm run submission   (STUDENT_NAME may be in .env instead)';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (args.length) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
  console.log(submissionSummary(buildSubmission(), projectRelative));
  return 0;
}

runCommand(main, { usage: USAGE });
