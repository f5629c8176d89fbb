/**
 * The embedded broker manager against the real broker (jars from `npm run setup`).
 * The tests run in order and share one broker; at the end the broker is put back in the state
 * it was found in. They kill and stop that broker, so no other test may use it meanwhile.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  BrokerError,
  brokerStatus,
  clusterNodeOptions,
  embeddedNodeOptions,
  ensureBroker,
  kafkaVersion,
  serverProperties,
  startBroker,
  stopBroker,
  type ServerPropertiesOptions,
} from "../lib/broker";
import { EMBEDDED_BOOTSTRAP, loadConnection } from "../lib/config";
import { checkConnection } from "../lib/preflight";
import { createProducer } from "../lib/producers";
import { ensureTopic } from "../lib/topics";
import { paths } from "../lib/paths";

const T = { timeout: 120_000 };
const lines: string[] = [];
const log = (line: string) => lines.push(line);
let wasRunning = false;

function parseProps(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split("\n")) {
    if (!l || l.startsWith("#")) continue;
    const i = l.indexOf("=");
    m.set(l.slice(0, i), l.slice(i + 1));
  }
  return m;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An unreaped zombie counts as gone once all its threads are (the JVM's hold its sockets).
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).charAt(0) !== "Z") return true;
    return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    assert.ok(Date.now() < deadline, `pid ${pid} still alive after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cli = path.join(__dirname, "..", "scripts", "broker.js");
function runCli(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 90_000 });
}

before(async () => {
  wasRunning = (await brokerStatus()).state === "running";
});

after(async () => {
  // Leave things as found: a broker someone was using runs again; otherwise none is left over.
  if (wasRunning) await startBroker({ log });
  else await stopBroker({ log });
});

test("serverProperties: the embedded single node", () => {
  const p = parseProps(serverProperties(embeddedNodeOptions("/data/node-1")));
  assert.equal(p.get("process.roles"), "broker,controller");
  assert.equal(p.get("node.id"), "1");
  assert.equal(p.get("controller.quorum.voters"), "1@127.0.0.1:9093");
  assert.equal(p.get("listeners"), "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
  assert.equal(p.get("advertised.listeners"), `PLAINTEXT://${EMBEDDED_BOOTSTRAP}`);
  assert.equal(p.get("controller.listener.names"), "CONTROLLER");
  assert.equal(p.get("listener.security.protocol.map"), "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
  assert.equal(p.get("inter.broker.listener.name"), "PLAINTEXT");
  assert.equal(p.get("offsets.topic.replication.factor"), "1");
  assert.equal(p.get("transaction.state.log.replication.factor"), "1");
  assert.equal(p.get("transaction.state.log.min.isr"), "1");
  assert.equal(p.get("group.initial.rebalance.delay.ms"), "0");
  assert.equal(p.get("log.dirs"), "/data/node-1");
});

test("serverProperties: shaped for more listeners and nodes", () => {
  // What a later secure listener and 3-node mode would pass in; only the shape is tested here.
  const opts: ServerPropertiesOptions = {
    nodeId: 2,
    listeners: [
      { name: "PLAINTEXT", protocol: "PLAINTEXT", host: "127.0.0.1", port: 9192 },
      { name: "SASL_SSL", protocol: "SASL_SSL", host: "127.0.0.1", port: 9194 },
      { name: "CONTROLLER", protocol: "PLAINTEXT", host: "127.0.0.1", port: 9193, controller: true },
    ],
    voters: [1, 2, 3].map((n) => ({ nodeId: n, host: "127.0.0.1", port: 9093 + 100 * (n - 1) })),
    dataDir: "/data/node-2",
    extra: { "sasl.enabled.mechanisms": "PLAIN", "group.initial.rebalance.delay.ms": 100 },
  };
  const p = parseProps(serverProperties(opts));
  assert.equal(p.get("node.id"), "2");
  assert.equal(p.get("controller.quorum.voters"), "1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293");
  assert.equal(p.get("advertised.listeners"), "PLAINTEXT://127.0.0.1:9192,SASL_SSL://127.0.0.1:9194");
  assert.equal(p.get("listener.security.protocol.map"), "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
  assert.equal(p.get("inter.broker.listener.name"), "PLAINTEXT");
  assert.equal(p.get("offsets.topic.replication.factor"), "3");
  assert.equal(p.get("transaction.state.log.min.isr"), "2");
  assert.equal(p.get("sasl.enabled.mechanisms"), "PLAIN");
  assert.equal(p.get("group.initial.rebalance.delay.ms"), "100", "extra overrides a generated value");
  assert.equal(p.get("log.dirs"), "/data/node-2");

  assert.throws(() => serverProperties({ ...opts, nodeId: 4 }), /not among the voters/);
  assert.throws(() => serverProperties({ ...opts, listeners: opts.listeners.filter((l) => !l.controller) }), /controller/);
});

test("serverProperties: the SASL_SSL listener on basePort+2, PLAIN with one user, TLS from the keystore", () => {
  const sasl = { keystore: "/b/certs/broker.p12", keystorePassword: "ksPw_1", username: "student", password: "pw-XYZ_9" };
  const p = parseProps(serverProperties(embeddedNodeOptions("/data/node-1", 9092, sasl)));
  assert.equal(p.get("listeners"), "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,SASL_SSL://127.0.0.1:9094");
  assert.equal(p.get("advertised.listeners"), "PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094");
  assert.equal(p.get("listener.security.protocol.map"), "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
  assert.equal(p.get("inter.broker.listener.name"), "PLAINTEXT");
  assert.equal(p.get("listener.name.sasl_ssl.sasl.enabled.mechanisms"), "PLAIN");
  assert.equal(
    p.get("listener.name.sasl_ssl.plain.sasl.jaas.config"),
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="student" password="pw-XYZ_9" user_student="pw-XYZ_9";',
  );
  assert.equal(p.get("listener.name.sasl_ssl.ssl.keystore.type"), "PKCS12");
  assert.equal(p.get("listener.name.sasl_ssl.ssl.keystore.location"), "/b/certs/broker.p12");
  assert.equal(p.get("listener.name.sasl_ssl.ssl.keystore.password"), "ksPw_1");

  const other = parseProps(serverProperties(embeddedNodeOptions("/d", 29192)));
  assert.equal(other.get("listeners"), "PLAINTEXT://127.0.0.1:29192,CONTROLLER://127.0.0.1:29193");
  assert.equal(other.get("controller.quorum.voters"), "1@127.0.0.1:29193");
});

test("serverProperties: node 2 of the three-node cluster", () => {
  const p = parseProps(serverProperties(clusterNodeOptions(2, 3, "/c/data/node-2")));
  assert.equal(p.get("node.id"), "2");
  assert.equal(p.get("listeners"), "PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193");
  assert.equal(p.get("advertised.listeners"), "PLAINTEXT://127.0.0.1:19093");
  assert.equal(p.get("controller.quorum.voters"), "1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194");
  assert.equal(p.get("offsets.topic.replication.factor"), "3");
  assert.equal(p.get("default.replication.factor"), "3");
  assert.equal(p.get("transaction.state.log.min.isr"), "2");
});

test("status of the three-node cluster names its three bootstrap servers (read-only)", async () => {
  const s = await brokerStatus({ nodes: 3 });
  assert.equal(s.bootstrap, "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094");
  assert.equal(s.nodes.length, 3);
  const base = process.env.KAFKA_EMBEDDED_HOME ? path.resolve(process.env.KAFKA_EMBEDDED_HOME) : paths.broker;
  assert.equal(s.home, path.join(base, "cluster3"));
  assert.deepEqual(s.nodes.map((n) => n.bootstrap), ["127.0.0.1:19092", "127.0.0.1:19093", "127.0.0.1:19094"]);
});

test("kafkaVersion reads the jar name", () => {
  assert.match(kafkaVersion() ?? "", /^\d+\.\d+\.\d+/, "run `npm run setup` to get the jars");
});

test("CLI: a bad command exits 2 with usage", () => {
  const r = runCli("bogus");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: .*start\|stop\|status/);
  for (const bad of [["status", "--nodes", "2"], ["status", "extra"], ["status", "--node", "3"], []]) {
    const b = runCli(...bad);
    assert.equal(b.status, 2, bad.join(" "));
    assert.match(b.stderr, /usage:/);
  }
});

let pid = 0;

test("start brings the broker up; a second start returns at once with the same pid", T, async () => {
  const s = await startBroker({ log });
  assert.equal(s.state, "running");
  assert.equal(s.bootstrap, EMBEDDED_BOOTSTRAP);
  assert.equal(s.kafkaVersion, kafkaVersion());
  assert.ok(s.pid && alive(s.pid));
  assert.ok(s.startedAt && !Number.isNaN(Date.parse(s.startedAt)));
  pid = s.pid;

  const t0 = Date.now();
  const again = await startBroker({ log });
  const ms = Date.now() - t0;
  assert.equal(again.pid, pid);
  assert.ok(ms < 5000, `second start took ${ms} ms`);

  const ensured = await ensureBroker();
  assert.equal(ensured.startedHere, false);
  assert.equal(ensured.status.pid, pid);
});

test("the default broker has its SASL_SSL listener on 9094 with credentials ready for .env", T, async () => {
  const s = await brokerStatus();
  assert.ok(s.sasl, "status.sasl");
  assert.equal(s.sasl.bootstrap, "127.0.0.1:9094");
  const text = fs.readFileSync(s.sasl.credentialsFile, "utf8");
  assert.match(text, /^KAFKA_BOOTSTRAP_SERVERS=127\.0\.0\.1:9094$/m);
  assert.match(text, /^KAFKA_SECURITY_PROTOCOL=SASL_SSL$/m);
  assert.match(text, new RegExp(`^KAFKA_SSL_CA_LOCATION=${s.sasl.caLocation.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  const r = runCli("status");
  assert.match(r.stdout, /SASL_SSL listener on 127\.0\.0\.1:9094 \(PLAIN, user student/);
  assert.ok(!r.stdout.includes(/^KAFKA_SASL_PASSWORD=(.*)$/m.exec(text)![1]), "the CLI never prints the password");
});

test("status says running, and so does the CLI", T, async () => {
  const s = await brokerStatus();
  assert.equal(s.state, "running");
  assert.equal(s.pid, pid);
  assert.ok(fs.existsSync(s.logFile), `${s.logFile} exists`);
  assert.match(fs.readFileSync(s.logFile, "utf8"), /Kafka Server started/);

  const r = runCli("status");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`broker running on ${EMBEDDED_BOOTSTRAP} \\(pid ${pid}`));
});

test("a killed broker is reported dead, and start brings it back", T, async () => {
  process.kill(pid, "SIGKILL");
  await waitGone(pid);
  const dead = await brokerStatus();
  assert.equal(dead.state, "dead");
  assert.equal(dead.pid, pid);

  lines.length = 0;
  const s = await startBroker({ log });
  assert.equal(s.state, "running");
  assert.notEqual(s.pid, pid);
  assert.ok(lines.some((l) => /dead/.test(l)), `logged: ${lines.join(" | ")}`);
  pid = s.pid!;
});

test("a broker that is alive but does not answer is reported dead, killed and replaced", T, async () => {
  process.kill(pid, "SIGSTOP"); // frozen: the process is there, the port accepts, nothing answers
  try {
    const t0 = Date.now();
    const hung = await brokerStatus();
    assert.equal(hung.state, "dead");
    assert.ok(Date.now() - t0 < 15_000, "status is bounded");

    lines.length = 0;
    const s = await startBroker({ log });
    assert.equal(s.state, "running");
    assert.notEqual(s.pid, pid);
    assert.ok(!alive(pid), "the hung JVM was killed");
    assert.ok(lines.some((l) => /dead/.test(l)), `logged: ${lines.join(" | ")}`);
    pid = s.pid!;
  } finally {
    if (alive(pid)) process.kill(pid, "SIGCONT");
  }
});

test("stop is clean; status then says stopped", T, async () => {
  const t0 = Date.now();
  assert.equal(await stopBroker({ log }), true);
  assert.ok(Date.now() - t0 < 35_000);
  assert.ok(!alive(pid), "the JVM is gone");
  const s = await brokerStatus();
  assert.equal(s.state, "stopped");
  assert.equal(s.pid, undefined);
  assert.equal(await stopBroker({ log }), false, "a second stop has nothing to stop");
});

test("a foreign listener on 9092 gives a BrokerError naming the port, without hanging", T, async () => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(9092, "127.0.0.1", resolve);
  });
  try {
    const t0 = Date.now();
    await assert.rejects(startBroker({ log, timeoutMs: 30_000 }), (e: unknown) => {
      assert.ok(e instanceof BrokerError, String(e));
      assert.match(e.message, /127\.0\.0\.1:9092/);
      assert.match(e.message, /KAFKA_BOOTSTRAP_SERVERS/);
      // ss (iproute2) names the holder: this very test process.
      if (spawnSync("ss", ["-V"]).status === 0) assert.match(e.message, new RegExp(`pid ${process.pid}`));
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    assert.equal((await brokerStatus()).state, "stopped", "nothing was left behind");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Runs fn with the broker's state in a fresh temporary folder (the jars stay shared). */
async function withTempHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "broker-test-"));
  const saved = process.env.KAFKA_EMBEDDED_HOME;
  process.env.KAFKA_EMBEDDED_HOME = home;
  try {
    await fn(home);
  } finally {
    if (saved === undefined) delete process.env.KAFKA_EMBEDDED_HOME;
    else process.env.KAFKA_EMBEDDED_HOME = saved;
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function jvmsUsing(home: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, "utf8").includes(home) && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

test("a JVM that exits during start-up gives a BrokerError with the end of its log", T, async () => {
  await withTempHome(async (home) => {
    // Storage formatted for another node id: Kafka refuses to start, as with real corrupt data.
    const data = path.join(home, "data", "node-1");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(
      path.join(data, "meta.properties"),
      "version=1\nnode.id=5\ncluster.id=aVi0ot8yCmF6sdYB7grznw\ndirectory.id=xuwaK2gbSlWwOhXkCpZ0qQ\n",
    );
    await assert.rejects(startBroker({ log }), (e: unknown) => {
      assert.ok(e instanceof BrokerError, String(e));
      assert.match(e.message, /exited during start-up/);
      assert.match(e.message, /Stored node id 5 doesn't match/);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(home, "broker.pid")), "no pid file left");
    assert.equal((await brokerStatus()).state, "stopped");
  });
});

test("a start that times out kills the JVM and says so", T, async () => {
  await withTempHome(async (home) => {
    await assert.rejects(startBroker({ log, timeoutMs: 1000 }), (e: unknown) => {
      assert.ok(e instanceof BrokerError, String(e));
      assert.match(e.message, /did not answer on 127\.0\.0\.1:9092 in time; it was killed/);
      return true;
    });
    assert.deepEqual(jvmsUsing(home), [], "no JVM left running");
    assert.ok(!fs.existsSync(path.join(home, "broker.pid")), "no pid file left");
  });
});

test("missing jars give a BrokerError that says to run npm run setup", T, async () => {
  await withTempHome(async (home) => {
    const saved = paths.broker;
    paths.broker = home; // the jars are read from <paths.broker>/libs: here, nowhere
    try {
      await assert.rejects(startBroker({ log }), (e: unknown) => {
        assert.ok(e instanceof BrokerError, String(e));
        assert.match(e.message, /npm run setup/);
        return true;
      });
    } finally {
      paths.broker = saved;
    }
  });
});

test("a three-node cluster: starts, replicates, restarts a killed node alone, stops", { timeout: 300_000 }, async () => {
  // Its own folder and ports (39092-39094, controllers 39192-39194): .broker/cluster3 may be in use.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "broker-cluster-"));
  const opts = { nodes: 3 as const, home, basePort: 39092, log };
  try {
    const t0 = Date.now();
    const s = await startBroker(opts);
    const startMs = Date.now() - t0;
    assert.equal(s.state, "running");
    assert.equal(s.bootstrap, "127.0.0.1:39092,127.0.0.1:39093,127.0.0.1:39094");
    assert.equal(s.nodes.length, 3);
    const pids = s.nodes.map((n) => n.pid!);
    assert.equal(new Set(pids).size, 3, "one JVM per node");
    const ids = new Set(s.nodes.map((n) => /cluster\.id=(.+)/.exec(fs.readFileSync(path.join(home, "data", `node-${n.nodeId}`, "meta.properties"), "utf8"))?.[1]));
    assert.equal(ids.size, 1, "one cluster id");
    assert.equal(s.sasl, undefined, "no SASL_SSL listener on the cluster");

    const conn = loadConnection({ KAFKA_BOOTSTRAP_SERVERS: s.bootstrap });
    const check = await checkConnection(conn);
    assert.deepEqual(check.brokers.map((b) => b.port).sort(), [39092, 39093, 39094]);
    const topic = `cluster-${Date.now()}`;
    await ensureTopic(conn, { name: topic, partitions: 3, replicationFactor: 3 });
    const producer = createProducer("sync", conn, topic);
    try {
      await producer.connect();
      await producer.send(Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) })), 0);
    } finally {
      await producer.disconnect();
    }
    assert.deepEqual(producer.deliveryCounts(), { sent: 30, delivered: 30, failed: 0 }, "acks=all with replication factor 3");

    process.kill(pids[1], "SIGKILL");
    await waitGone(pids[1]);
    const partial = await brokerStatus(opts);
    assert.equal(partial.state, "dead");
    assert.deepEqual(partial.nodes.map((n) => n.state), ["running", "dead", "running"]);

    const t1 = Date.now();
    const again = await startBroker(opts);
    assert.equal(again.state, "running");
    assert.equal(again.nodes[0].pid, pids[0], "node 1 kept running");
    assert.equal(again.nodes[2].pid, pids[2], "node 3 kept running");
    assert.notEqual(again.nodes[1].pid, pids[1], "node 2 was started again");
    console.log(`# cluster: 3 nodes up in ${(startMs / 1000).toFixed(1)} s; a killed node back in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

    assert.equal(await stopBroker(opts), true);
    const stopped = await brokerStatus(opts);
    assert.equal(stopped.state, "stopped");
    for (const p of again.nodes.map((n) => n.pid!)) assert.ok(!alive(p), `pid ${p} is gone`);
  } finally {
    await stopBroker({ ...opts, timeoutMs: 10_000 }).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
