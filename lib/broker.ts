/**
 * The embedded Apache Kafka broker: a single-node KRaft broker (broker and controller in one
 * JVM) run from the jars that `npm run setup` puts in .broker/libs.
 *
 * Everything it needs lives under .broker/: config/ (generated server.properties and log4j2
 * config), data/ (the log dirs), logs/ (server.log from log4j, broker.out from the JVM itself),
 * broker.pid and cluster.id. The broker runs detached in its own process group, so it outlives
 * the notebook, test or CLI that started it; `stopBroker()` or `npm run broker:stop` ends it.
 *
 * Every wait here is bounded and every client is disconnected, so no caller can hang on it.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { EMBEDDED_BOOTSTRAP, type SecurityProtocol } from "./config";
import { paths } from "./paths";
import type * as KafkaModule from "@confluentinc/kafka-javascript";


const HOST = "127.0.0.1";
const BROKER_PORT = 9092;
const CONTROLLER_PORT = 9093;
const NODE_ID = 1;

export interface BrokerStatus {
  /** "dead": a pid file whose process is gone, or is alive but no longer answers. */
  state: "running" | "stopped" | "dead";
  pid?: number;
  bootstrap: string;
  kafkaVersion?: string;
  logFile: string;
  /** When the running (or dead) broker was started, ISO 8601. */
  startedAt?: string;
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
}

// ---------------------------------------------------------------------------------------------
// Configuration (pure)
// ---------------------------------------------------------------------------------------------


export interface ListenerSpec {
  /** Kafka's listener name, e.g. PLAINTEXT or CONTROLLER (a secure one could be SASL_SSL). */
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
  /** Every listener of this node; a later secure listener is one more entry (plus `extra`). */
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
export function embeddedNodeOptions(dataDir: string): ServerPropertiesOptions {
  return {
    nodeId: NODE_ID,
    listeners: [
      { name: "PLAINTEXT", protocol: "PLAINTEXT", host: HOST, port: BROKER_PORT },
      { name: "CONTROLLER", protocol: "PLAINTEXT", host: HOST, port: CONTROLLER_PORT, controller: true },
    ],
    voters: [{ nodeId: NODE_ID, host: HOST, port: CONTROLLER_PORT }],
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

interface Layout {
  home: string;
  libs: string;
  configDir: string;
  dataDir: string;
  logsDir: string;
  serverProperties: string;
  log4j2: string;
  toolsLog4j2: string;
  serverLog: string;
  stdoutLog: string;
  pidFile: string;
  clusterIdFile: string;
  startLock: string;
}

/**
 * KAFKA_EMBEDDED_HOME moves the broker's state (config, data, logs, pid) elsewhere, so that an
 * isolated run (e.g. a test in its own network namespace) cannot touch the shared .broker/.
 * The jars are always those of .broker/libs, where setup puts them.
 */
function layout(): Layout {
  const home = process.env.KAFKA_EMBEDDED_HOME ? path.resolve(process.env.KAFKA_EMBEDDED_HOME) : paths.broker;
  const configDir = path.join(home, "config");
  const logsDir = path.join(home, "logs");
  return {
    home,
    libs: path.join(paths.broker, "libs"),
    configDir,
    // One folder per node, so a multi-node mode can sit beside it.
    dataDir: path.join(home, "data", `node-${NODE_ID}`),
    logsDir,
    serverProperties: path.join(configDir, "server.properties"),
    log4j2: path.join(configDir, "log4j2.xml"),
    toolsLog4j2: path.join(configDir, "tools-log4j2.xml"),
    serverLog: path.join(logsDir, "server.log"),
    stdoutLog: path.join(logsDir, "broker.out"),
    pidFile: path.join(home, "broker.pid"),
    clusterIdFile: path.join(home, "cluster.id"),
    startLock: path.join(home, "start.lock"),
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
  return kafkaVersionIn(layout().libs);
}

function readPidFile(L: Layout): { pid: number; startedAt: string; ageMs: number } | undefined {
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
function isOurBroker(pid: number, L: Layout): boolean {
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
  status: BrokerStatus;
  /** Why it is dead, for the log. */
  reason?: string;
  /** Pid file age, to tell a broker still starting from a hung one. */
  ageMs?: number;
  /** Our JVM is alive (even if it does not answer). */
  alive: boolean;
}

const STATUS_PROBE_MS = 2500;

async function inspect(L: Layout, probeMs = STATUS_PROBE_MS): Promise<Inspection> {
  const base = { bootstrap: EMBEDDED_BOOTSTRAP, kafkaVersion: kafkaVersionIn(L.libs), logFile: L.serverLog };
  const pf = readPidFile(L);
  if (!pf) {
    if (fs.existsSync(L.pidFile)) {
      return { status: { ...base, state: "dead" }, reason: `${L.pidFile} holds no valid pid`, alive: false };
    }
    return { status: { ...base, state: "stopped" }, alive: false };
  }
  const status: BrokerStatus = { ...base, state: "dead", pid: pf.pid, startedAt: pf.startedAt };
  if (!isOurBroker(pf.pid, L)) {
    return { status, reason: `its pid file names pid ${pf.pid}, which is no longer running (or no longer our broker)`, alive: false, ageMs: pf.ageMs };
  }
  const answers =
    (await portAccepting(HOST, BROKER_PORT, Math.min(1000, probeMs))) &&
    (await answersMetadata(EMBEDDED_BOOTSTRAP, probeMs));
  if (answers) return { status: { ...status, state: "running" }, alive: true, ageMs: pf.ageMs };
  return {
    status,
    reason: `pid ${pf.pid} is alive but does not answer a metadata request on ${EMBEDDED_BOOTSTRAP}`,
    alive: true,
    ageMs: pf.ageMs,
  };
}

/** State of the embedded broker; "running" only if it answers a metadata request now. */
export async function brokerStatus(): Promise<BrokerStatus> {
  return (await inspect(layout())).status;
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
async function withStartLock<T>(L: Layout, deadline: number, fn: (waited: boolean) => Promise<T>): Promise<T> {
  fs.mkdirSync(L.home, { recursive: true });
  let waited = false;
  for (;;) {
    try {
      fs.writeFileSync(L.startLock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(fs.readFileSync(L.startLock, "utf8"), 10);
    } catch {
      continue; // released between our two calls
    }
    // An empty lock may be one that its creator has not written its pid into yet.
    const abandoned = Number.isInteger(holder) ? holder !== process.pid && !isAlive(holder) : fileAgeMs(L.startLock) > 5000;
    if (abandoned) {
      removeFile(L.startLock);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new BrokerError(
        `Another process (pid ${Number.isInteger(holder) ? holder : "?"}) is still starting the embedded broker; ` +
          `wait for it, or remove ${L.startLock} if that process is stuck.`,
      );
    }
    waited = true;
    await sleep(250);
  }
  try {
    return await fn(waited);
  } finally {
    try {
      if (fs.readFileSync(L.startLock, "utf8") === String(process.pid)) removeFile(L.startLock);
    } catch {
      /* gone */
    }
  }
}

/** Refuses to start over a foreign listener; adopts our own broker if only its pid file was lost. */
async function checkPorts(L: Layout, log: (l: string) => void): Promise<number | undefined> {
  const roles: [number, string][] = [
    [BROKER_PORT, "the client listener"],
    [CONTROLLER_PORT, "the KRaft controller listener"],
  ];
  for (const [port, role] of roles) {
    if (!(await portAccepting(HOST, port, 1000))) continue;
    const holders = portHolders(port);
    const ours = holders.find((h) => isOurBroker(h.pid, L));
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
        (port === BROKER_PORT
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

function clusterId(L: Layout): string {
  try {
    const id = fs.readFileSync(L.clusterIdFile, "utf8").trim();
    if (id) return id;
  } catch {
    /* first start */
  }
  // Formatted earlier (cluster.id lost): keep the id the data already carries.
  try {
    const meta = fs.readFileSync(path.join(L.dataDir, "meta.properties"), "utf8");
    const m = /^cluster\.id=(.+)$/m.exec(meta);
    if (m) {
      fs.writeFileSync(L.clusterIdFile, m[1].trim() + "\n");
      return m[1].trim();
    }
  } catch {
    /* not formatted */
  }
  const id = randomClusterId();
  fs.writeFileSync(L.clusterIdFile, id + "\n");
  return id;
}

function writeConfig(L: Layout): void {
  for (const d of [L.configDir, L.dataDir, L.logsDir]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(L.serverProperties, serverProperties(embeddedNodeOptions(L.dataDir)));
  fs.writeFileSync(L.log4j2, brokerLog4j2(L.serverLog));
  fs.writeFileSync(L.toolsLog4j2, toolsLog4j2());
}

async function formatStorageIfNeeded(L: Layout, log: (l: string) => void, timeoutMs: number): Promise<void> {
  if (fs.existsSync(path.join(L.dataDir, "meta.properties"))) return;
  const id = clusterId(L);
  log(`Formatting KRaft storage in ${L.dataDir} (cluster id ${id})`);
  await runJava(
    [
      `-Dlog4j2.configurationFile=${L.toolsLog4j2}`,
      "-cp",
      path.join(L.libs, "*"),
      "kafka.tools.StorageTool",
      "format",
      "-t",
      id,
      "-c",
      L.serverProperties,
      "--ignore-formatted",
    ],
    timeoutMs,
  ).catch((e: Error) => {
    throw new BrokerError(`Formatting the broker's storage failed: ${e.message}`);
  });
}

function jvmArgs(L: Layout): string[] {
  // Same defaults as kafka-server-start.sh; KAFKA_HEAP_OPTS overrides the heap as it does there.
  const heap = (process.env.KAFKA_HEAP_OPTS ?? "-Xms1G -Xmx1G").split(/\s+/).filter(Boolean);
  return [
    ...heap,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-Djava.awt.headless=true",
    `-Dkafka.logs.dir=${L.logsDir}`,
    `-Dlog4j2.configurationFile=${L.log4j2}`,
    "-cp",
    path.join(L.libs, "*"),
    "kafka.Kafka",
    L.serverProperties,
  ];
}

function startFailure(L: Layout, what: string, serverLogFrom: number): BrokerError {
  const server = tailLines(L.serverLog, 20, serverLogFrom);
  const out = tailLines(L.stdoutLog, 20);
  const parts = [`Embedded Kafka broker ${what}.`];
  if (server.length) parts.push(`Last lines of ${L.serverLog}:\n${server.join("\n")}`);
  if (out.length) parts.push(`Last lines of ${L.stdoutLog}:\n${out.join("\n")}`);
  if (!server.length && !out.length) parts.push(`(nothing in ${L.serverLog} or ${L.stdoutLog})`);
  return new BrokerError(parts.join("\n"));
}

/** Waits until our JVM answers; false if it exits first or the deadline passes. */
async function waitUntilAnswering(
  pid: number,
  deadline: number,
  exited: () => boolean,
): Promise<boolean> {
  for (;;) {
    if (exited() || !isAlive(pid)) return false;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    // A cheap TCP check first, so a poll costs ~250 ms until the listener is up.
    if (await portAccepting(HOST, BROKER_PORT, Math.min(500, remaining))) {
      if (await answersMetadata(EMBEDDED_BOOTSTRAP, Math.max(250, Math.min(1000, deadline - Date.now())))) {
        return true;
      }
    }
    await sleep(Math.min(250, deadline - Date.now()));
  }
}

async function spawnBroker(L: Layout, log: (l: string) => void, deadline: number): Promise<BrokerStatus> {
  writeConfig(L);
  await formatStorageIfNeeded(L, log, Math.max(5000, deadline - Date.now()));

  const serverLogFrom = fileSize(L.serverLog);
  const out = fs.openSync(L.stdoutLog, "w");
  let child: ChildProcess;
  try {
    // detached: its own process group, so the caller's Ctrl-C or exit does not take it down;
    // stdio goes to files, so nothing ties it to this process once we unref it.
    child = spawn(javaBinary(), jvmArgs(L), { cwd: L.home, detached: true, stdio: ["ignore", out, out] });
  } finally {
    fs.closeSync(out);
  }
  let exit: string | undefined;
  let spawnError: Error | undefined;
  child.once("error", (e) => (spawnError = e));
  child.once("exit", (code, sig) => (exit = sig ? `signal ${sig}` : `code ${code}`));
  if (child.pid === undefined) {
    await sleep(0); // the "error" event comes on the next tick
    const why = (spawnError as NodeJS.ErrnoException | undefined)?.code === "ENOENT" ? "java was not found (install a JDK 17+)" : spawnError?.message;
    throw new BrokerError(`Could not run the embedded broker: ${why ?? "spawn failed"}`);
  }
  const pid = child.pid;
  fs.writeFileSync(L.pidFile, `${pid}\n`);
  log(`Started Kafka broker JVM (pid ${pid}); waiting for it to answer on ${EMBEDDED_BOOTSTRAP}`);

  const ok = await waitUntilAnswering(pid, deadline, () => exit !== undefined);
  if (!ok) {
    const what = exit !== undefined || !isAlive(pid)
      ? `exited during start-up (${exit ?? "exit status unknown"})`
      : `did not answer on ${EMBEDDED_BOOTSTRAP} in time; it was killed`;
    if (isAlive(pid)) {
      signal(pid, "SIGKILL");
      await waitForExit(pid, 5000);
    }
    removeFile(L.pidFile);
    child.unref();
    throw startFailure(L, what, serverLogFrom);
  }
  child.removeAllListeners();
  child.unref();
  const pf = readPidFile(L);
  return {
    state: "running",
    pid,
    bootstrap: EMBEDDED_BOOTSTRAP,
    kafkaVersion: kafkaVersionIn(L.libs),
    logFile: L.serverLog,
    startedAt: pf?.startedAt ?? new Date().toISOString(),
  };
}

/**
 * Starts the embedded broker, or returns at once if ours is already running and answering.
 * A dead one is reported through `log`, cleaned up and started again. Resolves only once the
 * broker answers a metadata request; throws BrokerError (never hangs) otherwise.
 */
export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerStatus> {
  return (await start(opts)).status;
}

async function start(opts: BrokerOptions): Promise<{ status: BrokerStatus; startedHere: boolean }> {
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const L = layout();

  const first = await inspect(L);
  if (first.status.state === "running") return { status: first.status, startedHere: false };

  return withStartLock(L, deadline, async (waited) => {
    // Again if we had to wait for the lock: its holder may have started the broker meanwhile.
    let now = waited ? await inspect(L) : first;
    if (now.status.state === "running") return { status: now.status, startedHere: false };

    if (now.alive && now.status.pid !== undefined) {
      const pid = now.status.pid;
      const state = procState(pid);
      const stopped = state === "T" || state === "t";
      if (!stopped && (now.ageMs ?? Infinity) < STARTUP_GRACE_MS) {
        // Started moments ago by a process that then went away (e.g. Ctrl-C): let it finish.
        log(`Broker pid ${pid} was started ${Math.round((now.ageMs ?? 0) / 1000)} s ago; waiting for it`);
        const until = Math.min(deadline, Date.now() + STARTUP_GRACE_MS - (now.ageMs ?? 0));
        if (await waitUntilAnswering(pid, until, () => false)) {
          now = await inspect(L);
          if (now.status.state === "running") return { status: now.status, startedHere: false };
        }
      }
      if (isAlive(pid)) {
        log(`Embedded broker is dead: ${now.reason ?? "it does not answer"}; killing it and starting a new one`);
        await terminate(pid, 5000, log);
      }
      removeFile(L.pidFile);
    } else if (now.status.state === "dead") {
      log(`Embedded broker is dead: ${now.reason}; cleaning up and starting a new one`);
      removeFile(L.pidFile);
    }

    if (!kafkaVersionIn(L.libs)) {
      throw new BrokerError(`The Kafka broker jars are missing from ${L.libs}: run \`npm run setup\` first.`);
    }

    const adopted = await checkPorts(L, log);
    if (adopted !== undefined) {
      fs.writeFileSync(L.pidFile, `${adopted}\n`);
      const until = Math.min(deadline, Date.now() + 10_000);
      if (await waitUntilAnswering(adopted, until, () => false)) {
        return { status: (await inspect(L)).status, startedHere: false };
      }
      log(`Adopted broker (pid ${adopted}) does not answer; killing it`);
      await terminate(adopted, 5000, log);
      removeFile(L.pidFile);
    }

    return { status: await spawnBroker(L, log, deadline), startedHere: true };
  });
}

// ---------------------------------------------------------------------------------------------
// Stop and ensure
// ---------------------------------------------------------------------------------------------

/**
 * Stops our broker: SIGTERM (controlled shutdown), SIGKILL if it is still alive after
 * timeoutMs (default 30 s). Removes the pid file. Resolves whether a broker was stopped.
 */
export async function stopBroker(opts: BrokerOptions = {}): Promise<boolean> {
  const log = opts.log ?? (() => {});
  const L = layout();
  const pf = readPidFile(L);
  if (!pf) {
    if (fs.existsSync(L.pidFile)) {
      log(`Removing ${L.pidFile}: it holds no valid pid`);
      removeFile(L.pidFile);
    }
    return false;
  }
  if (!isOurBroker(pf.pid, L)) {
    log(`Removing stale ${L.pidFile}: pid ${pf.pid} is no longer our broker`);
    removeFile(L.pidFile);
    return false;
  }
  log(`Stopping the embedded broker (pid ${pf.pid})`);
  await terminate(pf.pid, opts.timeoutMs ?? 30_000, log);
  removeFile(L.pidFile);
  return true;
}

/** The broker running, starting it if needed; startedHere says whether this call started it. */
export async function ensureBroker(opts: BrokerOptions = {}): Promise<{ status: BrokerStatus; startedHere: boolean }> {
  return start(opts);
}
