/**
 * Running a child process to its end, bounded: its output collected, its lines handed over as
 * they come, and the child killed (SIGKILL) once timeoutMs have passed. The one place that spawns
 * a process and waits for it (the reference Java tools, the flush experiment's producer, …).
 */
import { spawn } from "node:child_process";

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
}

/** Resolves when the child has exited (or was killed at the bound); rejects only when it cannot start. */
export function runChild(command: string, args: string[], opts: ChildOptions): Promise<ChildResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
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
