/**
 * Running a child process to its end, bounded: its output collected, its lines handed over as
 * they come, and the child killed (SIGKILL) once timeoutMs have passed. The one place that spawns
 * a process and waits for it (the reference Java tools, the flush experiment's producer, …), and
 * the one way to wait for a forked child's next message.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EXIT_CODES, KppError, type ErrorKind } from "./errors";

export interface ChildResult {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the bound ran out and the child was killed. */
  timedOut: boolean;
  ms: number;
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Each non-empty line of stdout, as it arrives. */
  onLine?: (line: string) => void;
  /** The child's pid, once it runs (e.g. to read its CPU time from /proc while it runs). */
  onSpawn?: (pid: number) => void;
}

/** Resolves when the child has exited (or was killed at the bound); rejects only when it cannot start. */
export function runChild(command: string, args: string[], opts: ChildOptions): Promise<ChildResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stdout = "";
    let stderr = "";
    let partial = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (!opts.onLine) return;
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) opts.onLine(l.trim());
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (partial.trim()) opts.onLine?.(partial.trim());
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - t0 });
    });
  });
}

/**
 * The next message of `type` from a forked child, within timeoutMs. A message
 * `{ type: "error", message, exitCode? }` from the child, the child exiting first, or the bound
 * running out reject instead (a child's error keeps its exit code's kind where it has one).
 */
export function awaitMessage<M extends { type: string }, T extends M["type"]>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  what = "a child process",
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new KppError("delivery", `${what} sent no '${type}' within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const onMessage = (m: M & { message?: string; exitCode?: number }) => {
      if (m.type === type) done(undefined, m as Extract<M, { type: T }>);
      else if (m.type === "error")
        done(
          m.exitCode !== undefined && m.exitCode !== 1
            ? new KppError(kindOf(m.exitCode), m.message ?? "failed")
            : new Error(`${what} failed: ${m.message}`),
        );
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (code ${code}) before '${type}'`));
    function done(err?: Error, m?: Extract<M, { type: T }>) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** The error kind an exit code stands for (the inverse of EXIT_CODES). */
function kindOf(code: number): ErrorKind {
  const hit = (Object.entries(EXIT_CODES) as [string, number][]).find(([k, c]) => c === code && k !== "ok" && k !== "unexpected");
  return (hit?.[0] ?? "delivery") as ErrorKind;
}
