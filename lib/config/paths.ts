/** Where the project's own files live, wherever the caller's working directory is (notebooks run
 *  with notebooks/ as their cwd). This file is compiled to dist/lib/config/paths.js. */
import * as path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");

export const paths = {
  root: PROJECT_ROOT,
  envFile: path.join(PROJECT_ROOT, ".env"),
  notebooks: path.join(PROJECT_ROOT, "notebooks"),
  data: path.join(PROJECT_ROOT, "data"),
  reports: path.join(PROJECT_ROOT, "reports"),
  /** Embedded broker home: jars, config, data and logs (git-ignored). */
  broker: path.join(PROJECT_ROOT, ".broker"),
  brokerPom: path.join(PROJECT_ROOT, "broker", "pom.xml"),
  venvPython: path.join(PROJECT_ROOT, ".venv", "bin", "python"),
  runNotebook: path.join(PROJECT_ROOT, "scripts", "run_notebook.py"),
};

/** `file` relative to the project root, for anything printed or written into a report. */
export function projectRelative(file: string): string {
  const rel = path.relative(PROJECT_ROOT, path.resolve(file));
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel || ".";
}

/** Where reports go: REPORTS_DIR when set (tests use a temporary one), else reports/. */
export function reportsDir(env: Record<string, string | undefined> = process.env): string {
  return env.REPORTS_DIR ? path.resolve(env.REPORTS_DIR) : paths.reports;
}
