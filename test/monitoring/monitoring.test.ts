/**
 * Monitoring for real: the project's Prometheus (started and stopped by `monitor.js`, the commands
 * behind `npm run monitor:*`), the shared embedded broker with its JMX exporter, and a small
 * `MONITORING=1 npm run bench`. Every dashboard panel's query must return data for that run (consumer
 * lag: a valid query, its metric comes from the consumer side), and the exporter's delivered counter
 * must equal the bench's delivered count. Prometheus is left as it was found (running or not).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBroker } from "../../lib/broker";
import { paths } from "../../lib/config";
import { EXIT_CODES, portAccepting, portHolders, runChild, type ChildResult } from "../../lib/core";
import {
  expandQuery,
  monitoringLayout,
  PANELS,
  prometheusStatus,
  query,
  queryRange,
  startExporter,
  stopExporter,
} from "../../lib/monitoring";
import type { BenchReport } from "../../lib/bench";
import { instance } from "../../lib/broker/layout";
import { HOST } from "../../lib/broker/properties";
import { escapeRegExp } from "../../lib/core/format";
import { processesWith } from "../support/processes";

const L = monitoringLayout();
/** The embedded broker's JMX exporter (its metrics port follows the broker's base port). */
const brokerMetricsPort = instance().nodes[0].metricsPort;
const T = { timeout: 240_000 };
const reports = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-monitoring-"));
let wasRunning = false;

function monitor(command: string, env: Record<string, string> = {}): Promise<ChildResult> {
  return runChild(process.execPath, [path.join(paths.root, "dist", "scripts", "monitor.js"), command], {
    env: { ...process.env, ...env },
    timeoutMs: 60_000,
  });
}

/** Processes whose command line names our Prometheus config: what "no process left" is checked against. */
const ourPrometheusProcesses = () => processesWith(`--config.file=${L.config}`);

before(async () => {
  await ensureBroker();
  wasRunning = (await prometheusStatus()).state === "running";
});

after(async () => {
  if (wasRunning) await monitor("start");
  else await monitor("stop");
  fs.rmSync(reports, { recursive: true, force: true });
});

test("monitor start runs Prometheus with the broker's target up; a second start finds it and returns at once", T, async () => {
  const first = await monitor("start");
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`Prometheus running on ${escapeRegExp(L.url)} \\(pid (\\d+)\\)`));
  assert.match(first.stdout, new RegExp(`kafka-brokers ${escapeRegExp(`${HOST}:${brokerMetricsPort}`)} \\(embedded broker\\): up`));
  const pid = Number(/pid (\d+)/.exec(first.stdout)![1]);
  const second = await monitor("start");
  assert.equal(second.code, 0, second.stderr);
  assert.equal(Number(/pid (\d+)/.exec(second.stdout)![1]), pid, "the same process");
  assert.ok(second.ms < 5_000, `a second start took ${second.ms} ms`);
  assert.deepEqual(ourPrometheusProcesses(), [pid]);
});

let report: BenchReport;

test("MONITORING=1 npm run bench leaves producer and broker series in Prometheus", T, async () => {
  const args = ["--records", "60000", "--producers", "ours-async,ours-sync,confluent-kafkajs", "--sync-records", "300"];
  const bench = await runChild(
    process.execPath,
    [
      path.join(paths.root, "dist", "scripts", "bench.js"),
      ...args,
      "--repeats",
      "1",
      "--harness-pairs",
      "0",
      "--ladder-repeats",
      "0",
      "--sync-wait-repeats",
      "0",
      "--warmup",
      "0",
      "--min-seconds",
      "0",
      "--placements",
      "unpinned",
    ],
    { env: { ...process.env, MONITORING: "1", REPORTS_DIR: reports }, timeoutMs: 180_000 },
  );
  assert.equal(bench.code, 0, bench.stderr);
  assert.match(bench.stderr, new RegExp(`Monitoring: Prometheus on ${escapeRegExp(L.url)}`));
  const file = fs.readdirSync(reports).find((f) => /^bench-.*\.json$/.test(f));
  report = JSON.parse(fs.readFileSync(path.join(reports, file!), "utf8")) as BenchReport;
  assert.equal(report.environment.monitoring, "on (Prometheus scraping every second)");
  const end = Date.parse(report.finishedAt) / 1000 + 5;
  const producers = await query(L.url, `count(last_over_time(kafka_producer_messages_delivered_total{program="bench"}[10m]))`, end);
  const broker = await query(L.url, 'count(kafka_server_messages_in_total{cluster="embedded"})', end);
  assert.ok(producers[0]?.value >= 3, "one producer series per run");
  assert.ok(broker[0]?.value >= 1, "the broker's series");
});

test("every dashboard panel's query returns data for the bench run (consumer lag: a valid query)", T, async () => {
  const start = Date.parse(report.startedAt) / 1000 - 2;
  const end = Date.parse(report.finishedAt) / 1000 + 5;
  const topics = report.runs.map((r) => r.topic).join("|");
  for (const panel of PANELS) {
    for (const q of panel.queries) {
      const series = await queryRange(L.url, expandQuery(q.expr, { topic: panel.row === "broker" ? ".*" : topics }), start, end, 1);
      const points = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
      if (panel.fedByProducers) assert.ok(points.length > 0, `panel ${panel.id} "${panel.title}": no data for ${q.expr}`);
    }
  }
  // The run's own rate was seen (not only zeros) by the seed's first panel.
  const rate = await queryRange(L.url, expandQuery(PANELS[0].queries[0].expr, { topic: topics }), start, end, 1);
  assert.ok(
    rate.flatMap((s) => s.points).some(([, v]) => v > 0),
    "kafka_producer_message_rate rose during the run",
  );
});

test(
  "the exporter's delivered counter for each run equals the bench's delivered count, and every sent message was acknowledged",
  T,
  async () => {
    const end = Date.parse(report.finishedAt) / 1000 + 5;
    for (const run of report.runs) {
      const last = async (metric: string) =>
        (await query(L.url, `sum(last_over_time(${metric}{topic="${run.topic}"}[10m]))`, end))[0]?.value;
      assert.equal(await last("kafka_producer_messages_delivered_total"), run.figures.delivered, `${run.producer} delivered`);
      assert.equal(
        await last("kafka_producer_messages_sent_total"),
        run.figures.delivered,
        `${run.producer}: txmsgs (written into requests) = acknowledged once flushed`,
      );
      assert.equal(await last("kafka_producer_delivery_errors_total"), 0, `${run.producer} errors`);
    }
  },
);

test("nothing the monitoring runs listens on 0.0.0.0: Prometheus, an exporter and the broker's agent are on loopback", T, async () => {
  const exporter = await startExporter();
  try {
    const status = await prometheusStatus();
    const ours = new Set([status.pid, process.pid]);
    const broker = portHolders(brokerMetricsPort).map((h) => h.pid);
    assert.ok(broker.length > 0, `the broker's JMX exporter listens on ${brokerMetricsPort}`);
    for (const pid of broker) ours.add(pid);
    const listeners = portHolders().filter((h) => ours.has(h.pid));
    assert.ok(
      listeners.some((h) => h.address === `127.0.0.1:${L.port}`),
      "Prometheus",
    );
    assert.ok(
      listeners.some((h) => exporter.url.includes(h.address)),
      "this process's exporter",
    );
    for (const h of listeners)
      assert.match(h.address, /^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/, `${h.name} (pid ${h.pid}) listens on ${h.address}`);
  } finally {
    await stopExporter(0);
  }
});

test("a port already in use is a clear error naming its holder; stop leaves no process and status says stopped", T, async () => {
  const stop = await monitor("stop");
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(ourPrometheusProcesses(), [], "no Prometheus process is left");
  assert.equal(await portAccepting("127.0.0.1", L.port, 500), false);
  assert.match((await monitor("status")).stdout, /^Prometheus is stopped/);
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(L.port, "127.0.0.1", resolve));
  try {
    const start = await monitor("start");
    assert.equal(start.code, EXIT_CODES.connection);
    assert.match(start.stderr, new RegExp(`127\\.0\\.0\\.1:${L.port} is already in use by node \\(pid ${process.pid}`));
    assert.match(start.stderr, /PROMETHEUS_PORT/);
    assert.deepEqual(ourPrometheusProcesses(), [], "nothing was left running");
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});
