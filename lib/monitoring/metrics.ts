/**
 * librdkafka's statistics (STATISTICS.md) as Prometheus metrics, through prom-client. Every
 * emission a StatisticsRecorder parses (lib/core/statistics.ts) comes here with its client's
 * delivery totals and updates one registry. What each metric counts:
 *
 * Producers, labels client_id (librdkafka's handle name, `client.id#producer-N`: one per producer
 * in a process; Prometheus' `instance` label tells processes apart) and topic:
 *   kafka_producer_messages_sent_total       messages written into produce requests (librdkafka's
 *                                            per-partition txmsgs): sent, NOT acknowledged
 *   kafka_producer_bytes_sent_total          their bytes (per-partition txbytes)
 *   kafka_producer_messages_delivered_total  messages acknowledged: successful delivery reports, the
 *                                            DeliveryRecorders' count (warm-up included)
 *   kafka_producer_delivery_errors_total     messages whose delivery report carried an error
 *   kafka_producer_inflight_messages         gauge: in produce requests awaiting their response
 *   kafka_producer_batch_messages            summary: messages per batch (per-topic batchcnt window)
 * Producers, label client_id only (librdkafka counts these per connection, not per topic):
 *   kafka_producer_requests_total            requests of every kind sent to brokers (tx)
 *   kafka_producer_responses_total           responses received (rx)
 *   kafka_producer_request_errors_total      transport errors, label kind: send (txerrs), receive
 *                                            (rxerrs), timeout (req_timeouts), summed over brokers
 *   kafka_producer_request_retries_total     requests sent again (txretries)
 *   kafka_producer_queue_messages            gauge: messages in the client's queue, not yet
 *                                            acknowledged or failed (msg_cnt)
 *   kafka_producer_queue_bytes               gauge: their bytes (msg_size)
 *   kafka_producer_request_rtt_seconds       summary per broker (label broker = node id): _sum and
 *                                            _count of every request's round trip; quantiles 0.5 and
 *                                            0.99 of librdkafka's last window (statistics.interval.ms)
 * Consumers (defined here for the consumer side; present once a consumer's statistics pass through
 * a StatisticsRecorder), labels client_id, topic, partition:
 *   kafka_consumer_lag_messages              gauge: messages between the committed offset and the
 *                                            partition's end (librdkafka's consumer_lag; -1 skipped)
 *
 * Counters follow librdkafka's cumulative values: each emission adds what grew since the last one.
 */
import { Counter, Gauge, Registry, Summary } from "prom-client";
import type { DeliveryTotals, LibrdkafkaStats, StatsWindow } from "../core/statistics";

/** The parts of an emission read here, beyond what lib/core reads. */
interface PartitionStats {
  partition: number;
  txmsgs?: number;
  txbytes?: number;
  msgs_inflight?: number;
  consumer_lag?: number;
}

interface TopicStats {
  batchcnt?: StatsWindow & { sum?: number };
  partitions?: Record<string, PartitionStats>;
}

interface FullStats extends LibrdkafkaStats {
  name?: string;
  type?: string;
  msg_size?: number;
  topics?: Record<string, TopicStats>;
}

interface BrokerErrors {
  nodeid: number;
  txerrs?: number;
  rxerrs?: number;
  req_timeouts?: number;
  txretries?: number;
  rtt?: StatsWindow & { sum?: number };
}

type Labels = Record<string, string>;

/**
 * A summary whose values come from librdkafka's windows rather than from prom-client's own digest:
 * _sum and _count add up every window; the quantiles are the last window's.
 */
class WindowSummary<L extends string> extends Summary<L> {
  private readonly series = new Map<string, { labels: Labels; sum: number; count: number; p50: number; p99: number }>();

  constructor(
    private readonly metricName: string,
    private readonly helpText: string,
    labelNames: L[],
    registry: Registry,
  ) {
    super({ name: metricName, help: helpText, labelNames, percentiles: [0.5, 0.99], registers: [registry] });
  }

  /** One window, its values multiplied by scale (µs → s). */
  add(labels: Labels, w: (StatsWindow & { sum?: number }) | undefined, scale = 1): void {
    if (!w || !(w.cnt > 0)) return;
    const key = JSON.stringify(labels);
    const s = this.series.get(key) ?? { labels, sum: 0, count: 0, p50: NaN, p99: NaN };
    s.count += w.cnt;
    s.sum += (w.sum ?? w.avg * w.cnt) * scale;
    s.p50 = w.p50 * scale;
    s.p99 = w.p99 * scale;
    this.series.set(key, s);
  }

  override async get(): Promise<Awaited<ReturnType<Summary<L>["get"]>>> {
    const values: { labels: Labels; value: number; metricName?: string }[] = [];
    for (const s of this.series.values()) {
      values.push({ labels: { ...s.labels, quantile: "0.5" }, value: s.p50 }, { labels: { ...s.labels, quantile: "0.99" }, value: s.p99 });
      values.push({ metricName: `${this.metricName}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.metricName}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.metricName, help: this.helpText, type: "summary" as never, aggregator: "sum", values } as never;
  }
}

const sumOf = <T>(xs: T[], pick: (x: T) => number | undefined) => xs.reduce((s, x) => s + (pick(x) ?? 0), 0);

/** Every metric of the producers (and consumers) of this process, in one registry. */
export class ClientMetrics {
  readonly registry = new Registry();
  /** Each counter's last cumulative value per label set. */
  private readonly last = new Map<Counter<string>, Map<string, number>>();
  private readonly c = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [this.registry] });
  private readonly g = (name: string, help: string, labelNames: string[]) =>
    new Gauge({ name, help, labelNames, registers: [this.registry] });

  private readonly sent = this.c(
    "kafka_producer_messages_sent_total",
    "Messages written into produce requests (librdkafka txmsgs): sent, not acknowledged",
    ["client_id", "topic"],
  );
  private readonly sentBytes = this.c(
    "kafka_producer_bytes_sent_total",
    "Bytes of the messages written into produce requests (librdkafka txbytes)",
    ["client_id", "topic"],
  );
  private readonly delivered = this.c(
    "kafka_producer_messages_delivered_total",
    "Messages acknowledged by the broker (successful delivery reports)",
    ["client_id", "topic"],
  );
  private readonly failed = this.c("kafka_producer_delivery_errors_total", "Messages whose delivery report carried an error", [
    "client_id",
    "topic",
  ]);
  private readonly inflight = this.g(
    "kafka_producer_inflight_messages",
    "Messages in produce requests awaiting their response (librdkafka msgs_inflight)",
    ["client_id", "topic"],
  );
  private readonly requests = this.c("kafka_producer_requests_total", "Requests of every kind sent to brokers (librdkafka tx)", [
    "client_id",
  ]);
  private readonly responses = this.c("kafka_producer_responses_total", "Responses received from brokers (librdkafka rx)", ["client_id"]);
  private readonly requestErrors = this.c(
    "kafka_producer_request_errors_total",
    "Transport errors: send (txerrs), receive (rxerrs), timeout (req_timeouts)",
    ["client_id", "kind"],
  );
  private readonly retries = this.c("kafka_producer_request_retries_total", "Requests sent again (librdkafka txretries)", ["client_id"]);
  private readonly queue = this.g(
    "kafka_producer_queue_messages",
    "Messages in the client's queue, not yet acknowledged or failed (librdkafka msg_cnt)",
    ["client_id"],
  );
  private readonly queueBytes = this.g("kafka_producer_queue_bytes", "Bytes of the messages in the client's queue (librdkafka msg_size)", [
    "client_id",
  ]);
  private readonly rtt = new WindowSummary(
    "kafka_producer_request_rtt_seconds",
    "Broker round-trip time of requests (librdkafka rtt windows), s",
    ["client_id", "broker"],
    this.registry,
  );
  private readonly batch = new WindowSummary(
    "kafka_producer_batch_messages",
    "Messages per produce batch (librdkafka batchcnt windows)",
    ["client_id", "topic"],
    this.registry,
  );
  private readonly lag = this.g(
    "kafka_consumer_lag_messages",
    "Messages between a consumer's committed offset and the partition's end (librdkafka consumer_lag)",
    ["client_id", "topic", "partition"],
  );

  /** One emission (and its client's delivery totals). */
  apply(raw: LibrdkafkaStats, deliveries?: DeliveryTotals): void {
    const s = raw as FullStats;
    const client = s.name ?? "unknown";
    if (s.type === "consumer") return this.applyConsumer(client, s);
    const id = { client_id: client };
    this.grow(this.requests, id, s.tx);
    this.grow(this.responses, id, s.rx);
    const brokers = Object.values(s.brokers ?? {}) as BrokerErrors[];
    this.grow(
      this.requestErrors,
      { ...id, kind: "send" },
      sumOf(brokers, (b) => b.txerrs),
    );
    this.grow(
      this.requestErrors,
      { ...id, kind: "receive" },
      sumOf(brokers, (b) => b.rxerrs),
    );
    this.grow(
      this.requestErrors,
      { ...id, kind: "timeout" },
      sumOf(brokers, (b) => b.req_timeouts),
    );
    this.grow(
      this.retries,
      id,
      sumOf(brokers, (b) => b.txretries),
    );
    this.queue.set(id, s.msg_cnt ?? 0);
    this.queueBytes.set(id, s.msg_size ?? 0);
    for (const b of brokers) if (b.nodeid >= 0) this.rtt.add({ ...id, broker: String(b.nodeid) }, b.rtt, 1e-6);
    for (const [topic, t] of Object.entries(s.topics ?? {})) {
      const parts = Object.values(t.partitions ?? {});
      const labels = { ...id, topic };
      this.grow(
        this.sent,
        labels,
        sumOf(parts, (p) => p.txmsgs),
      );
      this.grow(
        this.sentBytes,
        labels,
        sumOf(parts, (p) => p.txbytes),
      );
      this.inflight.set(
        labels,
        sumOf(parts, (p) => p.msgs_inflight),
      );
      this.batch.add(labels, t.batchcnt);
    }
    if (deliveries) {
      const labels = { ...id, topic: deliveries.topic };
      this.grow(this.delivered, labels, deliveries.delivered);
      this.grow(this.failed, labels, deliveries.failed);
    }
  }

  private applyConsumer(client: string, s: FullStats): void {
    for (const [topic, t] of Object.entries(s.topics ?? {})) {
      for (const p of Object.values(t.partitions ?? {})) {
        if (p.partition < 0 || p.consumer_lag === undefined || p.consumer_lag < 0) continue;
        this.lag.set({ client_id: client, topic, partition: String(p.partition) }, p.consumer_lag);
      }
    }
  }

  /** Brings a counter up to librdkafka's cumulative value (0 creates the series, so a rate of 0 is data too). */
  private grow(counter: Counter<string>, labels: Labels, value: number | undefined): void {
    const seen = this.last.get(counter) ?? new Map<string, number>();
    this.last.set(counter, seen);
    const key = JSON.stringify(labels);
    const v = value ?? 0;
    const before = seen.get(key);
    // A value lower than before can only be a counter that started again: count it from 0.
    const delta = before === undefined ? v : v >= before ? v - before : v;
    seen.set(key, v);
    counter.inc(labels, delta);
  }
}
