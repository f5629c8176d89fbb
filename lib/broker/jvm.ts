/**
 * Running Kafka's JVMs: the java binary (JAVA_HOME first), the node's configuration files, the
 * KRaft storage format (StorageTool, with one cluster id for all the nodes of an instance), and
 * the broker JVM itself, spawned detached in its own process group so that it outlives the
 * notebook, test or CLI that started it (`stopBroker()` or `npm run broker:stop` ends it), with
 * Prometheus' JMX exporter as a javaagent on the node's metrics port (127.0.0.1 only) when setup
 * has fetched it into .broker/agents.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../config/paths";
import { spawnDetached } from "../core/processes";
import { BrokerError, fileSize, type Instance, type NodeLayout } from "./layout";
import { javaBinary } from "./tools";
import {
  brokerLog4j2,
  HOST,
  clusterNodeOptions,
  embeddedNodeOptions,
  serverProperties,
  toolsLog4j2,
  type SaslListenerSettings,
  type ServerPropertiesOptions,
} from "./properties";

/** What java was not found says, for a one-shot tool and for the broker alike. */
const NO_JAVA = "java was not found (install a JDK 17+)";

function runJava(args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(javaBinary(), args, { timeout: timeoutMs, encoding: "utf8", maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const output = `${stdout}\n${stderr}`
          .split("\n")
          .filter((l) => l.trim())
          .slice(-20)
          .join("\n");
        const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? NO_JAVA : err.message;
        reject(new BrokerError(`${why}${output ? `\n${output}` : ""}`));
      } else resolve({ stdout, stderr });
    });
  });
}

/** A Kafka Uuid as `kafka-storage.sh random-uuid` prints it, without starting a JVM for it. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    // Kafka's Uuid.randomUuid() rejects ids that would start with "-" (they read as options).
    if (!id.startsWith("-")) return id;
  }
}

/** The instance's cluster id: one for all its nodes, kept in cluster.id. */
function clusterId(I: Instance): string {
  try {
    const id = fs.readFileSync(I.clusterIdFile, "utf8").trim();
    if (id) return id;
  } catch {
    /* first start */
  }
  // Formatted earlier (cluster.id lost): keep the id the data already carries.
  for (const node of I.nodes) {
    try {
      const meta = fs.readFileSync(path.join(node.dataDir, "meta.properties"), "utf8");
      const m = /^cluster\.id=(.+)$/m.exec(meta);
      if (m) {
        fs.writeFileSync(I.clusterIdFile, m[1].trim() + "\n");
        return m[1].trim();
      }
    } catch {
      /* not formatted */
    }
  }
  const id = randomClusterId();
  fs.writeFileSync(I.clusterIdFile, id + "\n");
  return id;
}

function nodeOptions(I: Instance, node: NodeLayout, sasl: SaslListenerSettings | undefined): ServerPropertiesOptions {
  return I.nodes.length === 1
    ? embeddedNodeOptions(node.dataDir, I.basePort, sasl)
    : clusterNodeOptions(node.nodeId, I.nodes.length, node.dataDir, I.basePort);
}

/** Writes the node's server.properties and log4j2 configs (every start: they follow the code). */
export function writeConfig(I: Instance, node: NodeLayout, sasl: SaslListenerSettings | undefined): void {
  for (const d of [node.configDir, node.dataDir, node.logsDir]) fs.mkdirSync(d, { recursive: true });
  // It holds the keystore and SASL passwords when the SASL_SSL listener is on: owner only.
  fs.writeFileSync(node.serverProperties, serverProperties(nodeOptions(I, node, sasl)), { mode: 0o600 });
  fs.chmodSync(node.serverProperties, 0o600);
  fs.writeFileSync(node.log4j2, brokerLog4j2(node.serverLog));
  fs.writeFileSync(I.toolsLog4j2, toolsLog4j2());
}

export async function formatStorageIfNeeded(I: Instance, node: NodeLayout, log: (l: string) => void, timeoutMs: number): Promise<void> {
  if (fs.existsSync(path.join(node.dataDir, "meta.properties"))) return;
  const id = clusterId(I);
  log(`Formatting KRaft storage in ${node.dataDir} (cluster id ${id})`);
  await runJava(
    [
      `-Dlog4j2.configurationFile=${I.toolsLog4j2}`,
      "-cp",
      path.join(I.libs, "*"),
      "kafka.tools.StorageTool",
      "format",
      "-t",
      id,
      "-c",
      node.serverProperties,
      "--ignore-formatted",
    ],
    timeoutMs,
  ).catch((e: Error) => {
    throw new BrokerError(`Formatting the broker's storage failed: ${e.message}`);
  });
}

/** The JMX exporter's rules: which Kafka MBeans become which Prometheus metrics (shared with Docker's broker). */
export const JMX_EXPORTER_RULES = path.join(paths.monitoring, "jmx", "kafka-broker.yml");

/** The JMX exporter agent jar setup copied from broker/pom.xml; undefined before setup. */
export function jmxExporterAgent(dir = paths.brokerAgents): string | undefined {
  try {
    const jar = fs.readdirSync(dir).find((n) => /^jmx_prometheus_javaagent-[\d.]+\.jar$/.test(n));
    return jar && path.join(dir, jar);
  } catch {
    return undefined;
  }
}

/**
 * `-javaagent:` for Prometheus' JMX exporter on the node's metrics port, bound to loopback; none
 * (with a note) when setup has not fetched the agent, since a broker without metrics still serves.
 */
function metricsAgentArgs(node: NodeLayout, log: (l: string) => void): string[] {
  const agent = jmxExporterAgent();
  if (!agent || !fs.existsSync(JMX_EXPORTER_RULES)) {
    log(`No JMX exporter agent in ${paths.brokerAgents} (run \`npm run setup\`): starting without broker metrics`);
    return [];
  }
  return [`-javaagent:${agent}=${HOST}:${node.metricsPort}:${JMX_EXPORTER_RULES}`];
}

function jvmArgs(I: Instance, node: NodeLayout, log: (l: string) => void): string[] {
  // Same flags as kafka-server-start.sh; KAFKA_HEAP_OPTS overrides the heap as it does there.
  return [
    ...I.heap,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-Djava.awt.headless=true",
    `-Dkafka.logs.dir=${node.logsDir}`,
    `-Dlog4j2.configurationFile=${node.log4j2}`,
    ...metricsAgentArgs(node, log),
    "-cp",
    path.join(I.libs, "*"),
    "kafka.Kafka",
    node.serverProperties,
  ];
}

/** A broker JVM this start spawned, until it answers (or is given up on). */
export interface Spawned {
  node: NodeLayout;
  child: ChildProcess;
  pid: number;
  /** Where server.log stood before the start: a failure shows only this start's lines. */
  serverLogFrom: number;
  /** How it exited ("code 1", "signal SIGKILL"), once it has. */
  exit?: string;
}

/** Spawns the node's broker JVM and writes its pid file; a BrokerError if it cannot run at all. */
export async function spawnNode(I: Instance, node: NodeLayout, log: (l: string) => void): Promise<Spawned> {
  const serverLogFrom = fileSize(node.serverLog);
  let child: ChildProcess;
  try {
    // Its own process group, stdio into a file: nothing ties it to this process once we unref it.
    child = await spawnDetached(javaBinary(), jvmArgs(I, node, log), { cwd: I.home, outFile: node.stdoutLog });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? NO_JAVA : (e as Error).message;
    throw new BrokerError(`Could not run the embedded broker: ${why}`);
  }
  const s: Spawned = { node, child, pid: child.pid!, serverLogFrom };
  child.once("exit", (code, sig) => (s.exit = sig ? `signal ${sig}` : `code ${code}`));
  fs.writeFileSync(node.pidFile, `${s.pid}\n`);
  log(`Started Kafka broker JVM (pid ${s.pid}); waiting for it to answer on ${node.bootstrap}`);
  return s;
}
