/**
 * Where monitoring keeps what, and the one place that names its ports and intervals. Everything
 * listens on 127.0.0.1: Prometheus on PROMETHEUS_PORT (default 9090), each producing process's
 * exporter on a port of its own (announced to Prometheus by a file in .monitoring/targets/, file
 * service discovery), the broker's JMX exporter on its node's metrics port (lib/broker).
 */
import * as path from "node:path";
import { paths } from "../config/paths";
import { clean, readEnv, type Env } from "../config/env";
import { flag, wholeNumber } from "../core/validate";

export const MONITORING_HOST = "127.0.0.1";
/** Prometheus scrapes every target, and evaluates the recording rules, this often. */
export const SCRAPE_INTERVAL_S = 1;
/** The window of the recording rules' rate(), s: several scrapes, so one late scrape does not drop a rate to nothing. */
export const RATE_WINDOW_S = 5;
/** RATE_WINDOW_S as PromQL writes a range ("5s"). */
export const RATE_WINDOW = `${RATE_WINDOW_S}s`;
/** Scrape jobs: our producers' exporters and the brokers' JMX exporters. */
export const JOBS = { producers: "kafka-producers", brokers: "kafka-brokers" } as const;

export interface MonitoringLayout {
  /** .monitoring/: git-ignored. */
  home: string;
  binary: string;
  /** Debian's package puts promtool beside prometheus. */
  promtool: string;
  config: string;
  data: string;
  /** One JSON file per producing process (file_sd). */
  targets: string;
  pidFile: string;
  log: string;
  startLock: string;
  /** The recording rules, written from lib/monitoring/rules.ts at every start. */
  rules: string;
  port: number;
  url: string;
}

/** MONITORING (environment over .env): whether `npm start` and `npm run bench` publish metrics to Prometheus. */
export function monitoringRequested(env: Env = readEnv()): boolean {
  const raw = clean(env.MONITORING);
  return raw !== undefined && flag("MONITORING", raw);
}

export function monitoringLayout(env: Env = readEnv()): MonitoringLayout {
  const home = paths.monitoringState;
  const port = wholeNumber("PROMETHEUS_PORT", clean(env.PROMETHEUS_PORT) ?? 9090, { min: 1024, max: 65_000 });
  const binary = clean(env.PROMETHEUS_BIN) ?? path.join(home, "prometheus", "usr", "bin", "prometheus");
  return {
    home,
    binary,
    promtool: path.join(path.dirname(binary), "promtool"),
    config: path.join(home, "prometheus.yml"),
    data: path.join(home, "data"),
    targets: path.join(home, "targets"),
    pidFile: path.join(home, "prometheus.pid"),
    log: path.join(home, "prometheus.log"),
    startLock: path.join(home, "start.lock"),
    rules: path.join(home, "recording-rules.yml"),
    port,
    url: `http://${MONITORING_HOST}:${port}`,
  };
}
