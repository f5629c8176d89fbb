/** Monitoring without a running Prometheus: librdkafka's statistics as metrics, the generated files, the dashboard's queries. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../../lib/config";
import { onEmission, StatisticsRecorder, type LibrdkafkaStats } from "../../lib/core";
import {
  buildDashboard,
  ClientMetrics,
  expandQuery,
  generatedFiles,
  PANELS,
  RECORDING_RULES,
  recordingRulesYaml,
} from "../../lib/monitoring";

const win = (cnt: number, sum: number, p50: number, p99: number) => ({ min: 0, max: p99, avg: cnt ? sum / cnt : 0, sum, p50, p99, cnt });

/** An emission shaped like librdkafka's (STATISTICS.md), with only the fields the exporter reads. */
function emission(n: { tx: number; txmsgs: number[]; rttCnt: number; lag?: number }): LibrdkafkaStats {
  return {
    name: "kafka-producer-perf#producer-1",
    type: n.lag === undefined ? "producer" : "consumer",
    ts: 1,
    tx: n.tx,
    rx: n.tx - 1,
    txmsgs: n.txmsgs.reduce((a, b) => a + b, 0),
    msg_cnt: 7,
    msg_size: 700,
    brokers: {
      "127.0.0.1:9092/bootstrap": { nodeid: -1, tx: 1, rx: 1 },
      "127.0.0.1:9092/1": { nodeid: 1, tx: n.tx - 1, rx: n.tx - 2, txerrs: 2, rtt: win(n.rttCnt, n.rttCnt * 4000, 3000, 9000) },
    },
    topics: {
      t1: {
        batchcnt: win(2, 10, 5, 6),
        partitions: Object.fromEntries(
          n.txmsgs.map((m, p) => [String(p), { partition: p, txmsgs: m, txbytes: m * 100, msgs_inflight: 1, consumer_lag: n.lag ?? -1 }]),
        ),
      },
    },
  } as unknown as LibrdkafkaStats;
}

async function sampleValues(m: ClientMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await m.registry.metrics()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

test("a statistics emission becomes counters, gauges and summaries with client_id and topic labels", async () => {
  const m = new ClientMetrics();
  m.apply(emission({ tx: 10, txmsgs: [300, 200], rttCnt: 4 }), { topic: "t1", delivered: 450, failed: 3 });
  const v = await sampleValues(m);
  const c = 'client_id="kafka-producer-perf#producer-1"';
  assert.equal(v.get(`kafka_producer_messages_sent_total{${c},topic="t1"}`), 500, "txmsgs summed over the partitions");
  assert.equal(v.get(`kafka_producer_bytes_sent_total{${c},topic="t1"}`), 50_000);
  assert.equal(v.get(`kafka_producer_messages_delivered_total{${c},topic="t1"}`), 450, "from the delivery totals, not from txmsgs");
  assert.equal(v.get(`kafka_producer_delivery_errors_total{${c},topic="t1"}`), 3);
  assert.equal(v.get(`kafka_producer_requests_total{${c}}`), 10);
  assert.equal(v.get(`kafka_producer_responses_total{${c}}`), 9);
  assert.equal(v.get(`kafka_producer_request_errors_total{${c},kind="send"}`), 2);
  assert.equal(v.get(`kafka_producer_queue_messages{${c}}`), 7);
  assert.equal(v.get(`kafka_producer_inflight_messages{${c},topic="t1"}`), 2);
  assert.equal(v.get(`kafka_producer_request_rtt_seconds_count{${c},broker="1"}`), 4, "the bootstrap connection is not a broker");
  assert.ok(Math.abs(v.get(`kafka_producer_request_rtt_seconds_sum{${c},broker="1"}`)! - 0.016) < 1e-12, "µs become seconds");
  assert.equal(v.get(`kafka_producer_request_rtt_seconds{${c},broker="1",quantile="0.99"}`), 0.009);
});

test("counters follow librdkafka's cumulative values: a second emission adds only what grew", async () => {
  const m = new ClientMetrics();
  m.apply(emission({ tx: 10, txmsgs: [300, 200], rttCnt: 4 }), { topic: "t1", delivered: 450, failed: 0 });
  m.apply(emission({ tx: 15, txmsgs: [400, 250], rttCnt: 2 }), { topic: "t1", delivered: 640, failed: 0 });
  const v = await sampleValues(m);
  const c = 'client_id="kafka-producer-perf#producer-1"';
  assert.equal(v.get(`kafka_producer_messages_sent_total{${c},topic="t1"}`), 650);
  assert.equal(v.get(`kafka_producer_messages_delivered_total{${c},topic="t1"}`), 640);
  assert.equal(v.get(`kafka_producer_requests_total{${c}}`), 15);
  assert.equal(v.get(`kafka_producer_request_rtt_seconds_count{${c},broker="1"}`), 6, "each window's requests add up");
});

test("a consumer's statistics give kafka_consumer_lag_messages per partition; an unknown lag (-1) is left out", async () => {
  const m = new ClientMetrics();
  m.apply(emission({ tx: 3, txmsgs: [0, 0], rttCnt: 0, lag: 42 }));
  m.apply({ ...emission({ tx: 3, txmsgs: [0], rttCnt: 0, lag: -1 }), name: "other#consumer-2" } as LibrdkafkaStats);
  const v = await sampleValues(m);
  assert.equal(v.get('kafka_consumer_lag_messages{client_id="kafka-producer-perf#producer-1",topic="t1",partition="1"}'), 42);
  assert.ok(![...v.keys()].some((k) => k.includes("other#consumer-2")));
});

test("a StatisticsRecorder hands every emission and its client's delivery totals to the listeners", () => {
  const seen: number[] = [];
  const off = onEmission((s, d) => seen.push(s.tx, d?.delivered ?? -1));
  const rec = new StatisticsRecorder();
  rec.deliveries = () => ({ topic: "t", delivered: 5, failed: 0 });
  rec.add(JSON.stringify(emission({ tx: 4, txmsgs: [1], rttCnt: 0 })), 0);
  off();
  rec.add(JSON.stringify(emission({ tx: 9, txmsgs: [1], rttCnt: 0 })), 1);
  assert.deepEqual(seen, [4, 5]);
});

test("the committed monitoring files are what lib/monitoring generates (`node dist/scripts/monitor.js generate` updates them)", () => {
  for (const [file, text] of Object.entries(generatedFiles())) {
    assert.ok(fs.existsSync(file), `${path.relative(paths.root, file)} is missing`);
    assert.equal(fs.readFileSync(file, "utf8"), text, `${path.relative(paths.root, file)} is out of date`);
  }
});

test("the recording rules derive the tuning framework's names from counters with rate()", () => {
  const names = RECORDING_RULES.map((r) => r.record);
  assert.ok(names.includes("kafka_producer_message_rate") && names.includes("kafka_producer_error_rate"));
  for (const r of RECORDING_RULES) assert.match(r.expr, /rate\([a-z_]+_(total|sum)(\{[^}]*\})?\[5s\]\)/, r.record);
  assert.match(
    recordingRulesYaml(),
    /record: kafka_producer_message_rate\n\s+expr: "rate\(kafka_producer_messages_delivered_total\[5s\]\)"/,
  );
});

test("the dashboard has the seed's three panels with a topic variable, a broker row and consumer lag, every query on a defined metric", async () => {
  const d = buildDashboard();
  assert.deepEqual(
    d.templating.list.map((v) => v.name),
    ["datasource", "topic"],
  );
  const titles = d.panels.map((p) => p.title);
  assert.equal(new Set(d.panels.map((p) => p.id)).size, d.panels.length, "every panel and row has its own id");
  for (const t of ["Producer Message Rate per Client", "Total Message Rate per Topic", "Error Rate per Client", "Consumer Lag per Topic"])
    assert.ok(titles.includes(t), t);
  assert.ok(d.panels.some((p) => p.type === "row" && /Broker perspective/.test(p.title)));
  const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  assert.equal(exprs.length, PANELS.flatMap((p) => p.queries).length);
  assert.ok(exprs.includes('kafka_producer_message_rate{topic=~"$topic"}'));
  // Every metric a query names is recorded by a rule, exported by our producers, or made by the JMX exporter's rules.
  const jmx = [...fs.readFileSync(path.join(paths.monitoring, "jmx", "kafka-broker.yml"), "utf8").matchAll(/^\s+name: (\S+)/gm)].map(
    (m) => m[1],
  );
  const exported = (await new ClientMetrics().registry.getMetricsAsJSON()).map((x) => x.name);
  const known = new Set([...RECORDING_RULES.map((r) => r.record), ...exported, ...jmx]);
  for (const e of exprs) {
    const names =
      expandQuery(e)
        .match(/\b[a-z][a-z0-9_:]*(?=[{)[ ]|$)/g)
        ?.filter((n) => n.includes("_")) ?? [];
    for (const n of names)
      assert.ok(known.has(n) || known.has(n.replace(/_(sum|count)$/, "")), `${n} (in ${e}) is not a metric anything defines`);
  }
});
