/**
 * Starting and stopping an instance of the embedded broker: KRaft nodes (broker and controller
 * in one JVM each) run from the jars that `npm run setup` puts in .broker/libs.
 *
 * A start is serialised across processes by a lock file, returns at once when every node already
 * answers, cleans up a dead or frozen node and starts it again, refuses to start over a foreign
 * listener, and resolves only once every node answers a metadata request; otherwise it kills
 * what it spawned and throws a BrokerError with the end of the broker's log. Every wait is
 * bounded (timeoutMs, default 60 s for one node and 120 s for a cluster), so no caller can hang.
 */
import * as fs from "node:fs";
import { CertError, ensureSecurityMaterial } from "./certs";
import { formatStorageIfNeeded, spawnNode, writeConfig, type Spawned } from "./jvm";
import {
  BrokerError,
  instance,
  kafkaVersionIn,
  readPidFile,
  removeFile,
  tailLines,
  type BrokerOptions,
  type Instance,
  type NodeLayout,
} from "./layout";
import { waitUntilAnswering } from "./probe";
import { isAlive, procState, signal, terminate as terminateProcess, waitForExit, withLockFile } from "../core/processes";
import { checkPorts, isOurBroker } from "./processes";
import { HOST, type SaslListenerSettings } from "./properties";
import { brokerStatus, combine, inspectAll, inspectNode, type BrokerStatus, type Inspection } from "./status";

/** SIGTERM (Kafka's controlled shutdown), then SIGKILL once graceMs have passed. */
const terminate = (pid: number, graceMs: number, log: (l: string) => void) => terminateProcess(pid, graceMs, log, "Broker");

/** A JVM that has not answered yet may just be starting, if its pid file is this young. */
const STARTUP_GRACE_MS = 30_000;

/**
 * Serialises starts across processes (two notebooks, a test run and the CLI may all call
 * startBroker at once): a lock file holding the starter's pid; a dead holder's is taken over.
 */
function withStartLock<T>(I: Instance, deadline: number, fn: (waited: boolean) => Promise<T>): Promise<T> {
  fs.mkdirSync(I.home, { recursive: true });
  const busy = (holder: string) =>
    new BrokerError(
      `Another process (pid ${holder}) is still starting the embedded broker; wait for it, or remove ${I.startLock} if that process is stuck.`,
    );
  return withLockFile(I.startLock, deadline, busy, fn);
}

/** The BrokerError for a failed start: what happened, and the end of the node's logs. */
function startFailure(node: NodeLayout, what: string, serverLogFrom: number): BrokerError {
  const server = tailLines(node.serverLog, 20, serverLogFrom);
  const out = tailLines(node.stdoutLog, 20);
  const parts = [`Embedded Kafka broker ${what}.`];
  if (server.length) parts.push(`Last lines of ${node.serverLog}:\n${server.join("\n")}`);
  if (out.length) parts.push(`Last lines of ${node.stdoutLog}:\n${out.join("\n")}`);
  if (!server.length && !out.length) parts.push(`(nothing in ${node.serverLog} or ${node.stdoutLog})`);
  return new BrokerError(parts.join("\n"));
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
  if (first.every((x) => x.status.state === "running"))
    return {
      status: combine(
        I,
        first.map((x) => x.status),
      ),
      startedHere: false,
    };

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
      const what =
        failed.exit !== undefined || !isAlive(failed.pid)
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
