/**
 * Which CPUs a process may run on (Linux): read from /proc/<pid>/status, set for every thread of
 * the process with `taskset -a -p -c` (util-linux). Threads created later inherit their creator's
 * set, so a process pinned before it starts its client threads keeps them on its cores, and so do
 * the child processes it spawns.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { KppError } from "./errors";

/** The CPU list a process may run on, e.g. "0-1" or "1"; undefined without /proc. */
export function affinityOf(pid: number): string | undefined {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** Why CPU pinning cannot be done here (undefined: it can). */
export function pinningUnavailable(): string | undefined {
  if (process.platform !== "linux") return `CPU pinning needs Linux's taskset (this is ${process.platform})`;
  const r = spawnSync("taskset", ["--version"], { encoding: "utf8", timeout: 5_000 });
  if (r.error) return "taskset is not installed (Debian: apt-get install util-linux)";
  return undefined;
}

/** Restricts every thread of pid to `cpus` (a taskset CPU list such as "0" or "0-1"). */
export function setAffinity(pid: number, cpus: string): void {
  const r = spawnSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { encoding: "utf8", timeout: 10_000 });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.stderr || r.stdout || `exit code ${r.status}`).trim();
    throw new KppError("config", `could not pin process ${pid} to CPU ${cpus} with taskset: ${why}`);
  }
}
