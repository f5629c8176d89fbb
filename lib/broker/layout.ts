/**
 * Where an instance of the embedded broker keeps its state, and the small file reads the rest of
 * lib/broker/ needs (its pid files and log tails, through lib/core/processes.ts; the Kafka version
 * of the jars).
 *
 * A home holds config/ (generated server.properties and log4j2 config), data/node-N (the log
 * dirs), logs/ (server.log from log4j, broker.out from the JVM itself), broker.pid, cluster.id,
 * certs/ and sasl/; a cluster's nodes keep config, logs and pid under node-N/. The jars are always
 * those of .broker/libs, where setup puts them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../config/paths";
import { KppError } from "../core/errors";
import { readPidFile as readPidFileAt } from "../core/processes";
import {
  CLUSTER_BASE_PORT,
  CLUSTER_CONTROLLER_OFFSET,
  CLUSTER_METRICS_OFFSET,
  DEFAULT_BASE_PORT,
  HOST,
  METRICS_OFFSET,
} from "./properties";

/** The end of a log file; lib/core/processes.ts has it, shared with Prometheus. */
export { tailLines } from "../core/processes";

/** The embedded broker could not be started, stopped or reached: exit code 3, its message only. */
export class BrokerError extends KppError {
  constructor(message: string) {
    super("connection", message);
  }
}

export interface BrokerOptions {
  timeoutMs?: number;
  /** Progress and diagnostics, one line each (e.g. console.error). */
  log?: (line: string) => void;
  /** 1 (default) or 3 nodes. */
  nodes?: 1 | 3;
  /** The instance's folder. Default: KAFKA_EMBEDDED_HOME, else .broker; for 3 nodes, <that>/cluster3. */
  home?: string;
  /** Single node: client port (controller +1, SASL_SSL +2), default 9092. Three nodes: the first
   *  client port (the others follow; controllers at +100), default 19092. */
  basePort?: number;
  /** The SASL_SSL listener (single node only). Default true. */
  sasl?: boolean;
  /** JVM heap flags per node. Default KAFKA_HEAP_OPTS, else "-Xms1G -Xmx1G" for the default
   *  single node (as kafka-server-start.sh) and "-Xms256M -Xmx512M" for any other instance. */
  heap?: string;
}

export interface NodeLayout {
  nodeId: number;
  configDir: string;
  dataDir: string;
  logsDir: string;
  serverProperties: string;
  log4j2: string;
  serverLog: string;
  stdoutLog: string;
  pidFile: string;
  clientPort: number;
  /** host:port of the PLAINTEXT listener. */
  bootstrap: string;
  /** Where the JMX exporter agent serves the broker's metrics (Prometheus' text format), when it runs. */
  metricsPort: number;
  /** Every port the node listens on, with its role (for the "port in use" check). */
  ports: [number, string][];
}

export interface Instance {
  home: string;
  libs: string;
  /** The default single node in .broker (the only one whose heap follows kafka-server-start.sh). */
  isDefault: boolean;
  basePort: number;
  sasl: boolean;
  saslPort?: number;
  heap: string[];
  nodes: NodeLayout[];
  toolsLog4j2: string;
  clusterIdFile: string;
  startLock: string;
  bootstrap: string;
}

function defaultHome(): string {
  return process.env.KAFKA_EMBEDDED_HOME ? path.resolve(process.env.KAFKA_EMBEDDED_HOME) : paths.broker;
}

function checkPort(p: number, what: string): number {
  if (!Number.isInteger(p) || p < 1024 || p > 65_000) {
    throw new BrokerError(`${what} ${p} is not allowed; use a whole number from 1024 to 65000.`);
  }
  return p;
}

function nodeLayout(home: string, id: number, n: number, basePort: number, sasl: boolean): NodeLayout {
  // A single node keeps the flat layout it always had; a cluster's nodes get a folder each.
  const nodeHome = n === 1 ? home : path.join(home, `node-${id}`);
  const configDir = path.join(nodeHome, "config");
  const logsDir = path.join(nodeHome, "logs");
  const clientPort = n === 1 ? basePort : basePort + id - 1;
  const controllerPort = n === 1 ? basePort + 1 : basePort + CLUSTER_CONTROLLER_OFFSET + id - 1;
  const metricsPort = n === 1 ? basePort + METRICS_OFFSET : basePort + CLUSTER_METRICS_OFFSET + id - 1;
  const ports: [number, string][] = [
    [clientPort, "the client listener"],
    [controllerPort, "the KRaft controller listener"],
    [metricsPort, "the JMX exporter (Prometheus metrics)"],
  ];
  if (sasl) ports.push([basePort + 2, "the SASL_SSL listener"]);
  return {
    nodeId: id,
    configDir,
    dataDir: path.join(home, "data", `node-${id}`),
    logsDir,
    serverProperties: path.join(configDir, "server.properties"),
    log4j2: path.join(configDir, "log4j2.xml"),
    serverLog: path.join(logsDir, "server.log"),
    stdoutLog: path.join(logsDir, "broker.out"),
    pidFile: path.join(nodeHome, "broker.pid"),
    clientPort,
    bootstrap: `${HOST}:${clientPort}`,
    metricsPort,
    ports,
  };
}

/**
 * Where an instance keeps its state. KAFKA_EMBEDDED_HOME (or opts.home) moves it away from the
 * shared .broker/, so an isolated run cannot touch the broker others use. The jars are always
 * those of .broker/libs, where setup puts them.
 */
export function instance(opts: BrokerOptions = {}): Instance {
  const n = opts.nodes ?? 1;
  if (n !== 1 && n !== 3) throw new BrokerError(`nodes: ${String(n)} is not supported; use 1 or 3.`);
  const home = path.resolve(opts.home ?? (n === 1 ? defaultHome() : path.join(defaultHome(), "cluster3")));
  const basePort = checkPort(opts.basePort ?? (n === 1 ? DEFAULT_BASE_PORT : CLUSTER_BASE_PORT), "basePort");
  const isDefault = n === 1 && opts.home === undefined && opts.basePort === undefined;
  const sasl = n === 1 && (opts.sasl ?? true);
  const heapText = opts.heap ?? process.env.KAFKA_HEAP_OPTS ?? (isDefault ? "-Xms1G -Xmx1G" : "-Xms256M -Xmx512M");
  const nodes = Array.from({ length: n }, (_, i) => nodeLayout(home, i + 1, n, basePort, sasl));
  for (const node of nodes) for (const [p] of node.ports) checkPort(p, "port");
  return {
    home,
    libs: path.join(paths.broker, "libs"),
    isDefault,
    basePort,
    sasl,
    saslPort: sasl ? basePort + 2 : undefined,
    heap: heapText.split(/\s+/).filter(Boolean),
    nodes,
    toolsLog4j2: path.join(nodes[0].configDir, "tools-log4j2.xml"),
    clusterIdFile: path.join(home, "cluster.id"),
    startLock: path.join(home, "start.lock"),
    bootstrap: nodes.map((x) => x.bootstrap).join(","),
  };
}

/** The Kafka version of the jars in libs, from kafka_2.13-<version>.jar; undefined if none. */
export function kafkaVersionIn(libs: string): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(libs);
  } catch {
    return undefined;
  }
  for (const n of names) {
    const m = /^kafka_2\.13-(\d[\w.-]*?)\.jar$/.exec(n);
    if (m && !/-(test|sources|javadoc)$/.test(m[1])) return m[1];
  }
  return undefined;
}

/** The Kafka version of the jars in .broker/libs, e.g. "4.3.1"; undefined before setup. */
export function kafkaVersion(): string | undefined {
  return kafkaVersionIn(path.join(paths.broker, "libs"));
}

/** The node's pid file: its pid and when it was written (lib/core/processes.ts reads it). */
export function readPidFile(L: NodeLayout): { pid: number; startedAt: string; ageMs: number } | undefined {
  return readPidFileAt(L.pidFile);
}

export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
