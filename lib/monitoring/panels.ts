/**
 * The dashboard's panels as data: one list that the Grafana dashboard (dashboard.ts), the
 * notebook's Plotly version of it and the test that runs every query against Prometheus all read.
 * The tuning framework's three panels (section E: per-producer rate, topic aggregate rate,
 * errors) with a `topic` variable and real metric names, the producers' own request figures, a
 * broker-perspective row from the JMX exporter, and consumer lag.
 *
 * Queries may use `$topic` (Grafana's multi-value variable, a regex: `=~"$topic"`); `expandQuery()`
 * fills it in for Prometheus' API.
 */
import { RATE_WINDOW } from "./layout";

export type PanelRow = "producers" | "broker" | "consumers";

export interface PanelQuery {
  expr: string;
  /** Grafana's legend format, e.g. "{{client_id}}". */
  legend: string;
}

export interface PanelSpec {
  id: number;
  row: PanelRow;
  title: string;
  description: string;
  /** Grafana unit id ("suffix:msg/s" is a custom suffix). */
  unit: string;
  kind: "timeseries" | "stat";
  queries: PanelQuery[];
  /**
   * Whether a run of the bench must give it data: false only for consumer lag, whose metric comes
   * from the consumer side (kafka_consumer_lag_messages, lib/monitoring/metrics.ts) once a
   * consumer's statistics are recorded.
   */
  fedByProducers: boolean;
}

export const ROW_TITLES: Readonly<Record<PanelRow, string>> = {
  producers: "Producers (librdkafka statistics and delivery reports, from each producing process)",
  broker: "Broker perspective (JMX exporter in the broker's JVM)",
  consumers: "Consumers",
};

const q = (expr: string, legend: string): PanelQuery => ({ expr, legend });
const producer = "{{client_id}} ({{program}}, pid {{pid}})";

export const PANELS: readonly PanelSpec[] = [
  {
    id: 1,
    row: "producers",
    title: "Producer Message Rate per Client",
    description:
      "Messages acknowledged per second (delivery reports), per producer: kafka_producer_message_rate, rate() over " + RATE_WINDOW,
    unit: "suffix:msg/s",
    kind: "timeseries",
    queries: [q('kafka_producer_message_rate{topic=~"$topic"}', producer)],
    fedByProducers: true,
  },
  {
    id: 2,
    row: "producers",
    title: "Total Message Rate per Topic",
    description: "Every producer's acknowledged messages per second added up, per topic",
    unit: "suffix:msg/s",
    kind: "timeseries",
    queries: [q('sum by (topic) (kafka_producer_message_rate{topic=~"$topic"})', "{{topic}}")],
    fedByProducers: true,
  },
  {
    id: 3,
    row: "producers",
    title: "Error Rate per Client",
    description: "Failed deliveries per second (delivery reports with an error), per producer: kafka_producer_error_rate",
    unit: "suffix:msg/s",
    kind: "timeseries",
    queries: [q('kafka_producer_error_rate{topic=~"$topic"}', producer)],
    fedByProducers: true,
  },
  {
    id: 4,
    row: "producers",
    title: "Requests and Broker Round Trip per Client",
    description:
      "Requests per second the client sent (librdkafka tx) and the mean round trip of its requests, from librdkafka's statistics",
    unit: "short",
    kind: "timeseries",
    queries: [
      q(`sum by (client_id, program, pid) (rate(kafka_producer_requests_total[${RATE_WINDOW}]))`, "requests/s {{client_id}} (pid {{pid}})"),
      q(
        `1000 * avg by (client_id, program, pid) (kafka_producer_request_rtt_seconds:mean${RATE_WINDOW})`,
        "mean rtt ms {{client_id}} (pid {{pid}})",
      ),
    ],
    fedByProducers: true,
  },
  {
    id: 5,
    row: "producers",
    title: "Local Queue and In-flight Messages",
    description: "Messages in the client's queue (librdkafka msg_cnt) and in produce requests awaiting their response (msgs_inflight)",
    unit: "short",
    kind: "timeseries",
    queries: [
      q("kafka_producer_queue_messages", "queued {{client_id}} (pid {{pid}})"),
      q('sum by (client_id, program, pid) (kafka_producer_inflight_messages{topic=~"$topic"})', "in flight {{client_id}} (pid {{pid}})"),
    ],
    fedByProducers: true,
  },
  {
    id: 6,
    row: "broker",
    title: "Messages In per Topic (broker)",
    description: "Messages the broker appended per second, per topic (Kafka's MessagesInPerSec count, rate() over " + RATE_WINDOW + ")",
    unit: "suffix:msg/s",
    kind: "timeseries",
    queries: [q(`topic:kafka_server_messages_in:rate${RATE_WINDOW}{topic=~"$topic"}`, "{{topic}} ({{cluster}})")],
    fedByProducers: true,
  },
  {
    id: 7,
    row: "broker",
    title: "Bytes In and Out (broker, all topics)",
    description: "Bytes per second from producers and to consumers and followers (Kafka's BytesInPerSec and BytesOutPerSec counts)",
    unit: "Bps",
    kind: "timeseries",
    queries: [
      q(`cluster:kafka_server_bytes_in:rate${RATE_WINDOW}`, "in ({{cluster}})"),
      q(`cluster:kafka_server_bytes_out:rate${RATE_WINDOW}`, "out ({{cluster}})"),
    ],
    fedByProducers: true,
  },
  {
    id: 8,
    row: "broker",
    title: "Produce Requests per Second (broker)",
    description: "Produce requests the broker handled per second (Kafka's RequestsPerSec for Produce)",
    unit: "reqps",
    kind: "timeseries",
    queries: [q(`cluster:kafka_network_produce_requests:rate${RATE_WINDOW}`, "{{cluster}}")],
    fedByProducers: true,
  },
  {
    id: 9,
    row: "broker",
    title: "Produce Request Time and Queue Time (broker)",
    description:
      "Median and 99th percentile of a produce request's total time in the broker and of its wait in the request queue (Kafka's TotalTimeMs, RequestQueueTimeMs)",
    unit: "ms",
    kind: "timeseries",
    queries: [
      q('kafka_network_request_total_time_ms{request="Produce"}', "total p{{quantile}} ({{cluster}})"),
      q('kafka_network_request_queue_time_ms{request="Produce"}', "queue p{{quantile}} ({{cluster}})"),
    ],
    fedByProducers: true,
  },
  {
    id: 10,
    row: "broker",
    title: "Under-replicated Partitions",
    description:
      "Partitions whose in-sync replicas are fewer than their replicas (Kafka's ReplicaManager UnderReplicatedPartitions), per broker",
    unit: "short",
    kind: "stat",
    queries: [q("sum by (cluster, instance) (kafka_server_under_replicated_partitions)", "{{cluster}} {{instance}}")],
    fedByProducers: true,
  },
  {
    id: 11,
    row: "consumers",
    title: "Consumer Lag per Topic",
    description:
      "Messages consumers have yet to read, per topic: kafka_consumer_lag_messages (librdkafka's consumer_lag per partition), " +
      "published once a consumer's statistics pass through lib/core's StatisticsRecorder with MONITORING on",
    unit: "short",
    kind: "timeseries",
    queries: [q('sum by (topic) (kafka_consumer_lag_messages{topic=~"$topic"})', "{{topic}}")],
    fedByProducers: false,
  },
];

/** A panel query with the dashboard's variables filled in (`topic` is a regex; default: every topic). */
export function expandQuery(expr: string, vars: { topic?: string } = {}): string {
  return expr.replace(/\$topic\b/g, vars.topic ?? ".*");
}
