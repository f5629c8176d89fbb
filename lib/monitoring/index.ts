/**
 * Monitoring as the tuning framework asks (section D and E): producer metrics from librdkafka's
 * statistics and delivery reports in Prometheus (exporter.ts, metrics.ts), broker metrics through
 * the JMX exporter (monitoring/jmx/kafka-broker.yml, started by lib/broker), Prometheus run by the
 * project (prometheus.ts) with recording rules (rules.ts), the Grafana dashboard (panels.ts,
 * dashboard.ts) and its panels queried from Prometheus' HTTP API (api.ts) for the notebooks
 * (`import * as monitoring from "../dist/lib/monitoring"`).
 */
export { query, queryRange, targets, type InstantSample, type RangeSeries, type TargetHealth } from "./api";
export { buildDashboard, DASHBOARD_FILE, type DashboardJson } from "./dashboard";
export { generatedFiles, writeGeneratedFiles } from "./generated";
export {
  awaitScrape,
  exporterFromEnv,
  lingerForScrape,
  runningExporter,
  settleRates,
  startExporter,
  stopExporter,
  type Exporter,
} from "./exporter";
export { monitoringLayout, monitoringRequested, RATE_WINDOW, RATE_WINDOW_S, SCRAPE_INTERVAL_S, type MonitoringLayout } from "./layout";
export { ClientMetrics } from "./metrics";
export { expandQuery, PANELS, type PanelQuery, type PanelRow, type PanelSpec } from "./panels";
export {
  ensureMonitoring,
  prometheusStatus,
  startPrometheus,
  stopPrometheus,
  type MonitorOptions,
  type PrometheusStatus,
} from "./prometheus";
export { DOCKER_BROKER_METRICS_PORT, RECORDING_RULES, recordingRulesYaml, type RecordingRule, type ScrapeSetup } from "./rules";
export {
  compareWithHarness,
  comparisonFigure,
  comparisonText,
  panelData,
  showPanels,
  type PanelData,
  type RunLike,
  type RunView,
} from "./notebook";
