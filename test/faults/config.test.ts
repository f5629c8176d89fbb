/**
 * Fault scenarios 1 and 6: a broker that cannot be reached, and malformed .env values or
 * parameters. Each error must name what is wrong and how to fix it, in bounded time, and bad
 * values must be refused before anything connects.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { loadConnection, paths, type Env } from "../../lib/config";
import { ConfigError, EXIT_CODES } from "../../lib/core";
import { loadParams } from "../../lib/producer-benchmark";
import { checkConnection, ConnectionError } from "../../lib/kafka";

/** A port nothing listens on: bound once to get a free number, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("scenario 1: broker unreachable at start fails within 15 s, naming the servers and the fixes", { timeout: 30_000 }, async () => {
  const port = await closedPort();
  const connection = loadConnection({ KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` });
  const t0 = performance.now();
  const err = await checkConnection(connection).then(
    () => assert.fail("connected to a closed port"),
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  assert.ok(err instanceof ConnectionError, String(err));
  assert.equal(err.problem, "unreachable");
  assert.ok(ms < 15_000, `took ${ms} ms`);
  assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.match(err.message, /KAFKA_BOOTSTRAP_SERVERS/);
  assert.match(err.message, /npm run broker:start/);
  assert.match(err.message, /\.env/);
  console.log(`# scenario 1: unreachable 127.0.0.1:${port}: error after ${ms.toFixed(0)} ms (afterMs ${err.afterMs.toFixed(0)})`);
});

test("scenario 1: an unknown host fails within 15 s too", { timeout: 30_000 }, async () => {
  const connection = loadConnection({ KAFKA_BOOTSTRAP_SERVERS: "no-such-host.invalid:9092" });
  const t0 = performance.now();
  const err = await checkConnection(connection).catch((e: unknown) => e);
  const ms = performance.now() - t0;
  assert.ok(err instanceof ConnectionError, String(err));
  assert.equal(err.problem, "unreachable");
  assert.ok(ms < 15_000, `took ${ms} ms`);
  assert.match(err.message, /no-such-host\.invalid:9092/);
  console.log(`# scenario 1: unknown host: error after ${ms.toFixed(0)} ms`);
});

// Scenario 6: each bad value, the key its error must name and what the error must offer instead.
const BASE: Env = { KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9" };
const SASL: Env = {
  ...BASE,
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SASL_MECHANISMS: "PLAIN",
  KAFKA_SASL_USERNAME: "u",
  KAFKA_SASL_PASSWORD: "p-secret-1",
};
const BAD: { name: string; env: Env; key: string; allowed: RegExp }[] = [
  {
    name: "unknown security protocol",
    env: { ...BASE, KAFKA_SECURITY_PROTOCOL: "SASL_TLS" },
    key: "KAFKA_SECURITY_PROTOCOL",
    allowed: /PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
  },
  {
    name: "unknown SASL mechanism",
    env: { ...SASL, KAFKA_SASL_MECHANISMS: "PLAINTEXT" },
    key: "KAFKA_SASL_MECHANISMS",
    allowed: /PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
  },
  { name: "non-numeric NUM_MESSAGES", env: { NUM_MESSAGES: "lots" }, key: "NUM_MESSAGES", allowed: /whole number greater than 0/ },
  { name: "zero NUM_MESSAGES", env: { NUM_MESSAGES: "0" }, key: "NUM_MESSAGES", allowed: /whole number greater than 0/ },
  { name: "negative NUM_MESSAGES", env: { NUM_MESSAGES: "-5" }, key: "NUM_MESSAGES", allowed: /whole number greater than 0/ },
  { name: "fractional BATCH_SIZE", env: { BATCH_SIZE: "2.5" }, key: "BATCH_SIZE", allowed: /whole number greater than 0/ },
  {
    name: "BATCH_SIZE larger than NUM_MESSAGES",
    env: { NUM_MESSAGES: "100", BATCH_SIZE: "500" },
    key: "BATCH_SIZE",
    allowed: /at most 100/,
  },
  {
    name: "missing username with SASL",
    env: { ...SASL, KAFKA_SASL_USERNAME: "" },
    key: "KAFKA_SASL_USERNAME",
    allowed: /required with SASL_SSL/,
  },
  {
    name: "missing password with SASL",
    env: { ...SASL, KAFKA_SASL_PASSWORD: " " },
    key: "KAFKA_SASL_PASSWORD",
    allowed: /required with SASL_SSL/,
  },
  { name: "bootstrap not host:port", env: { KAFKA_BOOTSTRAP_SERVERS: "localhost" }, key: "KAFKA_BOOTSTRAP_SERVERS", allowed: /host:port/ },
  {
    name: "placeholder password",
    env: { ...SASL, KAFKA_SASL_PASSWORD: "<api-secret>" },
    key: "KAFKA_SASL_PASSWORD",
    allowed: /placeholder/,
  },
];

for (const bad of BAD) {
  test(`scenario 6: ${bad.name} is a ConfigError naming ${bad.key}`, () => {
    const t0 = performance.now();
    assert.throws(
      () => {
        loadParams({}, bad.env);
        loadConnection(bad.env);
      },
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.key, bad.key);
        assert.match(e.message, new RegExp(`^${bad.key}: `));
        assert.match(e.message, bad.allowed);
        assert.ok(!e.message.includes("p-secret-1"), "the password must not be in the message");
        return true;
      },
    );
    assert.ok(performance.now() - t0 < 100, "validation is immediate");
  });
}

/**
 * Runs `node dist/scripts/start.js` with env; resolves with its exit code, output, elapsed ms and
 * how long after its first "Error:" line it exited.
 */
function runStart(
  env: Env,
  timeoutMs: number,
): Promise<{ code: number | null; stderr: string; stdout: string; ms: number; afterErrorMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(paths.root, "dist", "scripts", "start.js")], {
      cwd: paths.root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let errorAt = NaN;
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      if (Number.isNaN(errorAt) && /^Error: /m.test(stderr)) errorAt = performance.now();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`start.js still running after ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const end = performance.now();
      resolve({ code, stderr, stdout, ms: end - t0, afterErrorMs: end - errorAt });
    });
  });
}

test("scenario 6: npm start refuses bad values before connecting to anything", { timeout: 60_000 }, async (t) => {
  // A fake broker that counts connection attempts: there must be none.
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "fault-config-"));
  t.after(() => fs.rmSync(reports, { recursive: true, force: true }));
  const target = { KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`, REPORTS_DIR: reports };

  const cases: [Env, RegExp][] = [
    [{ ...target, NUM_MESSAGES: "-1" }, /NUM_MESSAGES: '-1' is not allowed; use a whole number greater than 0/],
    [{ ...target, NUM_MESSAGES: "10", BATCH_SIZE: "20" }, /BATCH_SIZE: 20 is larger than NUM_MESSAGES \(10\)/],
    [
      { ...target, KAFKA_SECURITY_PROTOCOL: "TLS" },
      /KAFKA_SECURITY_PROTOCOL: 'TLS' is not allowed; use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
    ],
    [
      { ...target, KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_PASSWORD: "pw-never-shown" },
      /KAFKA_SASL_USERNAME: is required with SASL_SSL/,
    ],
  ];
  for (const [env, expected] of cases) {
    const r = await runStart(env, 30_000);
    assert.equal(r.code, EXIT_CODES.config, r.stderr);
    assert.match(r.stderr, expected);
    assert.ok(!r.stderr.includes("pw-never-shown") && !r.stdout.includes("pw-never-shown"));
    console.log(`# scenario 6: ${expected.source.slice(0, 40)}...: exit ${r.code} after ${r.ms.toFixed(0)} ms`);
  }
  assert.equal(connections, 0, "nothing may connect before the values are valid");
});

test("scenario 1: npm start against an unreachable broker exits 3 at once after its error message", { timeout: 60_000 }, async (t) => {
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "fault-config-"));
  t.after(() => fs.rmSync(reports, { recursive: true, force: true }));
  // Port 1: nothing listens there; librdkafka would keep a request open for its whole timeout,
  // and a process cannot exit before that request returns: the check must not leave one behind.
  const r = await runStart({ KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1", REPORTS_DIR: reports }, 30_000);
  assert.equal(r.code, EXIT_CODES.connection, r.stderr);
  assert.match(r.stderr, /^Error: The Kafka cluster at 127\.0\.0\.1:1 \(KAFKA_BOOTSTRAP_SERVERS\) cannot be reached/m);
  assert.ok(r.afterErrorMs < 2_000, `exited ${r.afterErrorMs.toFixed(0)} ms after the error message`);
  console.log(
    `# scenario 1: npm start, unreachable broker: exit ${r.code} ${r.afterErrorMs.toFixed(0)} ms after the error (${r.ms.toFixed(0)} ms in all)`,
  );
});
