/**
 * What both child processes of the study share: the connection from a job, a meter of their own
 * CPU and memory, and the IPC loop (one job in, progress and one result out, "stop" honoured,
 * never outliving the coordinator).
 */
import { localConnection, loadConnection, type KafkaConnection } from "../config/connection";
import { exitCodeOf } from "../core/errors";
import type { ChildTarget, ControlMessage, ResourceSample } from "./protocol";

export function connectionOf(target: ChildTarget): KafkaConnection {
  return target.bootstrap ? localConnection(target.bootstrap, target.embedded) : loadConnection();
}

/** This process's CPU time over wall time (% of one core) and memory, per interval and in all; no sleeping. */
export class ResourceMeter {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly startCpu = this.lastCpu;
  private readonly startAt = this.lastAt;

  /** Since the previous sample. */
  sample(): ResourceSample {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const wallUs = (at - this.lastAt) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    return { cpu_pct: wallUs > 0 ? (100 * (cpu.user + cpu.system)) / wallUs : NaN, rss_mib: process.memoryUsage.rss() / 2 ** 20 };
  }

  /** Since the meter was made. */
  cpuPctSinceStart(): number {
    const cpu = process.cpuUsage(this.startCpu);
    const wallUs = (performance.now() - this.startAt) * 1000;
    return wallUs > 0 ? (100 * (cpu.user + cpu.system)) / wallUs : NaN;
  }

  /** The process's peak resident memory so far. */
  static peakRssMiB(): number {
    return process.resourceUsage().maxRSS / 1024;
  }
}

/** Sends a message to the coordinator and resolves once it is on its way. */
export function sendToParent(message: object): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

/**
 * The child's main: waits for its job, runs it with a signal that "stop" aborts and a handler for
 * the coordinator's other messages, and exits. An error goes to the coordinator with its exit
 * code. A coordinator that went away ends the child.
 */
export function childMain<J>(
  run: (job: J, signal: AbortSignal, onControl: (handler: (m: ControlMessage) => void) => void) => Promise<void>,
): void {
  const stop = new AbortController();
  const handlers: ((m: ControlMessage) => void)[] = [];
  process.on("disconnect", () => process.exit(1));
  // A kernel interrupt or Ctrl-C reaches the coordinator, which stops this child in order.
  process.on("SIGINT", () => undefined);
  process.once("message", (job: J) => {
    process.on("message", (m: ControlMessage) => {
      if (m.type === "stop") stop.abort();
      for (const h of handlers) h(m);
    });
    run(job, stop.signal, (h) => handlers.push(h)).then(
      () => process.exit(0),
      async (e: unknown) => {
        await sendToParent({ type: "error", message: e instanceof Error ? e.message : String(e), exitCode: exitCodeOf(e) });
        process.exit(1);
      },
    );
  });
}
