/**
 * The broker's JVMs as processes: whether a pid is still our broker, and refusing to start over a
 * foreign listener on one of its ports. The generic parts (liveness, whether a pid is ours, signals,
 * terminate, who holds a port and the refusal's wording) are lib/core/processes.ts, shared with
 * Prometheus (lib/monitoring/prometheus.ts).
 */
import { isOurProcess, portAccepting, portHolders, portInUseText } from "../core/processes";
import { BrokerError, type NodeLayout } from "./layout";
import { HOST } from "./properties";

/** Ours = a kafka.Kafka JVM run with our server.properties (guards against a recycled pid; without /proc, the pid file is trusted). */
export function isOurBroker(pid: number, L: NodeLayout): boolean {
  return isOurProcess(pid, ["kafka.Kafka", L.serverProperties]);
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
      `Cannot start the embedded Kafka broker: ${portInUseText(HOST, port, holders, "broker", role)}, ` +
        `or${looksLikeKafka ? "" : ", if it is a Kafka broker you want to use,"} point ` +
        (port === node.clientPort
          ? `KAFKA_BOOTSTRAP_SERVERS in .env at it (KAFKA_BOOTSTRAP_SERVERS=${HOST}:${port}) `
          : `KAFKA_BOOTSTRAP_SERVERS in .env at its client listener `) +
        `so that the embedded broker is not needed.`,
    );
  }
  return undefined;
}
