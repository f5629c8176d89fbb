/**
 * CPU time of processes and threads, read from /proc (Linux): what a process or one of its threads
 * has spent on a core, user + system, in seconds. A window's CPU is the difference of two
 * snapshots. Resolution: a whole process (/proc/<pid>/stat), the kernel's clock tick (1/100 s);
 * a thread, nanoseconds (its schedstat run time) where the kernel keeps it, else ticks; this
 * process's own total comes from getrusage (process.cpuUsage, µs), which also counts threads
 * that have ended.
 * Without /proc (macOS, Windows) the values are NaN, never an error.
 */
import * as fs from "node:fs";

/** USER_HZ: /proc counts CPU time in ticks of 1/100 s on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc stat line, in seconds (the fields after the ")" that ends the name). */
function statSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are stat's fields 14 and 15; fields[0] is field 3 (the state).
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds a process has used, all its threads (ended ones included); NaN if unreadable. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return statSeconds(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return NaN;
  }
}

/** A thread's time on a CPU from its schedstat (ns), or undefined where the kernel does not keep it. */
function runSeconds(pid: number, tid: string): number | undefined {
  try {
    const ns = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    return Number.isFinite(ns) ? ns / 1e9 : undefined;
  } catch {
    return undefined;
  }
}

export interface ThreadCpu {
  tid: number;
  /** The thread's name (comm), e.g. "node", "rdk:broker1", "rdk:main". */
  name: string;
  seconds: number;
}

/** Every live thread of a process with its CPU seconds; [] if unreadable. */
export function threadCpu(pid: number): ThreadCpu[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadCpu[] = [];
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      out.push({
        tid: Number(tid),
        name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
        seconds: runSeconds(pid, tid) ?? statSeconds(stat),
      });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** This process at one moment: its total CPU and each live thread's. */
export interface OwnCpuSnapshot {
  total_s: number;
  threads: ThreadCpu[];
}

export function ownCpuSnapshot(): OwnCpuSnapshot {
  const u = process.cpuUsage();
  return { total_s: (u.user + u.system) / 1e6, threads: threadCpu(process.pid) };
}

/** This process's CPU over a window, split into its main (JavaScript) thread, librdkafka's threads and the rest. */
export interface OwnCpuWindow {
  /** Every thread, ended ones included (getrusage). */
  process_s: number;
  /** The main thread: JavaScript, the event loop, the client binding's callbacks. */
  main_s: number;
  /** librdkafka's threads (names starting "rdk:") alive at the window's end; NaN when there are none. */
  librdkafka_s: number;
}

/**
 * CPU between two snapshots. A thread that started inside the window counts from 0; one that
 * ended inside it is missing from the thread split (not from process_s).
 */
export function ownCpuWindow(a: OwnCpuSnapshot, b: OwnCpuSnapshot, mainTid: number = process.pid): OwnCpuWindow {
  const before = new Map(a.threads.map((t) => [t.tid, t.seconds]));
  const used = (t: ThreadCpu) => t.seconds - (before.get(t.tid) ?? 0);
  const sum = (ts: ThreadCpu[]) => ts.reduce((s, t) => s + used(t), 0);
  const main = b.threads.find((t) => t.tid === mainTid);
  const rdk = b.threads.filter((t) => t.name.startsWith("rdk:"));
  return {
    process_s: b.total_s - a.total_s,
    main_s: main ? used(main) : NaN,
    librdkafka_s: rdk.length ? sum(rdk) : NaN,
  };
}
