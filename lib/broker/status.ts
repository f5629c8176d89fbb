/**
 * What state an instance is in, from its pid files, its processes and one metadata request per
 * node: "running" only if the broker answers now, so a frozen or half-dead JVM is reported dead
 * (and start replaces it). Read-only: nothing here starts, stops or writes anything.
 */
import * as fs from "node:fs";
import { readSecurityMaterial, SASL_MECHANISM } from "./certs";
import { instance, kafkaVersionIn, readPidFile, type BrokerOptions, type Instance, type NodeLayout } from "./layout";
import { answersMetadata } from "./probe";
import { portAccepting } from "../core/processes";
import { isOurBroker } from "./processes";
import { HOST } from "./properties";

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

export interface Inspection {
  status: NodeStatus;
  /** Why it is dead, for the log. */
  reason?: string;
  /** Pid file age, to tell a broker still starting from a hung one. */
  ageMs?: number;
  /** Our JVM is alive (even if it does not answer). */
  alive: boolean;
}

const STATUS_PROBE_MS = 2500;

export async function inspectNode(node: NodeLayout, probeMs = STATUS_PROBE_MS): Promise<Inspection> {
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
    return {
      status,
      reason: `its pid file names pid ${pf.pid}, which is no longer running (or no longer our broker)`,
      alive: false,
      ageMs: pf.ageMs,
    };
  }
  const answers = (await portAccepting(HOST, node.clientPort, Math.min(1000, probeMs))) && (await answersMetadata(node.bootstrap, probeMs));
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
  return {
    bootstrap: `${HOST}:${I.saslPort}`,
    mechanism: SASL_MECHANISM,
    username: m.username,
    caLocation: m.caPem,
    credentialsFile: m.credentialsFile,
  };
}

/** One status for the instance from its nodes' statuses. */
export function combine(I: Instance, nodes: NodeStatus[]): BrokerStatus {
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

export async function inspectAll(I: Instance): Promise<Inspection[]> {
  return Promise.all(I.nodes.map((n) => inspectNode(n)));
}

/** State of the embedded broker (or cluster); "running" only if every node answers a metadata request now. */
export async function brokerStatus(opts: Pick<BrokerOptions, "nodes" | "home" | "basePort" | "sasl"> = {}): Promise<BrokerStatus> {
  const I = instance(opts);
  return combine(
    I,
    (await inspectAll(I)).map((x) => x.status),
  );
}
