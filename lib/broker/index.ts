/**
 * The embedded Apache Kafka broker: KRaft nodes (broker and controller in one JVM each) run from
 * the jars that `npm run setup` puts in .broker/libs.
 *
 * Every node also serves its metrics to Prometheus through the JMX exporter javaagent (rules in
 * monitoring/jmx/kafka-broker.yml): single nodes on basePort+3 (9095 for the default broker), the
 * cluster's nodes on 19292-19294.
 *
 * Three kinds of instance, each in its own folder ("home") with its own config, data, logs and
 * pid files, so that one can be killed without disturbing another:
 * - the default single node in .broker/: PLAINTEXT 127.0.0.1:9092, controller 9093, and a
 *   SASL_SSL listener on 9094 (PLAIN, a generated user, a local CA; see certs.ts) that stands in
 *   for Confluent Cloud;
 * - separate single nodes for tests: `startBroker({ home, basePort })`, ports basePort
 *   (PLAINTEXT), basePort+1 (controller), basePort+2 (SASL_SSL);
 * - a three-node cluster in .broker/cluster3: `startBroker({ nodes: 3 })`, brokers on
 *   127.0.0.1:19092-19094, controllers on 19192-19194, one JVM per node, one cluster id.
 *
 * The folder, by seam: properties.ts (what the JVMs read: pure), layout.ts (where an instance
 * keeps what), processes.ts (pids, signals, ports), probe.ts (does a node answer), status.ts,
 * jvm.ts (java, storage format, spawning), start.ts (start, stop, ensure), certs.ts (the
 * SASL_SSL listener's CA, keystore and user) and target.ts (the target a run connects to: .env's
 * cluster, or this broker, started when needed). Every wait is bounded and every client is
 * disconnected, so no caller can hang on the broker.
 */
export { credentialsEnv, readSecurityMaterial } from "./certs";
export { BrokerError, kafkaVersion, type BrokerOptions } from "./layout";
export { ensureBroker, startBroker, stopBroker } from "./start";
export { brokerStatus, type BrokerStatus, type NodeStatus, type SaslListenerInfo } from "./status";
export { environmentInfo, openTarget, type EnvironmentInfo } from "./target";
