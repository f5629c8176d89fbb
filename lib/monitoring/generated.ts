/**
 * The committed files generated from lib/monitoring (for Docker's Prometheus and Grafana, and for
 * anyone importing the dashboard into their own Grafana): `node dist/scripts/monitor.js generate`
 * writes them, and a unit test fails when one is out of date.
 */
import * as path from "node:path";
import { paths } from "../config/paths";
import { DASHBOARD_FILE, dashboardText } from "./dashboard";
import { writeIfChanged } from "./prometheus";
import { dockerPrometheusYaml, recordingRulesYaml } from "./rules";

/** Each generated file's path and text. */
export function generatedFiles(): Record<string, string> {
  return {
    [DASHBOARD_FILE]: dashboardText(),
    [path.join(paths.monitoring, "prometheus", "recording-rules.yml")]: recordingRulesYaml(),
    [path.join(paths.monitoring, "prometheus", "prometheus.yml")]: dockerPrometheusYaml(),
  };
}

/** Writes the generated files; returns the paths of those that changed. */
export function writeGeneratedFiles(): string[] {
  return Object.entries(generatedFiles())
    .filter(([file, text]) => writeIfChanged(file, text))
    .map(([file]) => file);
}
