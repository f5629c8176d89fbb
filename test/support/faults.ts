/**
 * Test-only helpers for fault scenarios: a broker instance of one's own (so killing it disturbs
 * no one), killing or restarting it, and the process's peak memory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  brokerStatus,
  credentialsEnv,
  readSecurityMaterial,
  startBroker,
  stopBroker,
  type BrokerOptions,
  type BrokerStatus,
} from "../../lib/broker";
import { loadConnection, type Env, type KafkaConnection } from "../../lib/config";
import { signal, waitForExit } from "../../lib/core/processes";

export interface ScratchBroker {
  home: string;
  basePort: number;
  status: BrokerStatus;
  /** A connection to its PLAINTEXT listener. */
  plain(): KafkaConnection;
  /** The .env keys for its SASL_SSL listener (generated user and password, its CA). */
  saslEnv(): Env;
  /** SIGKILL every node: a crash, not a shutdown. Resolves once the JVMs are gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data (after kill or stop). */
  restart(): Promise<BrokerStatus>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * A single-node broker in a fresh temporary folder on basePort (PLAINTEXT), basePort+1
 * (controller) and basePort+2 (SASL_SSL). Always dispose() it (in a finally or t.after).
 */
export async function scratchBroker(
  basePort: number,
  opts: Pick<BrokerOptions, "log" | "timeoutMs" | "sasl"> = {},
): Promise<ScratchBroker> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-broker-"));
  const options: BrokerOptions = { ...opts, home, basePort };
  let status: BrokerStatus;
  try {
    status = await startBroker(options);
  } catch (e) {
    await stopBroker(options).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
    throw e;
  }
  const scratch: ScratchBroker = {
    home,
    basePort,
    status,
    plain: () => loadConnection({ KAFKA_BOOTSTRAP_SERVERS: status.bootstrap }),
    saslEnv: () => {
      const m = readSecurityMaterial(home);
      if (!m || !status.sasl) throw new Error(`the broker in ${home} has no SASL_SSL listener`);
      return credentialsEnv(m, status.sasl.bootstrap);
    },
    kill: async () => {
      const pids = (await brokerStatus(options)).nodes.map((n) => n.pid).filter((p): p is number => p !== undefined);
      for (const pid of pids) signal(pid, "SIGKILL");
      await Promise.all(pids.map((pid) => waitForExit(pid, 10_000)));
    },
    restart: async () => {
      status = await startBroker(options);
      scratch.status = status;
      return status;
    },
    dispose: async () => {
      try {
        await stopBroker({ ...options, timeoutMs: 10_000 });
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
  };
  return scratch;
}

/** Peak resident set size of this process so far, in MiB (getrusage's maxrss). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
