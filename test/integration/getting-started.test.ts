/** The getting-started port on the embedded broker: library API and the two CLIs. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBroker } from "../../lib/broker";
import { paths } from "../../lib/config/paths";
import { runChild, type ChildResult } from "../../lib/core/child";
import { seededRandom } from "../../lib/core/random";
import {
  demoFailedDeliveries,
  demoGracefulShutdown,
  firstOffsets,
  loadExampleConfig,
  quietLogger,
  runExampleConsumer,
  runExampleProducer,
  topicMessageCount,
  withGroup,
} from "../../lib/getting-started";

const iniFile = path.join(paths.root, "config", "getting_started.ini");
const producerConfig = () => loadExampleConfig(iniFile, "producer");
const consumerConfig = () => withGroup(loadExampleConfig(iniFile, "consumer"), `test-examples-${Date.now()}`);

before(async () => {
  await ensureBroker();
});

type Command = "producer-cli" | "consumer-cli";

/** Runs one of the example commands, compiled to dist/lib/getting-started/; killed (SIGKILL) after timeoutMs. */
function cli(command: Command, args: string[], timeoutMs = 60_000): Promise<ChildResult> {
  return runChild(process.execPath, [require.resolve(`../../lib/getting-started/${command}`), ...args], { timeoutMs });
}

test(
  "the producer sends 10 random purchases (key = user id, value = product) and the consumer reads them back",
  { timeout: 90_000 },
  async () => {
    const topic = `test-examples-${Date.now()}`;
    const log = quietLogger();
    const run = await runExampleProducer({ config: producerConfig(), topic, count: 10, random: seededRandom(7), log });
    assert.deepEqual([run.produced, run.delivered, run.failed, run.flush.stillInQueue, run.exitCode], [10, 10, 0, 0, 0]);
    assert.ok(run.poll.ms < 10_000, "poll(10 s) returns once callbacks are served");
    assert.ok(run.deliveries.every((d) => ["eabara", "htanaka", "jsmith", "jbernard", "awalther", "sgarcia"].includes(d.key ?? "")));
    assert.ok(run.deliveries.every((d) => ["alarm clock", "t-shirts", "batteries", "book", "gift card"].includes(d.value)));
    assert.equal(log.entries.filter((e) => e.event === "delivered").length, 10);
    assert.match(
      log.entries.find((e) => e.event === "delivered")!.message,
      /^Produced event to topic test-examples-\d+ \[partition 0, offset \d+\]: key = \w+ +value = /,
    );
    assert.equal(run.settings["enable.idempotence"], "true");

    const back = await runExampleConsumer({
      config: consumerConfig(),
      topic,
      reset: true,
      maxMessages: 10,
      timeoutMs: 30_000,
      pollTimeoutMs: 200,
      log: quietLogger(),
    });
    assert.equal(back.stoppedBecause, "max");
    assert.deepEqual(
      back.messages.map((m) => [m.key, m.value]),
      run.deliveries.map((d) => [d.key, d.value]),
    );
    // Reading from this run's first offsets gives the same messages.
    const again = await runExampleConsumer({
      config: consumerConfig(),
      topic,
      startOffsets: firstOffsets(run.deliveries),
      maxMessages: 10,
      timeoutMs: 30_000,
      log: quietLogger(),
    });
    assert.equal(again.messages.length, 10);
  },
);

test("the consumer honours auto.offset.reset=earliest from the INI file without --reset", { timeout: 60_000 }, async () => {
  const topic = `test-examples-earliest-${Date.now()}`;
  await runExampleProducer({ config: producerConfig(), topic, count: 3, log: quietLogger() });
  const back = await runExampleConsumer({
    config: consumerConfig(),
    topic,
    maxMessages: 3,
    timeoutMs: 20_000,
    pollTimeoutMs: 200,
    log: quietLogger(),
  });
  assert.equal(back.messages.length, 3, "a fresh group starts at the earliest offset");
});

test("failed deliveries: broker-rejected size, invalid topic, and produce()'s own refusal", { timeout: 60_000 }, async () => {
  const topic = `test-examples-fail-${Date.now()}`;
  const demo = await demoFailedDeliveries(producerConfig(), topic, quietLogger());
  const errors = demo.deliveries
    .filter((d) => !d.ok)
    .map((d) => d.error)
    .sort();
  assert.deepEqual(errors, ["Broker: Invalid topic", "Broker: Message size too large"]);
  assert.equal(demo.refused.length, 1);
  assert.equal(await topicMessageCount(producerConfig(), topic), 0);
});

test("the producer CLI runs, and bad arguments or configuration are clear errors with exit code 2", { timeout: 90_000 }, async () => {
  const topic = `test-examples-cli-${Date.now()}`;
  const ok = await cli("producer-cli", [iniFile, "--topic", topic, "--count", "3", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const events = ok.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { event: string; level: string });
  assert.deepEqual(
    events.map((e) => e.event),
    ["started", "delivered", "delivered", "delivered", "finished"],
  );
  const consumed = await cli("consumer-cli", [iniFile, "--topic", topic, "--reset", "--max", "3"]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal((consumed.stdout.match(/^Consumed event from topic /gm) ?? []).length, 3);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-ini-"));
  const typo = path.join(dir, "typo.ini");
  fs.writeFileSync(typo, "[default]\nbootstrap.servers=127.0.0.1:9092\nlinger.mss=5\n");
  const cases: [Command, string[], RegExp][] = [
    ["producer-cli", [], /the config file is missing/],
    ["producer-cli", [path.join(dir, "none.ini")], /none\.ini: does not exist/],
    ["producer-cli", [typo], /typo\.ini \[default\] line 3: 'linger\.mss' is not a librdkafka configuration property/],
    [
      "producer-cli",
      [iniFile, "--count", "zero"],
      /--count: 'zero' is not allowed; use a whole number .*\nusage: npm run example:producer/,
    ],
    ["producer-cli", [iniFile, "--nope"], /Unknown option '--nope'/],
    ["consumer-cli", [typo], /no \[consumer\] section|linger\.mss/],
    ["consumer-cli", [path.join(paths.root, "config", "getting_started.cloud.ini")], /still a placeholder/],
  ];
  for (const [command, args, message] of cases) {
    const r = await cli(command, args);
    assert.equal(r.code, 2, `${command} ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(!/\n\s+at /.test(r.stderr), "no stack trace");
  }
});

test("exit codes: 4 when messages are not delivered, 3 when the cluster cannot be reached", { timeout: 90_000 }, async () => {
  // Kafka does not allow this topic name: every message fails (a failed delivery report, or
  // produce() refusing it at once once librdkafka knows the topic is unknown).
  const failed = await cli("producer-cli", [iniFile, "--topic", "not a valid topic!", "--count", "2", "--json"]);
  assert.equal(failed.code, 4, failed.stderr);
  const events = failed.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { event: string; delivered?: number; failed?: number });
  const finished = events.find((e) => e.event === "finished");
  assert.deepEqual([finished?.delivered, finished?.failed], [0, 2]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-ini-"));
  const nowhere = path.join(dir, "nowhere.ini");
  fs.writeFileSync(nowhere, "[default]\nbootstrap.servers=127.0.0.1:1\n");
  const down = await cli("producer-cli", [nowhere, "--count", "1"]);
  assert.equal(down.code, 3, down.stderr);
  assert.match(down.stderr, /^Error: producer could not connect to 127\.0\.0\.1:1/m);
  assert.ok(!/\n\s+at /.test(down.stderr), "no stack trace");
});

test("SIGINT: the producer stops, flushes what it produced, disconnects and exits 130", { timeout: 90_000 }, async () => {
  const topic = `test-examples-sigint-${Date.now()}`;
  const d = await demoGracefulShutdown(iniFile, topic, 500);
  assert.match(d.command, /^node dist\/lib\/getting-started\/producer-cli\.js config\/getting_started\.ini --count 100000 /);
  assert.equal(d.exitCode, 130);
  const stop = d.log.find((e) => e.event === "shutdown");
  assert.ok(stop, "a shutdown line is logged");
  assert.ok(typeof stop.produced === "number" && stop.produced > 0);
  assert.equal(d.delivered, stop.produced);
  assert.equal(d.failed, 0);
  assert.equal(d.onTopic, stop.produced, "nothing produced was lost");
  // After the shutdown line: the flush's summary, everything delivered and nothing left queued.
  const finished = d.log.find((e) => e.event === "finished");
  assert.deepEqual([finished?.delivered, finished?.failed, finished?.still_in_queue], [stop.produced, 0, 0]);
});
