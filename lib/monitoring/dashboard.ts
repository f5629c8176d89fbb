/**
 * The Grafana dashboard "Kafka Producer Tuning", built with @grafana/grafana-foundation-sdk from
 * the panel list (panels.ts): a Prometheus data source variable (so it works with whichever
 * Prometheus data source Grafana has), a multi-value `topic` variable from the producers' own
 * series, and one row per perspective. Written to monitoring/grafana/kafka-producer-tuning.json by
 * `node dist/scripts/monitor.js generate`; Docker's Grafana provisions it from there.
 */
import * as path from "node:path";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { paths } from "../config/paths";
import { PANELS, ROW_TITLES, type PanelRow, type PanelSpec } from "./panels";

export const DASHBOARD_UID = "kafka-producer-tuning";
export const DASHBOARD_FILE = path.join(paths.monitoring, "grafana", "kafka-producer-tuning.json");

/** The data source every query goes to: the dashboard's `datasource` variable. */
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** The parts of the dashboard JSON the tests read (the rest is Grafana's schema). */
export interface DashboardJson {
  uid: string;
  title: string;
  panels: { type: string; title: string; id?: number; targets?: { expr: string; legendFormat?: string; refId: string }[] }[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
  [key: string]: unknown;
}

function panel(spec: PanelSpec) {
  const builder = spec.kind === "stat" ? new StatPanelBuilder() : new TimeseriesPanelBuilder().fillOpacity(10).lineWidth(1);
  builder.id(spec.id).title(spec.title).description(spec.description).datasource(DATASOURCE).unit(spec.unit).height(8).span(12);
  spec.queries.forEach((query, i) =>
    builder.withTarget(
      new DataqueryBuilder()
        .datasource(DATASOURCE)
        .expr(query.expr)
        .legendFormat(query.legend)
        .refId(String.fromCharCode(65 + i))
        .range(),
    ),
  );
  return builder;
}

/** The dashboard as Grafana's JSON model. */
export function buildDashboard(): DashboardJson {
  const topic = new QueryVariableBuilder("topic")
    .label("topic")
    .description("Topics the producers wrote to (bench runs use a fresh topic each)")
    .datasource(DATASOURCE)
    .query({ query: "label_values(kafka_producer_messages_delivered_total, topic)", refId: "topics" })
    .definition("label_values(kafka_producer_messages_delivered_total, topic)")
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
  const builder = new DashboardBuilder("Kafka Producer Tuning")
    .uid(DASHBOARD_UID)
    .description("The tuning framework's panels (section E) on this project's metrics: producers, broker perspective, consumer lag")
    .tags(["kafka", "producer", "tuning"])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: "now-15m", to: "now" })
    .refresh("5s")
    .withVariable(new DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus"))
    .withVariable(topic);
  (Object.keys(ROW_TITLES) as PanelRow[]).forEach((row, i) => {
    // Rows are panels too: ids after the panels', every id unique.
    builder.withRow(new RowBuilder(ROW_TITLES[row]).id(100 + i));
    for (const spec of PANELS.filter((p) => p.row === row)) builder.withPanel(panel(spec));
  });
  return builder.build() as unknown as DashboardJson;
}

/** The dashboard file's text: JSON, two-space indented. */
export function dashboardText(): string {
  return JSON.stringify(buildDashboard(), null, 2) + "\n";
}
