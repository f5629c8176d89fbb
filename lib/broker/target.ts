/**
 * The target and the machine a run happens on: opening the target (starting the embedded broker
 * when no other is configured) and the environment facts a grader needs to reproduce a run.
 */
import { loadConnection, type ConnectionSummary, type KafkaConnection } from "../config/connection";
import { readEnv, type Env } from "../config/env";
import { hostInfo } from "../core/history";
import { clientVersions } from "../kafka/client";
import { checkConnection } from "../kafka/preflight";
import { kafkaVersion } from "./layout";
import { ensureBroker } from "./start";

/**
 * The connection from .env / the environment; for the embedded broker, also makes sure it runs
 * (starting it takes a few seconds the first time). Then one bounded metadata request, so that
 * an unreachable broker or a wrong password is a clear error now, not a time-out later.
 */
export async function openTarget(env: Env = readEnv(), opts: { log?: (line: string) => void } = {}): Promise<KafkaConnection> {
  const connection = loadConnection(env);
  if (connection.embedded) await ensureBroker({ log: opts.log ?? ((line) => console.error(line)) });
  await checkConnection(connection);
  return connection;
}

export interface EnvironmentInfo {
  target: string;
  bootstrap_servers: string;
  security_protocol: string;
  sasl_username?: string;
  sasl_password?: string;
  broker: string;
  client: string;
  librdkafka: string;
  node: string;
  os: string;
  cpu: string;
  cores: number;
  memory_gib: number;
}

export function environmentInfo(connection: KafkaConnection): EnvironmentInfo {
  const s: ConnectionSummary = connection.summary();
  const host = hostInfo();
  const versions = clientVersions();
  const info: EnvironmentInfo = {
    target: s.target,
    bootstrap_servers: s.bootstrap_servers,
    security_protocol: s.security_protocol,
    broker: connection.embedded
      ? `Apache Kafka ${kafkaVersion() ?? "(not set up)"}, KRaft, single node on this machine`
      : "remote (version not reported by the client)",
    client: versions.client,
    librdkafka: versions.librdkafka,
    node: process.version,
    os: host.os,
    cpu: host.cpu,
    cores: host.cores,
    memory_gib: host.memory_gib,
  };
  if (s.sasl_username) info.sasl_username = s.sasl_username;
  if (s.sasl_password) info.sasl_password = s.sasl_password;
  return info;
}
