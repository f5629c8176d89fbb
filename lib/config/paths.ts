/** Where the project's own files live, wherever the caller's working directory is (notebooks run
 *  with notebooks/ as their cwd). This file is compiled to dist/lib/config/paths.js. */
import * as os from "node:os";
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
  /** Java agents setup copies from broker/pom.xml (Prometheus' JMX exporter), off the broker's classpath. */
  brokerAgents: path.join(PROJECT_ROOT, ".broker", "agents"),
  /** Monitoring's committed configuration: JMX exporter rules, recording rules, Grafana and Docker files. */
  monitoring: path.join(PROJECT_ROOT, "monitoring"),
  /** Prometheus as the project runs it: its binary, generated config, data, log and pid (git-ignored). */
  monitoringState: path.join(PROJECT_ROOT, ".monitoring"),
  venvPython: path.join(PROJECT_ROOT, ".venv", "bin", "python"),
  runNotebook: path.join(PROJECT_ROOT, "scripts", "run_notebook.py"),
};

/**
 * `file` as anything printed or written into a report shows it: relative to the project root, or
 * from "~" when it is elsewhere in the home directory (a report must not publish either path).
 */
export function projectRelative(file: string): string {
  const inside = (dir: string) => {
    const rel = path.relative(dir, path.resolve(file));
    return rel.startsWith("..") || path.isAbsolute(rel) ? undefined : rel;
  };
  const rel = inside(PROJECT_ROOT);
  if (rel !== undefined) return rel || ".";
  const home = os.homedir();
  const fromHome = home && home !== path.parse(home).root ? inside(home) : undefined;
  return fromHome === undefined ? file : path.join("~", fromHome);
}

/** Where reports go: REPORTS_DIR when set (tests use a temporary one), else reports/. */
export function reportsDir(env: Record<string, string | undefined> = process.env): string {
  return env.REPORTS_DIR ? path.resolve(env.REPORTS_DIR) : paths.reports;
}
