/**
 * The embedded broker's SASL_SSL listener (PLAIN, a generated user, a local CA), on an instance
 * of its own (ports 29392-29394, a temporary folder): what a client of Confluent Cloud does,
 * for real. Includes fault scenario 2 (a wrong password) and notebook 01 run unchanged against it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { X509Certificate } from "node:crypto";
import * as dotenv from "dotenv";
import { certificateUsable } from "../../lib/broker/certs";
import { loadConnection, paths } from "../../lib/config";
import { readTopic } from "../../lib/consumers";
import { checkConnection, ConnectionError, ensureTopic } from "../../lib/kafka";
import { runNotebook } from "../../lib/notebook";
import { createProducer } from "../../lib/producers";
import { scratchBroker, type ScratchBroker } from "../support/faults";

const BASE_PORT = 29392;
let broker: ScratchBroker;

before(async () => {
  broker = await scratchBroker(BASE_PORT, { log: (l) => console.log(`# broker: ${l}`) });
});

after(async () => {
  await broker?.dispose();
});

test("the instance has a SASL_SSL listener, a CA with the right SANs, and owner-only secret files", () => {
  const s = broker.status;
  assert.ok(s.sasl, "status.sasl");
  assert.equal(s.sasl.bootstrap, `127.0.0.1:${BASE_PORT + 2}`);
  assert.equal(s.sasl.mechanism, "PLAIN");
  assert.ok(!JSON.stringify(s).includes(broker.saslEnv().KAFKA_SASL_PASSWORD!), "the status never holds the password");
  const cert = new X509Certificate(fs.readFileSync(path.join(broker.home, "certs", "broker.pem")));
  assert.match(cert.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  assert.match(cert.subjectAltName ?? "", /DNS:localhost/);
  assert.ok(certificateUsable(path.join(broker.home, "certs", "broker.pem"), s.sasl.caLocation));
  const env = dotenv.parse(fs.readFileSync(s.sasl.credentialsFile));
  assert.deepEqual(Object.keys(env).sort(), [
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_SASL_MECHANISMS",
    "KAFKA_SASL_PASSWORD",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SSL_CA_LOCATION",
  ]);
  for (const f of [
    s.sasl.credentialsFile,
    path.join(broker.home, "config", "server.properties"),
    path.join(broker.home, "certs", "ca.key"),
    path.join(broker.home, "certs", "broker.p12"),
  ]) {
    assert.equal(fs.statSync(f).mode & 0o077, 0, `${f} is readable by others`);
  }
});

test("SASL_SSL with the generated credentials: connect, produce, read back", { timeout: 60_000 }, async () => {
  const conn = loadConnection(broker.saslEnv());
  const check = await checkConnection(conn);
  assert.deepEqual(
    check.brokers.map((b) => b.port),
    [BASE_PORT + 2],
    "the broker advertises its SASL_SSL listener to SASL_SSL clients",
  );
  console.log(`# sasl: metadata over SASL_SSL in ${check.ms.toFixed(0)} ms (TCP + TLS + SASL/PLAIN)`);

  const topic = `sasl-${Date.now()}`;
  await ensureTopic(conn, { name: topic, partitions: 1 });
  const producer = createProducer("sync", conn, topic);
  try {
    await producer.connect();
    await producer.send(
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) })),
      0,
    );
  } finally {
    await producer.disconnect();
  }
  assert.deepEqual(producer.deliveryCounts(), { sent: 20, delivered: 20, failed: 0 });
  const read = await readTopic(conn, topic, { expected: 20, timeoutMs: 30_000 });
  assert.deepEqual(
    read.map((m) => m.value?.toString()),
    Array.from({ length: 20 }, (_, i) => `v${i}`),
  );
});

test(
  "scenario 2: a wrong password is an authentication error within 15 s naming the user and mechanism, never the password",
  { timeout: 30_000 },
  async () => {
    const env = broker.saslEnv();
    const wrong = `${env.KAFKA_SASL_PASSWORD}-wrong`;
    const conn = loadConnection({ ...env, KAFKA_SASL_PASSWORD: wrong });
    const t0 = performance.now();
    const err = await checkConnection(conn).then(
      () => assert.fail("a wrong password was accepted"),
      (e: unknown) => e,
    );
    const ms = performance.now() - t0;
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.problem, "authentication");
    assert.ok(ms < 15_000, `took ${ms} ms`);
    assert.match(err.message, /SASL user 'student'/);
    assert.match(err.message, /mechanism PLAIN/);
    assert.match(err.message, /KAFKA_SASL_PASSWORD/);
    assert.ok(!err.message.includes(wrong) && !String(err.stack).includes(wrong), "the wrong password is not shown");
    assert.ok(!err.message.includes(env.KAFKA_SASL_PASSWORD!), "nor the right one");
    console.log(`# scenario 2: authentication error after ${ms.toFixed(0)} ms: ${err.message.slice(0, 120)}...`);
  },
);

test("a CA that did not sign the broker's certificate is a TLS error naming KAFKA_SSL_CA_LOCATION", { timeout: 30_000 }, async () => {
  const conn = loadConnection({ ...broker.saslEnv(), KAFKA_SSL_CA_LOCATION: "/etc/ssl/certs/ca-certificates.crt" });
  const err = await checkConnection(conn).catch((e: unknown) => e);
  assert.ok(err instanceof ConnectionError, String(err));
  assert.equal(err.problem, "tls");
  assert.match(err.message, /KAFKA_SSL_CA_LOCATION/);
  console.log(`# sasl: untrusted CA: TLS error after ${err.afterMs.toFixed(0)} ms`);
});

test("the broker's logs and output never hold the SASL or keystore password", () => {
  const password = broker.saslEnv().KAFKA_SASL_PASSWORD!;
  const keystorePassword = fs.readFileSync(path.join(broker.home, "certs", "keystore.password"), "utf8").trim();
  for (const f of fs.readdirSync(path.join(broker.home, "logs"))) {
    const text = fs.readFileSync(path.join(broker.home, "logs", f), "utf8");
    assert.ok(!text.includes(password), `${f} holds the SASL password`);
    assert.ok(!text.includes(keystorePassword), `${f} holds the keystore password`);
  }
});

test("notebook 01 runs unchanged against the SASL_SSL listener; its report never holds the password", { timeout: 600_000 }, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "sasl-nb01-"));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  const env = broker.saslEnv() as Record<string, string>;
  const progress: string[] = [];
  const run = await runNotebook({
    notebook: path.join(paths.notebooks, "01-producer-benchmark.ipynb"),
    outDir: out,
    env: { ...env, NUM_MESSAGES: "1000", TRIALS: "1", REPORTS_DIR: out, TOPIC: `sasl-nb01-${Date.now()}` },
    forbidEnv: ["KAFKA_SASL_PASSWORD"],
    onProgress: (line) => progress.push(line),
  });
  assert.equal(run.ok, true, `${run.error}\n${progress.join("\n")}`);
  const html = fs.readFileSync(run.html!, "utf8");
  assert.match(html, /SASL_SSL/);
  assert.match(html, new RegExp(`127\\.0\\.0\\.1:${BASE_PORT + 2}`));
  for (const f of fs.readdirSync(out)) {
    assert.ok(!fs.readFileSync(path.join(out, f), "utf8").includes(env.KAFKA_SASL_PASSWORD), `${f} holds the password`);
  }
  console.log(
    `# sasl: notebook 01 (1,000 messages, 1 trial) over SASL_SSL in ${run.seconds.toFixed(1)} s; ${fs.readdirSync(out).length} files, none with the password`,
  );
});
