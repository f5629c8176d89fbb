/**
 * The broker's JVMs as processes, and the ports they listen on: whether a pid is still our
 * broker (pids are recycled; a frozen or zombie JVM is not a running one), signals to its process
 * group, a bounded terminate, and who holds a port when it is not us. Linux-first: /proc and
 * `ss` (iproute2) are read when present, and their absence is never an error.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { sleep } from "../core/time";
import { BrokerError, type NodeLayout } from "./layout";
import { HOST } from "./properties";

/** /proc/<pid>/stat's state letter, e.g. "S", "Z" (zombie), "T" (stopped); undefined if unknown. */
export function procState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).charAt(0) || undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
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
export function isOurBroker(pid: number, L: NodeLayout): boolean {
  if (!isAlive(pid)) return false;
  const cmd = cmdline(pid);
  if (cmd === undefined) return true; // no /proc to check with: trust the pid file
  return cmd.includes("kafka.Kafka") && cmd.includes(L.serverProperties);
}

/** Signals the broker's process group (it leads one, being spawned detached), else the pid. */
export function signal(pid: number, sig: NodeJS.Signals): void {
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

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM (Kafka's controlled shutdown), then SIGKILL once graceMs have passed. */
export async function terminate(pid: number, graceMs: number, log: (l: string) => void): Promise<void> {
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
export function portAccepting(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
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

/** Refuses to start over a foreign listener; adopts our own node if only its pid file was lost. */
export async function checkPorts(node: NodeLayout, log: (l: string) => void): Promise<number | undefined> {
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
