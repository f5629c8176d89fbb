/**
 * The submission a student hands in (`npm run submission`, and the end of `npm start`): the
 * Problem 2 file from notebook 02's answer cells, notebook 01 executed with its report, the other
 * reports, a manifest and a zip, all scanned for secrets and private paths first.
 */
export {
  buildSubmission,
  MANIFEST,
  PROBLEM1_NOTEBOOK,
  SUBMISSION_DIR,
  SubmissionError,
  type BundledFile,
  type Submission,
  type SubmissionOptions,
} from "./bundle";
export {
  CODE_REVIEW_NOTEBOOK,
  MAX_SENTENCES,
  parseProblem2,
  plainMarkdown,
  PROBLEM2_QUESTIONS,
  PROBLEM2_TAG,
  readProblem2,
  sentences,
  type Problem2Answer,
} from "./problem2";
export { findPrivate, GENERIC_USERS, privateValues, SECRET_KEYS, type Machine, type PrivateValue } from "./privacy";
export { assignmentFileName, safeFileStem, STUDENT_NAME_KEY, studentName } from "./student";
export { problem2Markdown, REVIEWED_SCRIPT_URL, submissionHint, submissionSummary } from "./texts";
