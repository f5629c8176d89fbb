/**
 * Monitoring without a running Prometheus: librdkafka's statistics as metrics, the generated files, the dashboard's queries,
 * the wait for the rates to settle, and the process helpers Prometheus shares with the broker.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { paths } from "../../lib/config";
import { onEmission, StatisticsRecorder, type LibrdkafkaStats } from "../../lib/core";
import { isOurProcess, portInUseText, readPidFile, tailLines } from "../../lib/core/processes";
import {
  buildDashboard,
  ClientMetrics,
  expandQuery,
  generatedFiles,
  PANELS,
  RATE_WINDOW,
  RATE_WINDOW_S,
  RECORDING_RULES,
  recordingRulesYaml,
  SCRAPE_INTERVAL_S,
  settleRates,
} from "../../lib/monitoring";
import { writeIfChanged } from "../../lib/monitoring/prometheus";

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

test("settleRates waits one rate() window and one scrape interval (after this process's last scrape: none here)", async (t) => {
  assert.equal(RATE_WINDOW, `${RATE_WINDOW_S}s`, "the PromQL window is the numeric one");
  const waitMs = (RATE_WINDOW_S + SCRAPE_INTERVAL_S) * 1000;
  assert.equal(waitMs, 6_000, "the 6 s notebook 08 waited by hand");
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  let done = false;
  const settled = settleRates().then(() => (done = true));
  await turn();
  t.mock.timers.tick(waitMs - 1);
  await turn();
  assert.equal(done, false, "not before the window and the interval have passed");
  t.mock.timers.tick(1);
  await settled;
  assert.equal(done, true);
});

test("writeIfChanged writes a file (and its folder) only when its text differs", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-write-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "sub", "prometheus.yml");
  assert.equal(writeIfChanged(file, "a: 1\n"), true, "a new file");
  const written = fs.statSync(file).mtimeMs;
  assert.equal(writeIfChanged(file, "a: 1\n"), false, "the same text");
  assert.equal(fs.statSync(file).mtimeMs, written, "left untouched");
  assert.equal(writeIfChanged(file, "a: 2\n"), true, "other text");
  assert.equal(fs.readFileSync(file, "utf8"), "a: 2\n");
});

test("the process helpers Prometheus shares with the broker: pid file, log tail, whose process, the port-in-use refusal", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-proc-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pidFile = path.join(dir, "x.pid");
  assert.equal(readPidFile(pidFile), undefined, "no file");
  for (const bad of ["", "1", "12abc", "-5", "0x10"]) {
    fs.writeFileSync(pidFile, bad);
    assert.equal(readPidFile(pidFile), undefined, JSON.stringify(bad));
  }
  fs.writeFileSync(pidFile, "4242\n");
  const pf = readPidFile(pidFile)!;
  assert.equal(pf.pid, 4242);
  assert.equal(pf.startedAt, fs.statSync(pidFile).mtime.toISOString());
  assert.ok(pf.ageMs >= 0 && pf.ageMs < 60_000, String(pf.ageMs));

  const log = path.join(dir, "x.log");
  assert.deepEqual(tailLines(log, 3), [], "no file");
  fs.writeFileSync(log, "one\ntwo\n\n  \nthree\nfour\n\n");
  assert.deepEqual(tailLines(log, 3), ["two", "three", "four"], "the last non-blank lines");
  assert.deepEqual(tailLines(log, 10, "one\ntwo\n".length), ["three", "four"], "from a byte on");
  assert.deepEqual(tailLines(log, 10, 10_000), ["one", "two", "three", "four"], "from the start when the file is shorter");

  const self = process.argv[1];
  assert.equal(isOurProcess(process.pid, [self]), true, "this test process, by its script");
  assert.equal(isOurProcess(process.pid, [self, "--not-an-argument-of-ours"]), false, "every needle must be there");
  const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
  assert.equal(isOurProcess(gone, []), false, "an ended process is nobody's");

  const holders = [
    { pid: 12, name: "node", cmd: "node server.js", address: "127.0.0.1:9090" },
    { pid: 12, name: "node", cmd: "node server.js", address: "[::1]:9090" },
    { pid: 13, name: "java", address: "0.0.0.0:9090" },
  ];
  assert.equal(
    portInUseText("127.0.0.1", 9090, holders, "Prometheus"),
    "127.0.0.1:9090 is already in use by node (pid 12: node server.js), java (pid 13), which is not the Prometheus this project " +
      "started. Fix: stop that process (kill 12 13)",
  );
  assert.match(
    portInUseText("127.0.0.1", 9093, [], "broker", "the KRaft controller listener"),
    /^127\.0\.0\.1:9093 \(the KRaft controller listener\) is already in use by a process this user cannot identify \(try `ss -ltnp 'sport = :9093'`.*\. Fix: stop that process$/,
  );
});
