/**
 * Where a comparison's runs execute. Unpinned: the scheduler puts the broker, the client and
 * everything else on whichever core is free. Pinned: the broker JVM (every thread) on CPU 0 and
 * this process on CPU 1, so the in-process clients and the Python and Java processes it starts
 * (which inherit its CPU set) never share a core with the broker. The broker is already running:
 * it is pinned with `taskset -a -p` and given back its own CPU set afterwards, also on Ctrl-C.
 *
 * The broker is shared: one pinned phase at a time holds .broker/pinning.lock (another waits for
 * it), and the broker's own CPU set is kept in .broker/pinning.saved while it is pinned, so that
 * a run killed meanwhile is repaired by the next pinned run rather than leaving the broker on
 * one core.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { paths } from "../config/paths";
import { affinityOf, pinningUnavailable, setAffinity } from "../core/affinity";
import { EXIT_CODES, KppError } from "../core/errors";
import { withLockFile } from "../core/processes";

export const PLACEMENTS = ["unpinned", "pinned"] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** The pinned placement's CPUs (taskset lists). */
export const PINNED_CPUS = Object.freeze({ broker: "0", client: "1" });

export const PLACEMENT_LABELS: Readonly<Record<Placement, string>> = Object.freeze({
  unpinned: "unpinned (the scheduler places broker and client)",
  pinned: `pinned (broker on CPU ${PINNED_CPUS.broker}, client on CPU ${PINNED_CPUS.client})`,
});

/** Why the pinned placement cannot run here (undefined: it can). */
export function pinnedUnavailable(brokerPid: number | undefined): string | undefined {
  const why = pinningUnavailable();
  if (why) return why;
  if (brokerPid === undefined) return "the broker is not a process on this machine: only the embedded broker can be pinned";
  if (os.cpus().length < 2) return `pinning needs 2 CPUs (this machine has ${os.cpus().length})`;
  return undefined;
}

const LOCK = path.join(paths.broker, "pinning.lock");
const SAVED = path.join(paths.broker, "pinning.saved");
/** How long a pinned phase waits for another one (on the same broker) to end. */
const LOCK_WAIT_MS = 30 * 60_000;

/** The broker's own CPU set: the one a killed run saved, if it is this broker's, else its current one. */
function brokerCpus(brokerPid: number): string | undefined {
  try {
    const [pid, cpus] = fs.readFileSync(SAVED, "utf8").trim().split(" ");
    if (Number(pid) === brokerPid && cpus) return cpus;
  } catch {
    /* none saved */
  }
  return affinityOf(brokerPid);
}

/**
 * Runs body with the broker on CPU 0 and this process on CPU 1, then gives both their CPU sets
 * back, whatever happens: also on Ctrl-C (which, where nothing else handles it, then ends the
 * process with 130 as it would have) and at exit.
 */
export async function withPinned<T>(brokerPid: number, body: () => Promise<T>, log: (line: string) => void = () => undefined): Promise<T> {
  if (fs.existsSync(LOCK)) log(`another run holds the broker pinned (${LOCK}); waiting for it to finish`);
  const busy = (holder: string) =>
    new KppError(
      "config",
      `process ${holder} has held the broker pinned for ${LOCK_WAIT_MS / 60_000} min; wait for it, or run unpinned only.`,
    );
  return withLockFile(LOCK, Date.now() + LOCK_WAIT_MS, busy, () => pinned(brokerPid, body, log));
}

async function pinned<T>(brokerPid: number, body: () => Promise<T>, log: (line: string) => void): Promise<T> {
  const saved: [number, string | undefined][] = [
    [brokerPid, brokerCpus(brokerPid)],
    [process.pid, affinityOf(process.pid)],
  ];
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const [pid, cpus] of saved) {
      try {
        if (cpus) setAffinity(pid, cpus);
      } catch (e) {
        log(`could not give process ${pid} back its CPUs ${cpus}: ${(e as Error).message}`);
      }
    }
    fs.rmSync(SAVED, { force: true });
  };
  const dieOnSigint = process.listenerCount("SIGINT") === 0;
  const onSigint = () => {
    restore();
    if (!dieOnSigint) return;
    // Exiting here skips withLockFile's release: the lock goes first.
    if (fs.existsSync(LOCK) && fs.readFileSync(LOCK, "utf8") === String(process.pid)) fs.rmSync(LOCK, { force: true });
    process.exit(EXIT_CODES.interrupted);
  };
  process.on("SIGINT", onSigint);
  process.on("exit", restore);
  try {
    if (saved[0][1]) fs.writeFileSync(SAVED, `${brokerPid} ${saved[0][1]}\n`);
    setAffinity(brokerPid, PINNED_CPUS.broker);
    setAffinity(process.pid, PINNED_CPUS.client);
    log(
      `pinned: broker (pid ${brokerPid}, was CPUs ${saved[0][1]}) on CPU ${PINNED_CPUS.broker}, this process on CPU ${PINNED_CPUS.client}`,
    );
    return await body();
  } finally {
    restore();
    process.off("SIGINT", onSigint);
    process.off("exit", restore);
    log(`unpinned: broker back on CPUs ${saved[0][1]}, this process on ${saved[1][1]}`);
  }
}
