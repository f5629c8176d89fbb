/**
 * The embedded Apache Kafka broker: KRaft nodes (broker and controller in one JVM each) run from
 * the jars that `npm run setup` puts in .broker/libs.
 *
 * Three kinds of instance, each in its own folder ("home") with its own config, data, logs and
 * pid files, so that one can be killed without disturbing another:
 * - the default single node in .broker/: PLAINTEXT 127.0.0.1:9092, controller 9093, and a
 *   SASL_SSL listener on 9094 (PLAIN, a generated user, a local CA; see lib/certs.ts) that
 *   stands in for Confluent Cloud;
 * - separate single nodes for fault tests: `startBroker({ home, basePort })`, ports
 *   basePort (PLAINTEXT), basePort+1 (controller), basePort+2 (SASL_SSL);
 * - a three-node cluster in .broker/cluster3: `startBroker({ nodes: 3 })`, brokers on
 *   127.0.0.1:19092-19094, controllers on 19192-19194, one JVM per node, one cluster id.
 *
 * A home holds config/ (generated server.properties and log4j2 config), data/node-N (the log
 * dirs), logs/ (server.log from log4j, broker.out from the JVM itself), broker.pid, cluster.id,
 * certs/ and sasl/; a cluster's nodes keep config, logs and pid under node-N/. The JVMs run
 * detached in their own process groups, so they outlive the notebook, test or CLI that started
 * them; `stopBroker()` or `npm run broker:stop` ends them.
 *
 * Every wait here is bounded and every client is disconnected, so no caller can hang on it.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { CertError, ensureSecurityMaterial, plainJaasConfig, readSecurityMaterial, SASL_MECHANISM, type SecurityMaterial } from "./certs";
import type { SecurityProtocol } from "./config";
import { paths } from "./paths";
import type * as KafkaModule from "@confluentinc/kafka-javascript";

const HOST = "127.0.0.1";
/** The default single node's first port: client 9092, controller 9093, SASL_SSL 9094. */
export const DEFAULT_BASE_PORT = 9092;
/** The three-node cluster's first client port: 19092, 19093, 19094. */
export const CLUSTER_BASE_PORT = 19092;
/** Where a cluster's controller ports start, counted from its first client port. */
const CLUSTER_CONTROLLER_OFFSET = 100;

export interface NodeStatus {
  nodeId: number;
  state: "running" | "stopped" | "dead";
  pid?: number;
  /** This node's PLAINTEXT listener, host:port. */
  bootstrap: string;
  logFile: string;
  startedAt?: string;
}

/** The SASL_SSL listener as a client needs it; the password is in credentialsFile, never here. */
export interface SaslListenerInfo {
  bootstrap: string;
  mechanism: typeof SASL_MECHANISM;
  username: string;
  /** The CA certificate to trust: KAFKA_SSL_CA_LOCATION. */
  caLocation: string;
  /** A ready-to-copy .env fragment, password included (git-ignored, mode 0600). */
  credentialsFile: string;
}

export interface BrokerStatus {
  /** "dead": a pid file whose process is gone, or is alive but no longer answers.
   *  For a cluster: "running" only if every node runs, "stopped" if none does, else "dead". */
  state: "running" | "stopped" | "dead";
  /** The (first) node's pid. */
  pid?: number;
  /** Every node's PLAINTEXT listener, comma-separated: a client's bootstrap.servers. */
  bootstrap: string;
  kafkaVersion?: string;
  /** The (first) node's server.log. */
  logFile: string;
  /** When the running (or dead) broker was started, ISO 8601. */
  startedAt?: string;
  /** The instance's folder. */
  home: string;
  /** One entry per node (a single node has one). */
  nodes: NodeStatus[];
  /** Present when the broker's configuration has the SASL_SSL listener. */
  sasl?: SaslListenerInfo;
}

export class BrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrokerError";
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

// ---------------------------------------------------------------------------------------------
// Configuration (pure)
// ---------------------------------------------------------------------------------------------


export interface ListenerSpec {
  /** Kafka's listener name, e.g. PLAINTEXT, SASL_SSL or CONTROLLER. */
  name: string;
  protocol: SecurityProtocol;
  host: string;
  port: number;
  /** Controller listeners carry the KRaft quorum traffic and are never advertised to clients. */
  controller?: boolean;
}

export interface VoterSpec {
  nodeId: number;
  host: string;
  /** The voter's controller listener port. */
  port: number;
}

export interface ServerPropertiesOptions {
  nodeId: number;
  /** Every listener of this node; the secure one is one more entry (plus its keys in `extra`). */
  listeners: ListenerSpec[];
  /** The whole controller quorum, this node included; a 3-node cluster lists three voters. */
  voters: VoterSpec[];
  /** This node's own data folder (each node of a multi-node cluster needs its own). */
  dataDir: string;
  /** Client listener the brokers talk to each other on; default: the first non-controller one. */
  interBrokerListener?: string;
  /** Added last, so they also override the generated values (e.g. ssl.* and sasl.* keys). */
  extra?: Record<string, string | number | boolean>;
}

/** server.properties for one combined broker+controller node. Pure: no I/O. */
export function serverProperties(opts: ServerPropertiesOptions): string {
  const clientListeners = opts.listeners.filter((l) => !l.controller);
  const controllerListeners = opts.listeners.filter((l) => l.controller);
  if (clientListeners.length === 0) throw new Error("serverProperties: no client listener");
  if (controllerListeners.length === 0) throw new Error("serverProperties: no controller listener");
  if (!opts.voters.some((v) => v.nodeId === opts.nodeId)) {
    throw new Error(`serverProperties: node ${opts.nodeId} is not among the voters`);
  }
  const interBroker = opts.interBrokerListener ?? clientListeners[0].name;
  // Internal topics cannot have more replicas than there are brokers; every voter is a broker
  // here (combined mode), so the quorum size is the cluster size.
  const replicas = Math.min(3, opts.voters.length);
  const minIsr = Math.min(2, replicas);

  const props: [string, string | number | boolean][] = [
    ["process.roles", "broker,controller"],
    ["node.id", opts.nodeId],
    // A static quorum: storage is formatted without --standalone/--initial-controllers.
    ["controller.quorum.voters", opts.voters.map((v) => `${v.nodeId}@${v.host}:${v.port}`).join(",")],
    ["listeners", opts.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(",")],
    ["advertised.listeners", clientListeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(",")],
    ["controller.listener.names", controllerListeners.map((l) => l.name).join(",")],
    ["listener.security.protocol.map", opts.listeners.map((l) => `${l.name}:${l.protocol}`).join(",")],
    ["inter.broker.listener.name", interBroker],
    ["log.dirs", opts.dataDir],
    // Kafka's defaults (3) assume a production cluster; a smaller one could not create these topics.
    ["offsets.topic.replication.factor", replicas],
    ["transaction.state.log.replication.factor", replicas],
    ["transaction.state.log.min.isr", minIsr],
    ["share.coordinator.state.topic.replication.factor", replicas],
    ["share.coordinator.state.topic.min.isr", minIsr],
    ["default.replication.factor", replicas],
    // Benchmarks start consumers right away; the 3 s default would only add noise.
    ["group.initial.rebalance.delay.ms", 0],
  ];
  const merged = new Map<string, string | number | boolean>(props);
  for (const [k, v] of Object.entries(opts.extra ?? {})) merged.set(k, v);
  const lines = ["# Generated by lib/broker.ts on every start: edit that file, not this one."];
  for (const [k, v] of merged) lines.push(`${k}=${v}`);
  return lines.join("\n") + "\n";
}

/** The embedded single node's options: the one place that names its ports and node id. */

/** What the broker's SASL_SSL listener needs: its keystore and its one PLAIN user. */
export type SaslListenerSettings = Pick<SecurityMaterial, "keystore" | "keystorePassword" | "username" | "password">;

/** The SASL_SSL listener's broker keys: PLAIN only, TLS from the PKCS#12 keystore. */
export function saslListenerProperties(s: SaslListenerSettings): Record<string, string> {
  const p = "listener.name.sasl_ssl.";
  return {
    // Kafka's global default is GSSAPI (Kerberos); the listener's own key is the one that counts.
    "sasl.enabled.mechanisms": SASL_MECHANISM,
    [`${p}sasl.enabled.mechanisms`]: SASL_MECHANISM,
    [`${p}plain.sasl.jaas.config`]: plainJaasConfig(s.username, s.password),
    [`${p}ssl.keystore.type`]: "PKCS12",
    [`${p}ssl.keystore.location`]: s.keystore,
    [`${p}ssl.keystore.password`]: s.keystorePassword,
    [`${p}ssl.key.password`]: s.keystorePassword,
  };
}

/**
 * A single node's options: PLAINTEXT on basePort, CONTROLLER on basePort+1 and, given `sasl`,
 * SASL_SSL on basePort+2. The defaults are the embedded broker's 9092/9093/9094.
 */
export function embeddedNodeOptions(dataDir: string, basePort = DEFAULT_BASE_PORT, sasl?: SaslListenerSettings): ServerPropertiesOptions {
  const listeners: ListenerSpec[] = [
    { name: "PLAINTEXT", protocol: "PLAINTEXT", host: HOST, port: basePort },
    { name: "CONTROLLER", protocol: "PLAINTEXT", host: HOST, port: basePort + 1, controller: true },
  ];
  if (sasl) listeners.push({ name: "SASL_SSL", protocol: "SASL_SSL", host: HOST, port: basePort + 2 });
  return {
    nodeId: 1,
    listeners,
    voters: [{ nodeId: 1, host: HOST, port: basePort + 1 }],
    dataDir,
    // Brokers talk to each other (and the controller to itself) in plain text on loopback.
    interBrokerListener: "PLAINTEXT",
    extra: sasl ? saslListenerProperties(sasl) : undefined,
  };
}

/** Node nodeId (1-based) of an n-node cluster: client basePort+i, controller basePort+100+i. */
export function clusterNodeOptions(nodeId: number, n: number, dataDir: string, basePort = CLUSTER_BASE_PORT): ServerPropertiesOptions {
  const voters = Array.from({ length: n }, (_, i) => ({ nodeId: i + 1, host: HOST, port: basePort + CLUSTER_CONTROLLER_OFFSET + i }));
  return {
    nodeId,
    listeners: [
      { name: "PLAINTEXT", protocol: "PLAINTEXT", host: HOST, port: basePort + nodeId - 1 },
      { name: "CONTROLLER", protocol: "PLAINTEXT", host: HOST, port: basePort + CLUSTER_CONTROLLER_OFFSET + nodeId - 1, controller: true },
    ],
    voters,
    dataDir,
  };
}

/** log4j2 for the broker: Kafka 4.x ships none on its classpath, and logs nothing without one. */
function brokerLog4j2(logFile: string): string {
  const pattern = "[%d] %p %m (%c)%n";
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by lib/broker.ts. -->
<Configuration status="warn">
  <Appenders>
    <RollingFile name="server" fileName="${xmlEscape(logFile)}" filePattern="${xmlEscape(logFile)}.%i">
      <PatternLayout pattern="${pattern}"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="info"><AppenderRef ref="server"/></Root>
    <!-- One line per request at INFO or above would drown the broker's own messages. -->
    <Logger name="kafka.request.logger" level="warn"/>
    <Logger name="org.apache.kafka.controller" level="info"/>
  </Loggers>
</Configuration>
`;
}

/** log4j2 for one-shot tools (StorageTool): warnings to stderr, which we capture. */
function toolsLog4j2(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by lib/broker.ts. -->
<Configuration status="warn">
  <Appenders><Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="%p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="warn"><AppenderRef ref="stderr"/></Root></Loggers>
</Configuration>
`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

interface NodeLayout {
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
  /** Every port the node listens on, with its role (for the "port in use" check). */
  ports: [number, string][];
}

interface Instance {
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

/**
 * Where an instance keeps its state. KAFKA_EMBEDDED_HOME (or opts.home) moves it away from the
 * shared .broker/, so an isolated run cannot touch the broker others use. The jars are always
 * those of .broker/libs, where setup puts them.
 */
function instance(opts: BrokerOptions = {}): Instance {
  const n = opts.nodes ?? 1;
  if (n !== 1 && n !== 3) throw new BrokerError(`nodes: ${String(n)} is not supported; use 1 or 3.`);
  const home = path.resolve(opts.home ?? (n === 1 ? defaultHome() : path.join(defaultHome(), "cluster3")));
  const basePort = checkPort(opts.basePort ?? (n === 1 ? DEFAULT_BASE_PORT : CLUSTER_BASE_PORT), "basePort");
  const isDefault = n === 1 && opts.home === undefined && opts.basePort === undefined;
  const sasl = n === 1 && (opts.sasl ?? true);
  const heapText = opts.heap ?? process.env.KAFKA_HEAP_OPTS ?? (isDefault ? "-Xms1G -Xmx1G" : "-Xms256M -Xmx512M");
  const nodes: NodeLayout[] = [];
  for (let id = 1; id <= n; id++) {
    // A single node keeps the flat layout it always had; a cluster's nodes get a folder each.
    const nodeHome = n === 1 ? home : path.join(home, `node-${id}`);
    const configDir = path.join(nodeHome, "config");
    const logsDir = path.join(nodeHome, "logs");
    const clientPort = n === 1 ? basePort : basePort + id - 1;
    const controllerPort = n === 1 ? basePort + 1 : basePort + CLUSTER_CONTROLLER_OFFSET + id - 1;
    const ports: [number, string][] = [
      [clientPort, "the client listener"],
      [controllerPort, "the KRaft controller listener"],
    ];
    if (sasl) ports.push([basePort + 2, "the SASL_SSL listener"]);
    nodes.push({
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
      ports,
    });
  }
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


function kafkaVersionIn(libs: string): string | undefined {
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

function readPidFile(L: NodeLayout): { pid: number; startedAt: string; ageMs: number } | undefined {
  try {
    const text = fs.readFileSync(L.pidFile, "utf8").trim();
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid <= 1 || String(pid) !== text) return undefined;
    const mtime = fs.statSync(L.pidFile).mtime;
    return { pid, startedAt: mtime.toISOString(), ageMs: Date.now() - mtime.getTime() };
  } catch {
    return undefined;
  }
}

function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

function tailLines(file: string, n: number, fromByte = 0): string[] {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      // The last 64 KiB hold far more than n lines of a Kafka log.
      const start = Math.max(fromByte > size ? 0 : fromByte, size - 65536);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      return buf.toString("utf8").split("\n").filter((l) => l.trim() !== "").slice(-n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

function fileAgeMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Processes and ports
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** /proc/<pid>/stat's state letter, e.g. "S", "Z" (zombie), "T" (stopped); undefined if unknown. */
function procState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).charAt(0) || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A zombie (exited, not yet reaped by the node process that spawned it) still answers kill 0.
  // Its main thread turns "Z" while the JVM's other threads may still be exiting and holding the
  // sockets, so it is gone only once no other thread is left.
  if (procState(pid) !== "Z") return true;
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

/** Ours = a kafka.Kafka JVM run with our server.properties (guards against a recycled pid). */
function isOurBroker(pid: number, L: NodeLayout): boolean {
  if (!isAlive(pid)) return false;
  const cmd = cmdline(pid);
  if (cmd === undefined) return true; // no /proc to check with: trust the pid file
  return cmd.includes("kafka.Kafka") && cmd.includes(L.serverProperties);
}

/** Signals the broker's process group (it leads one, being spawned detached), else the pid. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM (Kafka's controlled shutdown), then SIGKILL once graceMs have passed. */
async function terminate(pid: number, graceMs: number, log: (l: string) => void): Promise<void> {
  signal(pid, "SIGTERM");
  signal(pid, "SIGCONT"); // a stopped (SIGSTOP) JVM would otherwise never act on the SIGTERM
  if (await waitForExit(pid, graceMs)) return;
  log(`Broker (pid ${pid}) still running ${Math.round(graceMs / 1000)} s after SIGTERM; sending SIGKILL`);
  signal(pid, "SIGKILL");
  if (!(await waitForExit(pid, 5000))) {
    throw new BrokerError(`Broker process ${pid} survived SIGKILL; it must be ended by hand.`);
  }
}

/** Whether something accepts TCP connections on host:port (bounded by timeoutMs). */
function portAccepting(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (accepting: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(accepting);
    };
    // No answer at all on loopback means a listener too busy to accept: still "in use".
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

interface PortHolder {
  pid: number;
  name: string;
  cmd?: string;
}

/** Who listens on a TCP port, from `ss -ltnp` (iproute2); [] when it cannot tell. */
function portHolders(port: number): PortHolder[] {
  let out: string;
  try {
    out = execFileSync("ss", ["-H", "-ltnp", `sport = :${port}`], {
      encoding: "utf8",
      timeout: 3000,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return [];
  }
  const holders = new Map<number, PortHolder>();
  for (const m of out.matchAll(/\("([^"]*)",pid=(\d+)/g)) {
    const pid = Number(m[2]);
    if (!holders.has(pid)) holders.set(pid, { pid, name: m[1], cmd: cmdline(pid) });
  }
  return [...holders.values()];
}

function describeHolders(holders: PortHolder[], port: number): string {
  if (holders.length === 0) {
    return `a process this user cannot identify (try \`ss -ltnp 'sport = :${port}'\` or \`lsof -i :${port}\` as root)`;
  }
  return holders
    .map((h) => {
      const cmd = h.cmd && h.cmd.length > 160 ? h.cmd.slice(0, 157) + "..." : h.cmd;
      return `${h.name} (pid ${h.pid}${cmd ? `: ${cmd}` : ""})`;
    })
    .join(", ");
}

// ---------------------------------------------------------------------------------------------
// The Kafka client probe
// ---------------------------------------------------------------------------------------------

let kafkaModule: typeof KafkaModule | undefined;
/** Loaded on first use, so that importing this file does not load the native client. */
function kafkaClient(): typeof KafkaModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  kafkaModule ??= require("@confluentinc/kafka-javascript") as typeof KafkaModule;
  return kafkaModule;
}

/**
 * One real Metadata request through librdkafka; true if a broker answered within timeoutMs.
 * The client is always disconnected, and a guard timer settles the promise even if librdkafka
 * never calls back.
 */
function answersMetadata(bootstrap: string, timeoutMs: number): Promise<boolean> {
  const Kafka = kafkaClient();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve(ok);
    };
    const producer = new Kafka.Producer({
      "bootstrap.servers": bootstrap,
      "client.id": "embedded-broker-probe",
      "socket.connection.setup.timeout.ms": Math.max(1000, timeoutMs),
      "reconnect.backoff.ms": 50,
      "reconnect.backoff.max.ms": 250,
    });
    const guard = setTimeout(() => {
      finish(false);
      try {
        producer.disconnect();
      } catch {
        /* never connected */
      }
    }, timeoutMs + 5000);
    try {
      // connect() sends the Metadata request; on failure it disconnects the client itself.
      producer.connect({ timeout: timeoutMs, allTopics: false }, (err, metadata) => {
        if (err) {
          finish(false);
          return;
        }
        const ok = Array.isArray(metadata?.brokers) && metadata.brokers.length > 0;
        producer.disconnect(() => finish(ok));
      });
    } catch {
      finish(false);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------

interface Inspection {
  status: NodeStatus;
  /** Why it is dead, for the log. */
  reason?: string;
  /** Pid file age, to tell a broker still starting from a hung one. */
  ageMs?: number;
  /** Our JVM is alive (even if it does not answer). */
  alive: boolean;
}

const STATUS_PROBE_MS = 2500;

async function inspectNode(node: NodeLayout, probeMs = STATUS_PROBE_MS): Promise<Inspection> {
  const base = { nodeId: node.nodeId, bootstrap: node.bootstrap, logFile: node.serverLog };
  const pf = readPidFile(node);
  if (!pf) {
    if (fs.existsSync(node.pidFile)) {
      return { status: { ...base, state: "dead" }, reason: `${node.pidFile} holds no valid pid`, alive: false };
    }
    return { status: { ...base, state: "stopped" }, alive: false };
  }
  const status: NodeStatus = { ...base, state: "dead", pid: pf.pid, startedAt: pf.startedAt };
  if (!isOurBroker(pf.pid, node)) {
    return { status, reason: `its pid file names pid ${pf.pid}, which is no longer running (or no longer our broker)`, alive: false, ageMs: pf.ageMs };
  }
  const answers =
    (await portAccepting(HOST, node.clientPort, Math.min(1000, probeMs))) &&
    (await answersMetadata(node.bootstrap, probeMs));
  if (answers) return { status: { ...status, state: "running" }, alive: true, ageMs: pf.ageMs };
  return {
    status,
    reason: `pid ${pf.pid} is alive but does not answer a metadata request on ${node.bootstrap}`,
    alive: true,
    ageMs: pf.ageMs,
  };
}

/** The SASL_SSL listener, if the node's (last written) configuration has one and its user exists. */
function saslInfo(I: Instance): SaslListenerInfo | undefined {
  if (!I.sasl || I.saslPort === undefined) return undefined;
  let props = "";
  try {
    props = fs.readFileSync(I.nodes[0].serverProperties, "utf8");
  } catch {
    return undefined;
  }
  if (!props.includes(`SASL_SSL://${HOST}:${I.saslPort}`)) return undefined;
  const m = readSecurityMaterial(I.home);
  if (!m) return undefined;
  return { bootstrap: `${HOST}:${I.saslPort}`, mechanism: SASL_MECHANISM, username: m.username, caLocation: m.caPem, credentialsFile: m.credentialsFile };
}

function combine(I: Instance, nodes: NodeStatus[]): BrokerStatus {
  const states = nodes.map((n) => n.state);
  const state = states.every((s) => s === "running") ? "running" : states.every((s) => s === "stopped") ? "stopped" : "dead";
  const first = nodes[0];
  const status: BrokerStatus = {
    state,
    bootstrap: I.bootstrap,
    kafkaVersion: kafkaVersionIn(I.libs),
    logFile: first.logFile,
    home: I.home,
    nodes,
  };
  if (first.pid !== undefined) status.pid = first.pid;
  if (first.startedAt !== undefined) status.startedAt = first.startedAt;
  const sasl = saslInfo(I);
  if (sasl) status.sasl = sasl;
  return status;
}

async function inspectAll(I: Instance): Promise<Inspection[]> {
  return Promise.all(I.nodes.map((n) => inspectNode(n)));
}

/** State of the embedded broker (or cluster); "running" only if every node answers a metadata request now. */
export async function brokerStatus(opts: Pick<BrokerOptions, "nodes" | "home" | "basePort" | "sasl"> = {}): Promise<BrokerStatus> {
  const I = instance(opts);
  return combine(I, (await inspectAll(I)).map((x) => x.status));
}

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

/** A JVM that has not answered yet may just be starting, if its pid file is this young. */
const STARTUP_GRACE_MS = 30_000;

/**
 * Serialises starts across processes (two notebooks, a test run and the CLI may all call
 * startBroker at once): O_EXCL lock file holding the starter's pid; a dead holder's is taken over.
 */
async function withStartLock<T>(I: Instance, deadline: number, fn: (waited: boolean) => Promise<T>): Promise<T> {
  fs.mkdirSync(I.home, { recursive: true });
  let waited = false;
  for (;;) {
    try {
      fs.writeFileSync(I.startLock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(fs.readFileSync(I.startLock, "utf8"), 10);
    } catch {
      continue; // released between our two calls
    }
    // An empty lock may be one that its creator has not written its pid into yet.
    const abandoned = Number.isInteger(holder) ? holder !== process.pid && !isAlive(holder) : fileAgeMs(I.startLock) > 5000;
    if (abandoned) {
      removeFile(I.startLock);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new BrokerError(
        `Another process (pid ${Number.isInteger(holder) ? holder : "?"}) is still starting the embedded broker; ` +
          `wait for it, or remove ${I.startLock} if that process is stuck.`,
      );
    }
    waited = true;
    await sleep(250);
  }
  try {
    return await fn(waited);
  } finally {
    try {
      if (fs.readFileSync(I.startLock, "utf8") === String(process.pid)) removeFile(I.startLock);
    } catch {
      /* gone */
    }
  }
}

/** Refuses to start over a foreign listener; adopts our own node if only its pid file was lost. */
async function checkPorts(node: NodeLayout, log: (l: string) => void): Promise<number | undefined> {
  for (const [port, role] of node.ports) {
    if (!(await portAccepting(HOST, port, 1000))) continue;
    const holders = portHolders(port);
    const ours = holders.find((h) => isOurBroker(h.pid, node));
    if (ours) {
      log(`Found our broker (pid ${ours.pid}) running without a pid file; adopting it`);
      return ours.pid;
    }
    const looksLikeKafka = holders.some((h) => h.cmd?.includes("kafka"));
    throw new BrokerError(
      `Cannot start the embedded Kafka broker: ${HOST}:${port} (${role}) is already in use by ` +
        `${describeHolders(holders, port)}, which is not the broker this project started. ` +
        `Fix: stop that process${holders.length ? ` (kill ${holders.map((h) => h.pid).join(" ")})` : ""}` +
        `, or${looksLikeKafka ? "" : ", if it is a Kafka broker you want to use,"} point ` +
        (port === node.clientPort
          ? `KAFKA_BOOTSTRAP_SERVERS in .env at it (KAFKA_BOOTSTRAP_SERVERS=${HOST}:${port}) `
          : `KAFKA_BOOTSTRAP_SERVERS in .env at its client listener `) +
        `so that the embedded broker is not needed.`,
    );
  }
  return undefined;
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  if (home) {
    const bin = path.join(home, "bin", "java");
    if (fs.existsSync(bin)) return bin;
  }
  return "java";
}

function runJava(args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(javaBinary(), args, { timeout: timeoutMs, encoding: "utf8", maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const output = `${stdout}\n${stderr}`.split("\n").filter((l) => l.trim()).slice(-20).join("\n");
        const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "java was not found (install a JDK 17+)" : err.message;
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

function writeConfig(I: Instance, node: NodeLayout, sasl: SaslListenerSettings | undefined): void {
  for (const d of [node.configDir, node.dataDir, node.logsDir]) fs.mkdirSync(d, { recursive: true });
  // It holds the keystore and SASL passwords when the SASL_SSL listener is on: owner only.
  fs.writeFileSync(node.serverProperties, serverProperties(nodeOptions(I, node, sasl)), { mode: 0o600 });
  fs.chmodSync(node.serverProperties, 0o600);
  fs.writeFileSync(node.log4j2, brokerLog4j2(node.serverLog));
  fs.writeFileSync(I.toolsLog4j2, toolsLog4j2());
}

async function formatStorageIfNeeded(I: Instance, node: NodeLayout, log: (l: string) => void, timeoutMs: number): Promise<void> {
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

function jvmArgs(I: Instance, node: NodeLayout): string[] {
  // Same flags as kafka-server-start.sh; KAFKA_HEAP_OPTS overrides the heap as it does there.
  return [
    ...I.heap,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-Djava.awt.headless=true",
    `-Dkafka.logs.dir=${node.logsDir}`,
    `-Dlog4j2.configurationFile=${node.log4j2}`,
    "-cp",
    path.join(I.libs, "*"),
    "kafka.Kafka",
    node.serverProperties,
  ];
}

function startFailure(node: NodeLayout, what: string, serverLogFrom: number): BrokerError {
  const server = tailLines(node.serverLog, 20, serverLogFrom);
  const out = tailLines(node.stdoutLog, 20);
  const parts = [`Embedded Kafka broker ${what}.`];
  if (server.length) parts.push(`Last lines of ${node.serverLog}:\n${server.join("\n")}`);
  if (out.length) parts.push(`Last lines of ${node.stdoutLog}:\n${out.join("\n")}`);
  if (!server.length && !out.length) parts.push(`(nothing in ${node.serverLog} or ${node.stdoutLog})`);
  return new BrokerError(parts.join("\n"));
}

/** Waits until our JVM answers; false if it exits first or the deadline passes. */
async function waitUntilAnswering(node: NodeLayout, pid: number, deadline: number, exited: () => boolean): Promise<boolean> {
  for (;;) {
    if (exited() || !isAlive(pid)) return false;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    // A cheap TCP check first, so a poll costs ~250 ms until the listener is up.
    if (await portAccepting(HOST, node.clientPort, Math.min(500, remaining))) {
      if (await answersMetadata(node.bootstrap, Math.max(250, Math.min(1000, deadline - Date.now())))) {
        return true;
      }
    }
    await sleep(Math.min(250, deadline - Date.now()));
  }
}

interface Spawned {
  node: NodeLayout;
  child: ChildProcess;
  pid: number;
  serverLogFrom: number;
  exit?: string;
}

function spawnNode(I: Instance, node: NodeLayout, log: (l: string) => void): Promise<Spawned> {
  const serverLogFrom = fileSize(node.serverLog);
  const out = fs.openSync(node.stdoutLog, "w");
  let child: ChildProcess;
  try {
    // detached: its own process group, so the caller's Ctrl-C or exit does not take it down;
    // stdio goes to files, so nothing ties it to this process once we unref it.
    child = spawn(javaBinary(), jvmArgs(I, node), { cwd: I.home, detached: true, stdio: ["ignore", out, out] });
  } finally {
    fs.closeSync(out);
  }
  let spawnError: Error | undefined;
  child.once("error", (e) => (spawnError = e));
  if (child.pid === undefined) {
    return sleep(0).then(() => {
      // the "error" event comes on the next tick
      const why = (spawnError as NodeJS.ErrnoException | undefined)?.code === "ENOENT" ? "java was not found (install a JDK 17+)" : spawnError?.message;
      throw new BrokerError(`Could not run the embedded broker: ${why ?? "spawn failed"}`);
    });
  }
  const s: Spawned = { node, child, pid: child.pid, serverLogFrom };
  child.once("exit", (code, sig) => (s.exit = sig ? `signal ${sig}` : `code ${code}`));
  fs.writeFileSync(node.pidFile, `${s.pid}\n`);
  log(`Started Kafka broker JVM (pid ${s.pid}); waiting for it to answer on ${node.bootstrap}`);
  return Promise.resolve(s);
}

/** Kills what this call spawned and explains the first failure; never returns. */
async function abandonStart(spawned: Spawned[], failed: Spawned, what: string): Promise<never> {
  for (const s of spawned) {
    if (isAlive(s.pid)) {
      signal(s.pid, "SIGKILL");
      await waitForExit(s.pid, 5000);
    }
    removeFile(s.node.pidFile);
    s.child.removeAllListeners();
    s.child.unref();
  }
  throw startFailure(failed.node, what, failed.serverLogFrom);
}

/** SASL_SSL material for the instance, or undefined (logged) when openssl cannot make it. */
async function saslSettings(I: Instance, log: (l: string) => void): Promise<SaslListenerSettings | undefined> {
  if (!I.sasl || I.saslPort === undefined) return undefined;
  try {
    return await ensureSecurityMaterial(I.home, `${HOST}:${I.saslPort}`, log);
  } catch (e) {
    if (!(e instanceof CertError)) throw e;
    // The plain listener is what most runs need: start without the secure one rather than not at all.
    log(`${e.message}. Starting without the SASL_SSL listener on ${HOST}:${I.saslPort}.`);
    return undefined;
  }
}

/**
 * Starts the embedded broker (or the nodes of a cluster that are not running), or returns at
 * once if all are already running and answering. A dead node is reported through `log`,
 * cleaned up and started again. Resolves only once every node answers a metadata request;
 * throws BrokerError (never hangs) otherwise.
 */
export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerStatus> {
  return (await start(opts)).status;
}

/** Clears a dead or hung node so it can be started; true if it turned out to be running after all. */
async function clearNode(node: NodeLayout, now: Inspection, deadline: number, log: (l: string) => void): Promise<boolean> {
  if (now.alive && now.status.pid !== undefined) {
    const pid = now.status.pid;
    const state = procState(pid);
    const stopped = state === "T" || state === "t";
    if (!stopped && (now.ageMs ?? Infinity) < STARTUP_GRACE_MS) {
      // Started moments ago by a process that then went away (e.g. Ctrl-C): let it finish.
      log(`Broker pid ${pid} was started ${Math.round((now.ageMs ?? 0) / 1000)} s ago; waiting for it`);
      const until = Math.min(deadline, Date.now() + STARTUP_GRACE_MS - (now.ageMs ?? 0));
      if (await waitUntilAnswering(node, pid, until, () => false)) {
        if ((await inspectNode(node)).status.state === "running") return true;
      }
    }
    if (isAlive(pid)) {
      log(`Embedded broker is dead: ${now.reason ?? "it does not answer"}; killing it and starting a new one`);
      await terminate(pid, 5000, log);
    }
    removeFile(node.pidFile);
  } else if (now.status.state === "dead") {
    log(`Embedded broker is dead: ${now.reason}; cleaning up and starting a new one`);
    removeFile(node.pidFile);
  }
  return false;
}

async function start(opts: BrokerOptions): Promise<{ status: BrokerStatus; startedHere: boolean }> {
  const log = opts.log ?? (() => {});
  const I = instance(opts);
  const timeoutMs = opts.timeoutMs ?? (I.nodes.length > 1 ? 120_000 : 60_000);
  const deadline = Date.now() + timeoutMs;

  const first = await inspectAll(I);
  if (first.every((x) => x.status.state === "running")) return { status: combine(I, first.map((x) => x.status)), startedHere: false };

  return withStartLock(I, deadline, async (waited) => {
    // Again if we had to wait for the lock: its holder may have started the broker meanwhile.
    const now = waited ? await inspectAll(I) : first;
    const toStart: NodeLayout[] = [];
    for (let i = 0; i < I.nodes.length; i++) {
      if (now[i].status.state === "running") continue;
      if (!(await clearNode(I.nodes[i], now[i], deadline, log))) toStart.push(I.nodes[i]);
    }
    if (toStart.length === 0) return { status: await brokerStatus(opts), startedHere: false };

    if (!kafkaVersionIn(I.libs)) {
      throw new BrokerError(`The Kafka broker jars are missing from ${I.libs}: run \`npm run setup\` first.`);
    }

    const spawnList: NodeLayout[] = [];
    for (const node of toStart) {
      const adopted = await checkPorts(node, log);
      if (adopted === undefined) {
        spawnList.push(node);
        continue;
      }
      fs.writeFileSync(node.pidFile, `${adopted}\n`);
      const until = Math.min(deadline, Date.now() + 10_000);
      if (await waitUntilAnswering(node, adopted, until, () => false)) continue;
      log(`Adopted broker (pid ${adopted}) does not answer; killing it`);
      await terminate(adopted, 5000, log);
      removeFile(node.pidFile);
      spawnList.push(node);
    }
    if (spawnList.length === 0) return { status: await brokerStatus(opts), startedHere: false };

    const sasl = await saslSettings(I, log);
    for (const node of spawnList) writeConfig(I, node, sasl);
    const formatMs = Math.max(5000, deadline - Date.now());
    await Promise.all(spawnList.map((node) => formatStorageIfNeeded(I, node, log, formatMs)));

    const spawned: Spawned[] = [];
    for (const node of spawnList) {
      try {
        spawned.push(await spawnNode(I, node, log));
      } catch (e) {
        for (const s of spawned) signal(s.pid, "SIGKILL");
        for (const s of spawned) removeFile(s.node.pidFile);
        throw e;
      }
    }
    // A cluster's nodes answer only once a majority of controllers is up: wait for all together.
    const ok = await Promise.all(spawned.map((s) => waitUntilAnswering(s.node, s.pid, deadline, () => s.exit !== undefined)));
    const failedAt = ok.indexOf(false);
    if (failedAt >= 0) {
      const failed = spawned[failedAt];
      const what = failed.exit !== undefined || !isAlive(failed.pid)
        ? `exited during start-up (${failed.exit ?? "exit status unknown"})`
        : `did not answer on ${failed.node.bootstrap} in time; it was killed`;
      await abandonStart(spawned, failed, what);
    }
    for (const s of spawned) {
      s.child.removeAllListeners();
      s.child.unref();
    }
    return { status: await brokerStatus(opts), startedHere: true };
  });
}

// ---------------------------------------------------------------------------------------------
// Stop and ensure
// ---------------------------------------------------------------------------------------------

async function stopNode(node: NodeLayout, timeoutMs: number, log: (l: string) => void): Promise<boolean> {
  const pf = readPidFile(node);
  if (!pf) {
    if (fs.existsSync(node.pidFile)) {
      log(`Removing ${node.pidFile}: it holds no valid pid`);
      removeFile(node.pidFile);
    }
    return false;
  }
  if (!isOurBroker(pf.pid, node)) {
    log(`Removing stale ${node.pidFile}: pid ${pf.pid} is no longer our broker`);
    removeFile(node.pidFile);
    return false;
  }
  log(`Stopping the embedded broker (pid ${pf.pid})`);
  await terminate(pf.pid, timeoutMs, log);
  removeFile(node.pidFile);
  return true;
}

/**
 * Stops our broker (every node of a cluster, together): SIGTERM (controlled shutdown), SIGKILL
 * if still alive after timeoutMs (default 30 s). Removes the pid files. Resolves whether a
 * broker was stopped.
 */
export async function stopBroker(opts: BrokerOptions = {}): Promise<boolean> {
  const log = opts.log ?? (() => {});
  const I = instance(opts);
  const stopped = await Promise.all(I.nodes.map((n) => stopNode(n, opts.timeoutMs ?? 30_000, log)));
  return stopped.some(Boolean);
}

/** The broker running, starting it if needed; startedHere says whether this call started it. */
export async function ensureBroker(opts: BrokerOptions = {}): Promise<{ status: BrokerStatus; startedHere: boolean }> {
  return start(opts);
}
