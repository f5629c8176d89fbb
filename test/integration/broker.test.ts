/**
 * The embedded broker manager against real JVMs (jars from `npm run setup`), on instances of its
 * own: a single node in a temporary folder on ports 29492-29494 and a three-node cluster on
 * 39092-39094. The shared default broker on 127.0.0.1:9092, which other tests and people use at
 * the same time, is never stopped or killed here: it is only read (status, the CLI's status)
 * and, for that, started if it is not running. The lifecycle tests run in order on one instance;
 * each start-failure test gets a fresh folder on the same ports.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { BrokerError, brokerStatus, ensureBroker, kafkaVersion, startBroker, stopBroker, type BrokerOptions } from "../../lib/broker";
import { loadConnection, paths } from "../../lib/config";
import { checkConnection, ensureTopic } from "../../lib/kafka";
import { createProducer } from "../../lib/producers";
import { processesWith } from "../support/processes";

const T = { timeout: 120_000 };
const lines: string[] = [];
const log = (line: string) => lines.push(line);

/** The lifecycle tests' instance: its own folder and ports, so killing it disturbs no one. */
const BASE_PORT = 29492;
const BOOTSTRAP = `127.0.0.1:${BASE_PORT}`;
const scratch: BrokerOptions = { home: fs.mkdtempSync(path.join(os.tmpdir(), "broker-test-")), basePort: BASE_PORT, log };

after(async () => {
  await stopBroker({ ...scratch, timeoutMs: 10_000 }).catch(() => undefined);
  fs.rmSync(scratch.home!, { recursive: true, force: true });
});

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

const cli = path.join(__dirname, "..", "..", "scripts", "broker.js");
function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 90_000, env: { ...process.env, ...env } });
}

test("status of the three-node cluster names its three bootstrap servers (read-only)", async () => {
  const s = await brokerStatus({ nodes: 3 });
  assert.equal(s.bootstrap, "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094");
  assert.equal(s.nodes.length, 3);
  const base = process.env.KAFKA_EMBEDDED_HOME ? path.resolve(process.env.KAFKA_EMBEDDED_HOME) : paths.broker;
  assert.equal(s.home, path.join(base, "cluster3"));
  assert.deepEqual(
    s.nodes.map((n) => n.bootstrap),
    ["127.0.0.1:19092", "127.0.0.1:19093", "127.0.0.1:19094"],
  );
});

test("kafkaVersion reads the jar name", () => {
  assert.match(kafkaVersion() ?? "", /^\d+\.\d+\.\d+/, "run `npm run setup` to get the jars");
});

test("CLI: a bad command exits 2 with usage", () => {
  const r = runCli(["bogus"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: .*start\|stop\|status/);
  for (const bad of [["status", "--nodes", "2"], ["status", "extra"], ["status", "--node", "3"], []]) {
    const b = runCli(bad);
    assert.equal(b.status, 2, bad.join(" "));
    assert.match(b.stderr, /usage:/);
  }
});

test("CLI: an unexpected error exits 1 with its stack", () => {
  // A home that is a file: the start lock's folder cannot be made, which is no BrokerError.
  const file = path.join(scratch.home!, "not-a-folder");
  fs.writeFileSync(file, "");
  try {
    const r = runCli(["start"], { KAFKA_EMBEDDED_HOME: file });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\n\s+at /, "the stack is shown");
  } finally {
    fs.rmSync(file, { force: true });
  }
});

let pid = 0;

test("start brings the broker up; a second start returns at once with the same pid", T, async () => {
  const s = await startBroker(scratch);
  assert.equal(s.state, "running");
  assert.equal(s.bootstrap, BOOTSTRAP);
  assert.equal(s.home, scratch.home);
  assert.equal(s.kafkaVersion, kafkaVersion());
  assert.ok(s.pid && alive(s.pid));
  assert.ok(s.startedAt && !Number.isNaN(Date.parse(s.startedAt)));
  pid = s.pid;

  const t0 = Date.now();
  const again = await startBroker(scratch);
  const ms = Date.now() - t0;
  assert.equal(again.pid, pid);
  assert.ok(ms < 5000, `second start took ${ms} ms`);

  const ensured = await ensureBroker(scratch);
  assert.equal(ensured.startedHere, false);
  assert.equal(ensured.status.pid, pid);
});

test("the broker has its SASL_SSL listener on basePort+2 with credentials ready for .env", T, async () => {
  const s = await brokerStatus(scratch);
  assert.ok(s.sasl, "status.sasl");
  assert.equal(s.sasl.bootstrap, `127.0.0.1:${BASE_PORT + 2}`);
  const text = fs.readFileSync(s.sasl.credentialsFile, "utf8");
  assert.match(text, new RegExp(`^KAFKA_BOOTSTRAP_SERVERS=127\\.0\\.0\\.1:${BASE_PORT + 2}$`, "m"));
  assert.match(text, /^KAFKA_SECURITY_PROTOCOL=SASL_SSL$/m);
  assert.match(text, new RegExp(`^KAFKA_SSL_CA_LOCATION=${s.sasl.caLocation.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
});

test("status says running", T, async () => {
  const s = await brokerStatus(scratch);
  assert.equal(s.state, "running");
  assert.equal(s.pid, pid);
  assert.ok(fs.existsSync(s.logFile), `${s.logFile} exists`);
  assert.match(fs.readFileSync(s.logFile, "utf8"), /Kafka Server started/);
});

test("CLI status of the default broker (read-only), with its SASL_SSL listener and never the password", T, async () => {
  // The CLI addresses only the default broker's ports: it is read here, started if need be, never stopped.
  const { status } = await ensureBroker();
  assert.ok(status.sasl, "status.sasl");
  const r = runCli(["status"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`broker running on ${status.bootstrap.replace(/\./g, "\\.")} \\(pid ${status.pid}`));
  assert.match(r.stdout, /SASL_SSL listener on 127\.0\.0\.1:9094 \(PLAIN, user student/);
  const text = fs.readFileSync(status.sasl.credentialsFile, "utf8");
  assert.ok(!r.stdout.includes(/^KAFKA_SASL_PASSWORD=(.*)$/m.exec(text)![1]), "the CLI never prints the password");
});

test("CLI: a BrokerError exits 3 with its message only", T, async () => {
  // A fresh home on the default ports while the default broker holds them: start refuses, naming
  // the port. The bad heap makes sure no JVM could ever come up there, should the port be free.
  await ensureBroker();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "broker-cli-"));
  try {
    const r = runCli(["start"], { KAFKA_EMBEDDED_HOME: home, KAFKA_HEAP_OPTS: "-Xms2M -Xmx1M" });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /^Error: Cannot start the embedded Kafka broker: 127\.0\.0\.1:9092/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack");
  } finally {
    await stopBroker({ home, timeoutMs: 10_000 }).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("a killed broker is reported dead, and start brings it back", T, async () => {
  process.kill(pid, "SIGKILL");
  await waitGone(pid);
  const dead = await brokerStatus(scratch);
  assert.equal(dead.state, "dead");
  assert.equal(dead.pid, pid);

  lines.length = 0;
  const s = await startBroker(scratch);
  assert.equal(s.state, "running");
  assert.notEqual(s.pid, pid);
  assert.ok(
    lines.some((l) => /dead/.test(l)),
    `logged: ${lines.join(" | ")}`,
  );
  pid = s.pid!;
});

test("a broker that is alive but does not answer is reported dead, killed and replaced", T, async () => {
  process.kill(pid, "SIGSTOP"); // frozen: the process is there, the port accepts, nothing answers
  try {
    const t0 = Date.now();
    const hung = await brokerStatus(scratch);
    assert.equal(hung.state, "dead");
    assert.ok(Date.now() - t0 < 15_000, "status is bounded");

    lines.length = 0;
    const s = await startBroker(scratch);
    assert.equal(s.state, "running");
    assert.notEqual(s.pid, pid);
    assert.ok(!alive(pid), "the hung JVM was killed");
    assert.ok(
      lines.some((l) => /dead/.test(l)),
      `logged: ${lines.join(" | ")}`,
    );
    pid = s.pid!;
  } finally {
    if (alive(pid)) process.kill(pid, "SIGCONT");
  }
});

test("stop is clean; status then says stopped", T, async () => {
  const t0 = Date.now();
  assert.equal(await stopBroker(scratch), true);
  assert.ok(Date.now() - t0 < 35_000);
  assert.ok(!alive(pid), "the JVM is gone");
  const s = await brokerStatus(scratch);
  assert.equal(s.state, "stopped");
  assert.equal(s.pid, undefined);
  assert.equal(await stopBroker(scratch), false, "a second stop has nothing to stop");
});

test("a foreign listener on the client port gives a BrokerError naming the port, without hanging", T, async () => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(BASE_PORT, "127.0.0.1", resolve);
  });
  try {
    const t0 = Date.now();
    await assert.rejects(startBroker({ ...scratch, timeoutMs: 30_000 }), (e: unknown) => {
      assert.ok(e instanceof BrokerError, String(e));
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${BASE_PORT}`));
      assert.match(e.message, /KAFKA_BOOTSTRAP_SERVERS/);
      // ss (iproute2) names the holder: this very test process.
      if (spawnSync("ss", ["-V"]).status === 0) assert.match(e.message, new RegExp(`pid ${process.pid}`));
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    assert.equal((await brokerStatus(scratch)).state, "stopped", "nothing was left behind");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Runs fn with options for a broker in a fresh temporary folder on BASE_PORT (the jars stay shared). */
async function withFreshHome(fn: (opts: BrokerOptions & { home: string }) => Promise<void>): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "broker-test-"));
  const opts = { home, basePort: BASE_PORT, log };
  try {
    await fn(opts);
  } finally {
    await stopBroker({ ...opts, timeoutMs: 10_000 }).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const jvmsUsing = (home: string) => processesWith(home);

test("a JVM that exits during start-up gives a BrokerError with the end of its log", T, async () => {
  await withFreshHome(async (opts) => {
    // Storage formatted for another node id: Kafka refuses to start, as with real corrupt data.
    const data = path.join(opts.home, "data", "node-1");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(
      path.join(data, "meta.properties"),
      "version=1\nnode.id=5\ncluster.id=aVi0ot8yCmF6sdYB7grznw\ndirectory.id=xuwaK2gbSlWwOhXkCpZ0qQ\n",
    );
    await assert.rejects(startBroker(opts), (e: unknown) => {
      assert.ok(e instanceof BrokerError, String(e));
      assert.match(e.message, /exited during start-up/);
      assert.match(e.message, /Stored node id 5 doesn't match/);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(opts.home, "broker.pid")), "no pid file left");
    assert.equal((await brokerStatus(opts)).state, "stopped");
  });
});

test("a start that times out kills the JVM and says so", T, async () => {
  await withFreshHome(async (opts) => {
    await assert.rejects(startBroker({ ...opts, timeoutMs: 1000 }), (e: unknown) => {
      assert.ok(e instanceof BrokerError, String(e));
      assert.match(e.message, new RegExp(`did not answer on 127\\.0\\.0\\.1:${BASE_PORT} in time; it was killed`));
      return true;
    });
    assert.deepEqual(jvmsUsing(opts.home), [], "no JVM left running");
    assert.ok(!fs.existsSync(path.join(opts.home, "broker.pid")), "no pid file left");
  });
});

test("missing jars give a BrokerError that says to run npm run setup", T, async () => {
  await withFreshHome(async (opts) => {
    const saved = paths.broker;
    paths.broker = opts.home; // the jars are read from <paths.broker>/libs: here, nowhere
    try {
      await assert.rejects(startBroker(opts), (e: unknown) => {
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
    const ids = new Set(
      s.nodes.map(
        (n) => /cluster\.id=(.+)/.exec(fs.readFileSync(path.join(home, "data", `node-${n.nodeId}`, "meta.properties"), "utf8"))?.[1],
      ),
    );
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
      await producer.send(
        Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) })),
        0,
      );
    } finally {
      await producer.disconnect();
    }
    assert.deepEqual(producer.deliveryCounts(), { sent: 30, delivered: 30, failed: 0 }, "acks=all with replication factor 3");

    process.kill(pids[1], "SIGKILL");
    await waitGone(pids[1]);
    const partial = await brokerStatus(opts);
    assert.equal(partial.state, "dead");
    assert.deepEqual(
      partial.nodes.map((n) => n.state),
      ["running", "dead", "running"],
    );

    const t1 = Date.now();
    const again = await startBroker(opts);
    assert.equal(again.state, "running");
    assert.equal(again.nodes[0].pid, pids[0], "node 1 kept running");
    assert.equal(again.nodes[2].pid, pids[2], "node 3 kept running");
    assert.notEqual(again.nodes[1].pid, pids[1], "node 2 was started again");
    console.log(
      `# cluster: 3 nodes up in ${(startMs / 1000).toFixed(1)} s; a killed node back in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
    );

    assert.equal(await stopBroker(opts), true);
    const stopped = await brokerStatus(opts);
    assert.equal(stopped.state, "stopped");
    for (const p of again.nodes.map((n) => n.pid!)) assert.ok(!alive(p), `pid ${p} is gone`);
  } finally {
    await stopBroker({ ...opts, timeoutMs: 10_000 }).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
