import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import { EMBEDDED_BOOTSTRAP, loadConnection, paths, projectRelative, readEnv, REDACTED } from "../../lib/config";
import { ConfigError } from "../../lib/core";
import { topicName } from "../../lib/core/validate";
import { loadParams } from "../../lib/producer-benchmark";

const CLOUD = {
  KAFKA_BOOTSTRAP_SERVERS: "pkc-abc12.us-east-1.aws.confluent.cloud:9092",
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SASL_MECHANISMS: "PLAIN",
  KAFKA_SASL_USERNAME: "ABCDEFGHIJKLMNOP",
  KAFKA_SASL_PASSWORD: "s3cr3t-P4ssw0rd-value",
};

function throwsConfig(fn: () => unknown, key: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    assert.equal(e.key, key);
    assert.match(e.message, pattern);
    return true;
  });
}

test("no bootstrap servers means the embedded broker", () => {
  const c = loadConnection({});
  assert.equal(c.embedded, true);
  assert.equal(c.bootstrapServers, EMBEDDED_BOOTSTRAP);
  assert.deepEqual(c.clientConfig(), { "bootstrap.servers": EMBEDDED_BOOTSTRAP, "security.protocol": "plaintext" });
  assert.equal(c.label, "embedded broker");
});

test("Confluent Cloud settings become librdkafka properties", () => {
  const c = loadConnection(CLOUD);
  assert.equal(c.embedded, false);
  assert.equal(c.label, "Confluent Cloud");
  assert.deepEqual(c.clientConfig(), {
    "bootstrap.servers": CLOUD.KAFKA_BOOTSTRAP_SERVERS,
    "security.protocol": "sasl_ssl",
    "sasl.mechanisms": "PLAIN",
    "sasl.username": CLOUD.KAFKA_SASL_USERNAME,
    "sasl.password": CLOUD.KAFKA_SASL_PASSWORD,
  });
});

test("every printable form of the connection redacts the password", () => {
  const c = loadConnection(CLOUD);
  for (const text of [String(c), JSON.stringify(c), inspect(c), inspect({ nested: c }, { depth: 5 }), JSON.stringify(c.summary())]) {
    assert.ok(!text.includes(CLOUD.KAFKA_SASL_PASSWORD), `password leaked in: ${text}`);
  }
  assert.equal(c.summary().sasl_password, REDACTED);
  assert.deepEqual(c.secrets(), [CLOUD.KAFKA_SASL_PASSWORD]);
  assert.ok(!Object.keys(c).some((k) => k.toLowerCase().includes("password")));
});

test("protocol and mechanism are case-insensitive", () => {
  const c = loadConnection({ ...CLOUD, KAFKA_SECURITY_PROTOCOL: "sasl_ssl", KAFKA_SASL_MECHANISMS: "plain" });
  assert.equal(c.securityProtocol, "SASL_SSL");
  assert.equal(c.saslMechanism, "PLAIN");
});

test("bad values name the key and what is allowed", () => {
  throwsConfig(
    () => loadConnection({ ...CLOUD, KAFKA_SECURITY_PROTOCOL: "SASL_TLS" }),
    "KAFKA_SECURITY_PROTOCOL",
    /PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
  );
  throwsConfig(
    () => loadConnection({ ...CLOUD, KAFKA_SASL_MECHANISMS: "GSSAPI" }),
    "KAFKA_SASL_MECHANISMS",
    /PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
  );
  throwsConfig(() => loadConnection({ KAFKA_BOOTSTRAP_SERVERS: "localhost" }), "KAFKA_BOOTSTRAP_SERVERS", /host:port/);
  throwsConfig(() => loadConnection({ KAFKA_BOOTSTRAP_SERVERS: "localhost:99999" }), "KAFKA_BOOTSTRAP_SERVERS", /host:port/);
  throwsConfig(() => loadConnection({ ...CLOUD, KAFKA_SASL_USERNAME: "" }), "KAFKA_SASL_USERNAME", /required/);
  throwsConfig(() => loadConnection({ ...CLOUD, KAFKA_SASL_PASSWORD: undefined }), "KAFKA_SASL_PASSWORD", /required/);
  throwsConfig(() => loadConnection({ ...CLOUD, KAFKA_SECURITY_PROTOCOL: "PLAINTEXT" }), "KAFKA_SECURITY_PROTOCOL", /only SASL_SSL/);
  throwsConfig(
    () => loadConnection({ KAFKA_BOOTSTRAP_SERVERS: "broker:9092", KAFKA_SASL_USERNAME: "u" }),
    "KAFKA_SASL_USERNAME",
    /does not authenticate/,
  );
  throwsConfig(() => loadConnection({ KAFKA_SECURITY_PROTOCOL: "SASL_SSL" }), "KAFKA_SECURITY_PROTOCOL", /KAFKA_BOOTSTRAP_SERVERS is not/);
});

test("placeholders copied from .env.example are rejected without echoing a secret", () => {
  throwsConfig(
    () => loadConnection({ ...CLOUD, KAFKA_BOOTSTRAP_SERVERS: "<bootstrap-server>:9092" }),
    "KAFKA_BOOTSTRAP_SERVERS",
    /placeholder/,
  );
  assert.throws(
    () => loadConnection({ ...CLOUD, KAFKA_SASL_PASSWORD: "<api-secret>" }),
    (e: unknown) => e instanceof ConfigError && /placeholder/.test(e.message) && !e.message.includes("<api-secret>"),
  );
});

test("errors never contain the password", () => {
  for (const bad of [{ KAFKA_SECURITY_PROTOCOL: "nope" }, { KAFKA_SASL_MECHANISMS: "nope" }, { KAFKA_BOOTSTRAP_SERVERS: "x" }]) {
    try {
      loadConnection({ ...CLOUD, ...bad });
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(!(e as Error).message.includes(CLOUD.KAFKA_SASL_PASSWORD));
    }
  }
});

test("parameters: defaults, environment overrides and validation", () => {
  const defaults = { numMessages: 20_000, batchSize: 500, topic: "purchases-benchmark", trials: 3, warmupBatches: 2, serializer: "json" };
  assert.deepEqual(loadParams({}, {}), defaults);
  assert.deepEqual(
    loadParams({ numMessages: 1000 }, { BATCH_SIZE: "100", TOPIC: "t1", TRIALS: "5", WARMUP_BATCHES: "0", SERIALIZER: "AVRO" }),
    {
      numMessages: 1000,
      batchSize: 100,
      topic: "t1",
      trials: 5,
      warmupBatches: 0,
      serializer: "avro",
    },
  );
  throwsConfig(() => loadParams({}, { TRIALS: "0" }), "TRIALS", /greater than 0/);
  throwsConfig(() => loadParams({}, { WARMUP_BATCHES: "-1" }), "WARMUP_BATCHES", /0 or more/);
  throwsConfig(() => loadParams({}, { SERIALIZER: "xml" }), "SERIALIZER", /json, avro/);
  assert.equal(loadParams({}, { NUM_MESSAGES: "20_000" }).numMessages, 20_000);
  for (const v of ["abc", "0", "-5", "1.5", ""]) {
    if (v === "") continue; // empty = unset
    throwsConfig(() => loadParams({}, { NUM_MESSAGES: v }), "NUM_MESSAGES", /whole number greater than 0/);
  }
  throwsConfig(() => loadParams({}, { NUM_MESSAGES: "100", BATCH_SIZE: "500" }), "BATCH_SIZE", /larger than NUM_MESSAGES/);
  throwsConfig(() => loadParams({}, { TOPIC: "bad topic!" }), "TOPIC", /not a valid Kafka topic name/);
  throwsConfig(() => loadParams({}, { TOPIC: ".." }), "TOPIC", /not a valid Kafka topic name/);
});

test("topicName: Kafka's rule for topic names, one check for every study", () => {
  for (const ok of ["purchases", "a.b_c-D9", "x".repeat(249), "..."]) assert.equal(topicName("TOPIC", ok), ok);
  const message = /^E2E_TOPIC: '.*' is not a valid Kafka topic name; use letters, digits, '\.', '_' and '-' \(at most 249\)\.$/;
  for (const bad of ["", ".", "..", "bad topic!", "x".repeat(250), "ü", undefined]) {
    throwsConfig(() => topicName("E2E_TOPIC", bad), "E2E_TOPIC", message);
  }
});

test("readEnv: the environment wins over .env", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-env-"));
  const file = path.join(dir, ".env");
  fs.writeFileSync(file, 'NUM_MESSAGES=100\nBATCH_SIZE=10\n# a comment\nTOPIC="from-file"\n');
  const env = readEnv(file, { NUM_MESSAGES: "200" });
  assert.equal(env.NUM_MESSAGES, "200");
  assert.equal(env.BATCH_SIZE, "10");
  assert.equal(env.TOPIC, "from-file");
  assert.deepEqual(readEnv(path.join(dir, "missing.env"), { A: "1" }), { A: "1" });
  fs.rmSync(dir, { recursive: true });
});

test("projectRelative: paths as a report shows them, relative to the project or from ~, never the machine's absolute path", () => {
  assert.equal(projectRelative(path.join(paths.root, "reports", "a.csv")), path.join("reports", "a.csv"));
  assert.equal(projectRelative(paths.root), ".");
  if (!paths.root.startsWith(os.homedir() + path.sep)) {
    assert.equal(projectRelative(path.join(os.homedir(), "certs", "ca.pem")), path.join("~", "certs", "ca.pem"));
  }
  assert.equal(projectRelative("/etc/ssl/ca.pem"), "/etc/ssl/ca.pem");
  // The embedded broker's CA, as the connection summary (and so every report) shows it.
  const ca = path.join(paths.root, "package.json");
  const summary = loadConnection({ ...CLOUD, KAFKA_SSL_CA_LOCATION: ca }).summary();
  assert.equal(summary.ssl_ca_location, "package.json");
});
