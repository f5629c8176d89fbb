/**
 * The embedded broker's generated configuration (lib/broker/properties.ts): pure, so no broker
 * and no jars are needed. What the JVM makes of it is tested in test/integration/broker.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EMBEDDED_BOOTSTRAP } from "../../lib/config";
import {
  brokerLog4j2,
  clusterNodeOptions,
  embeddedNodeOptions,
  serverProperties,
  type ServerPropertiesOptions,
} from "../../lib/broker/properties";

function parseProps(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split("\n")) {
    if (!l || l.startsWith("#")) continue;
    const i = l.indexOf("=");
    m.set(l.slice(0, i), l.slice(i + 1));
  }
  return m;
}

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

test("brokerLog4j2: the log file's path is escaped inside the XML attributes", () => {
  const xml = brokerLog4j2('/tmp/a&b "c"/<logs>/server.log');
  assert.match(xml, /fileName="\/tmp\/a&amp;b &quot;c&quot;\/&lt;logs&gt;\/server\.log"/);
  assert.match(xml, /filePattern="[^"]*server\.log\.%i"/);
});
