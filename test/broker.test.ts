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
  embeddedNodeOptions,
  ensureBroker,
  kafkaVersion,
  serverProperties,
  startBroker,
  stopBroker,
  type ServerPropertiesOptions,
} from "../lib/broker";
import { EMBEDDED_BOOTSTRAP } from "../lib/config";
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

test("kafkaVersion reads the jar name", () => {
  assert.match(kafkaVersion() ?? "", /^\d+\.\d+\.\d+/, "run `npm run setup` to get the jars");
});

test("CLI: a bad command exits 2 with usage", () => {
  const r = runCli("bogus");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: .*start\|stop\|status/);
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
