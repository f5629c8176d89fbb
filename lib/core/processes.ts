/**
 * Long-running processes the project starts and stops itself (the broker's JVMs, Prometheus):
 * whether a pid still runs (pids are recycled; a frozen or zombie process is not a running one),
 * its command line and whether it is ours, its pid file and the end of its log, signals to its
 * process group, a bounded terminate, spawning one detached with its output in a file, who holds a
 * TCP port (and the refusal to start over it), and a start lock shared across processes.
 * Linux-first: /proc and `ss` (iproute2) are read when present, and their absence is never an
 * error. Every wait is bounded.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { KppError, type ErrorKind } from "./errors";
import { sleep } from "./time";

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
  // Its main thread turns "Z" while the process's other threads may still be exiting and holding
  // the sockets, so it is gone only once no other thread is left.
  if (procState(pid) !== "Z") return true;
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

/** The process's command line, arguments joined by spaces; undefined without /proc. */
export function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether pid is a running process of ours: alive, and its command line holds every one of
 * `needles` (a recycled pid runs something else). Without /proc to check with, alive is enough.
 */
export function isOurProcess(pid: number, needles: readonly string[]): boolean {
  if (!isAlive(pid)) return false;
  const cmd = cmdline(pid);
  return cmd === undefined || needles.every((n) => cmd.includes(n));
}

/** A pid file's pid (a whole number above 1 and nothing else) and when it was written; undefined when there is none. */
export function readPidFile(file: string): { pid: number; startedAt: string; ageMs: number } | undefined {
  try {
    const text = fs.readFileSync(file, "utf8").trim();
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid <= 1 || String(pid) !== text) return undefined;
    const mtime = fs.statSync(file).mtime;
    return { pid, startedAt: mtime.toISOString(), ageMs: Date.now() - mtime.getTime() };
  } catch {
    return undefined;
  }
}

/** The last n non-blank lines of a log file (from fromByte on, if the file is still that long); [] when it cannot be read. */
export function tailLines(file: string, n: number, fromByte = 0): string[] {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      // The last 64 KiB hold far more than n lines of a Kafka or Prometheus log.
      const start = Math.max(fromByte > size ? 0 : fromByte, size - 65536);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      return buf
        .toString("utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(-n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

/** Signals the process group the pid leads (it does when spawned detached), else the pid. */
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

/**
 * SIGTERM (a clean shutdown), then SIGKILL once graceMs have passed; a KppError of `kind`
 * naming `what` if even SIGKILL does not end it.
 */
export async function terminate(
  pid: number,
  graceMs: number,
  log: (l: string) => void,
  what = "Process",
  kind: ErrorKind = "connection",
): Promise<void> {
  signal(pid, "SIGTERM");
  signal(pid, "SIGCONT"); // a stopped (SIGSTOP) process would otherwise never act on the SIGTERM
  if (await waitForExit(pid, graceMs)) return;
  log(`${what} (pid ${pid}) still running ${Math.round(graceMs / 1000)} s after SIGTERM; sending SIGKILL`);
  signal(pid, "SIGKILL");
  if (!(await waitForExit(pid, 5000))) throw new KppError(kind, `${what} process ${pid} survived SIGKILL; it must be ended by hand.`);
}

/**
 * Spawns a process detached in its own process group (so that the caller's Ctrl-C or exit does not
 * take it down), its stdout and stderr into outFile (truncated). Resolves once it runs; rejects
 * with the spawn error (e.g. ENOENT) if it cannot. The caller unrefs the child when it lets go.
 */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { cwd: string; outFile: string; env?: NodeJS.ProcessEnv },
): Promise<ChildProcess> {
  const out = fs.openSync(opts.outFile, "w");
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ["ignore", out, out] });
  } finally {
    fs.closeSync(out);
  }
  if (child.pid !== undefined) return Promise.resolve(child);
  // The "error" event comes on the next tick.
  return new Promise((_, reject) => child.once("error", reject));
}

/** One TCP connection attempt to host:port, bounded by timeoutMs: connected, no answer in time, or the socket's error. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<"connected" | "timeout" | Error> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: "connected" | "timeout" | Error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    socket.once("connect", () => done("connected"));
    socket.once("error", (e) => done(e));
  });
}

/** Whether something accepts TCP connections on host:port (bounded by timeoutMs). */
export async function portAccepting(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  // No answer at all on loopback means a listener too busy to accept: still "in use".
  return !((await tcpConnect(host, port, timeoutMs)) instanceof Error);
}

export interface PortHolder {
  pid: number;
  name: string;
  cmd?: string;
  /** The local address it listens on, e.g. "127.0.0.1:9090" or "0.0.0.0:9090". */
  address: string;
}

/** Who listens on a TCP port (any port when omitted), from `ss -ltnp` (iproute2); [] when it cannot tell. */
export function portHolders(port?: number): PortHolder[] {
  let out: string;
  try {
    const filter = port === undefined ? [] : [`sport = :${port}`];
    out = execFileSync("ss", ["-H", "-ltnp", ...filter], { encoding: "utf8", timeout: 3000, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return [];
  }
  const holders: PortHolder[] = [];
  for (const line of out.split("\n")) {
    const address = line.trim().split(/\s+/)[3];
    for (const m of line.matchAll(/\("([^"]*)",pid=(\d+)/g)) {
      const pid = Number(m[2]);
      if (!holders.some((h) => h.pid === pid && h.address === address)) holders.push({ pid, name: m[1], cmd: cmdline(pid), address });
    }
  }
  return holders;
}

/** "java (pid 12: java -cp …)", or how to find out when this user cannot tell. */
export function describeHolders(holders: PortHolder[], port: number): string {
  if (holders.length === 0) {
    return `a process this user cannot identify (try \`ss -ltnp 'sport = :${port}'\` or \`lsof -i :${port}\` as root)`;
  }
  const seen = new Set<number>();
  return holders
    .filter((h) => !seen.has(h.pid) && seen.add(h.pid))
    .map((h) => {
      const cmd = h.cmd && h.cmd.length > 160 ? h.cmd.slice(0, 157) + "..." : h.cmd;
      return `${h.name} (pid ${h.pid}${cmd ? `: ${cmd}` : ""})`;
    })
    .join(", ");
}

/**
 * Why a start is refused over a foreign listener, and the first fix: "127.0.0.1:9090 (role) is
 * already in use by node (pid 12: …), which is not the Prometheus this project started. Fix: stop
 * that process (kill 12)". The caller puts what it could not start before it and its other fixes after.
 */
export function portInUseText(host: string, port: number, holders: PortHolder[], ours: string, role?: string): string {
  const pids = [...new Set(holders.map((h) => h.pid))];
  return (
    `${host}:${port}${role ? ` (${role})` : ""} is already in use by ${describeHolders(holders, port)}, which is not the ${ours} ` +
    `this project started. Fix: stop that process${pids.length ? ` (kill ${pids.join(" ")})` : ""}`
  );
}

function fileAgeMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * Runs fn holding a lock file (O_EXCL, holding the holder's pid), so that two processes starting
 * the same thing at once (two notebooks, a test run and a CLI) do not both start it; a dead
 * holder's lock is taken over. `busy(holder)` is the error once the deadline passes. fn is told
 * whether it had to wait (its holder may have done the work meanwhile).
 */
export async function withLockFile<T>(
  lock: string,
  deadline: number,
  busy: (holder: string) => Error,
  fn: (waited: boolean) => Promise<T>,
): Promise<T> {
  let waited = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(fs.readFileSync(lock, "utf8"), 10);
    } catch {
      continue; // released between our two calls
    }
    // An empty lock may be one that its creator has not written its pid into yet.
    const abandoned = Number.isInteger(holder) ? holder !== process.pid && !isAlive(holder) : fileAgeMs(lock) > 5000;
    if (abandoned) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw busy(Number.isInteger(holder) ? String(holder) : "?");
    waited = true;
    await sleep(250);
  }
  try {
    return await fn(waited);
  } finally {
    try {
      if (fs.readFileSync(lock, "utf8") === String(process.pid)) fs.rmSync(lock, { force: true });
    } catch {
      /* gone */
    }
  }
}
