/** The getting-started port on the embedded broker: library API and the two CLIs. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBroker } from "../lib/broker";
import { createLogger, demoFailedDeliveries, demoGracefulShutdown, firstOffsets, runExampleConsumer, runExampleProducer, topicMessageCount, withGroup } from "../lib/examples";
import { loadExampleConfig } from "../lib/ini-config";
import { paths } from "../lib/paths";
import { seededRandom } from "../lib/schema";

const iniFile = path.join(paths.root, "config", "getting_started.ini");
const producerConfig = () => loadExampleConfig(iniFile, "producer");
const consumerConfig = () => withGroup(loadExampleConfig(iniFile, "consumer"), `test-examples-${Date.now()}`);
const quiet = () => createLogger("text", () => undefined);

before(async () => {
  await ensureBroker();
});

function cli(script: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(paths.root, "dist", "scripts", script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("the producer sends 10 random purchases (key = user id, value = product) and the consumer reads them back", { timeout: 90_000 }, async () => {
  const topic = `test-examples-${Date.now()}`;
  const log = quiet();
  const run = await runExampleProducer({ config: producerConfig(), topic, count: 10, random: seededRandom(7), log });
  assert.deepEqual([run.produced, run.delivered, run.failed, run.flush.stillInQueue, run.exitCode], [10, 10, 0, 0, 0]);
  assert.ok(run.poll.ms < 10_000, "poll(10 s) returns once callbacks are served");
  assert.ok(run.deliveries.every((d) => ["eabara", "htanaka", "jsmith", "jbernard", "awalther", "sgarcia"].includes(d.key ?? "")));
  assert.ok(run.deliveries.every((d) => ["alarm clock", "t-shirts", "batteries", "book", "gift card"].includes(d.value)));
  assert.equal(log.entries.filter((e) => e.event === "delivered").length, 10);
  assert.match(log.entries.find((e) => e.event === "delivered")!.message, /^Produced event to topic test-examples-\d+ \[partition 0, offset \d+\]: key = \w+ +value = /);
  assert.equal(run.settings["enable.idempotence"], "true");

  const back = await runExampleConsumer({ config: consumerConfig(), topic, reset: true, maxMessages: 10, timeoutMs: 30_000, pollTimeoutMs: 200, log: quiet() });
  assert.equal(back.stoppedBecause, "max");
  assert.deepEqual(back.messages.map((m) => [m.key, m.value]), run.deliveries.map((d) => [d.key, d.value]));
  // Reading from this run's first offsets gives the same messages.
  const again = await runExampleConsumer({ config: consumerConfig(), topic, startOffsets: firstOffsets(run.deliveries), maxMessages: 10, timeoutMs: 30_000, log: quiet() });
  assert.equal(again.messages.length, 10);
});

test("the consumer honours auto.offset.reset=earliest from the INI file without --reset", { timeout: 60_000 }, async () => {
  const topic = `test-examples-earliest-${Date.now()}`;
  await runExampleProducer({ config: producerConfig(), topic, count: 3, log: quiet() });
  const back = await runExampleConsumer({ config: consumerConfig(), topic, maxMessages: 3, timeoutMs: 20_000, pollTimeoutMs: 200, log: quiet() });
  assert.equal(back.messages.length, 3, "a fresh group starts at the earliest offset");
});

test("failed deliveries: broker-rejected size, invalid topic, and produce()'s own refusal", { timeout: 60_000 }, async () => {
  const topic = `test-examples-fail-${Date.now()}`;
  const demo = await demoFailedDeliveries(producerConfig(), topic, quiet());
  const errors = demo.deliveries.filter((d) => !d.ok).map((d) => d.error).sort();
  assert.deepEqual(errors, ["Broker: Invalid topic", "Broker: Message size too large"]);
  assert.equal(demo.refused.length, 1);
  assert.equal(await topicMessageCount(producerConfig(), topic), 0);
});

test("the producer CLI runs, and bad arguments or configuration are clear errors with exit code 2", { timeout: 90_000 }, async () => {
  const topic = `test-examples-cli-${Date.now()}`;
  const ok = await cli("example-producer.js", [iniFile, "--topic", topic, "--count", "3", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const events = ok.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; level: string });
  assert.deepEqual(events.map((e) => e.event), ["started", "delivered", "delivered", "delivered", "finished"]);
  const consumed = await cli("example-consumer.js", [iniFile, "--topic", topic, "--reset", "--max", "3"]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal((consumed.stdout.match(/^Consumed event from topic /gm) ?? []).length, 3);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-ini-"));
  const typo = path.join(dir, "typo.ini");
  fs.writeFileSync(typo, "[default]\nbootstrap.servers=127.0.0.1:9092\nlinger.mss=5\n");
  const cases: [string, string[], RegExp][] = [
    ["example-producer.js", [], /the config file is missing/],
    ["example-producer.js", [path.join(dir, "none.ini")], /none\.ini: does not exist/],
    ["example-producer.js", [typo], /typo\.ini \[default\] line 3: 'linger\.mss' is not a librdkafka configuration property/],
    ["example-producer.js", [iniFile, "--count", "zero"], /--count 'zero' must be a whole number/],
    ["example-producer.js", [iniFile, "--nope"], /Unknown option '--nope'/],
    ["example-consumer.js", [typo], /no \[consumer\] section|linger\.mss/],
    ["example-consumer.js", [path.join(paths.root, "config", "getting_started.cloud.ini")], /still a placeholder/],
  ];
  for (const [script, args, message] of cases) {
    const r = await cli(script, args);
    assert.equal(r.code, 2, `${script} ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(!/\n\s+at /.test(r.stderr), "no stack trace");
  }
});

test("SIGINT: the producer stops, flushes what it produced, disconnects and exits 130", { timeout: 90_000 }, async () => {
  const topic = `test-examples-sigint-${Date.now()}`;
  const d = await demoGracefulShutdown(iniFile, topic, 500);
  assert.equal(d.exitCode, 130);
  const stop = d.log.find((e) => e.event === "shutdown");
  assert.ok(stop, "a shutdown line is logged");
  assert.ok(typeof stop.produced === "number" && stop.produced > 0);
  assert.equal(d.delivered, stop.produced);
  assert.equal(d.onTopic, stop.produced, "nothing produced was lost");
});
