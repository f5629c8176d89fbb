/**
 * Where the producers connect, read from the environment and .env (KAFKA_* keys).
 *
 * Every bad value is a ConfigError that names the key and what is allowed, raised before anything
 * connects. The SASL password is kept out of every printable form of the connection.
 */
import * as fs from "node:fs";
import { inspect } from "node:util";
import { ConfigError } from "../core/errors";
import { clean, readEnv, type Env } from "./env";
import { projectRelative } from "./paths";
import { oneOf } from "../core/validate";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** The embedded broker's plain listener (see lib/broker/). */
export const EMBEDDED_BOOTSTRAP = "127.0.0.1:9092";
export const REDACTED = "********";

/** Values copied from an example file (.env.example, the cloud INI) without being filled in. */
export const PLACEHOLDER = /<[^>]*>|YOUR_|CHANGE_?ME/i;

function notPlaceholder(key: string, value: string | undefined, shown: boolean): void {
  if (value && PLACEHOLDER.test(value)) {
    const what = shown ? `'${value}' ` : "";
    throw new ConfigError(key, `${what}is still the placeholder from .env.example; put your real value in .env.`);
  }
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

function parseBootstrap(value: string): string {
  const key = "KAFKA_BOOTSTRAP_SERVERS";
  notPlaceholder(key, value, true);
  const servers = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (servers.length === 0) throw new ConfigError(key, "is empty; leave it unset to use the embedded broker.");
  for (const s of servers) {
    const m = HOST_PORT.exec(s.replace(/^[A-Za-z_]+:\/\//, ""));
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new ConfigError(
        key,
        `'${s}' is not host:port (a comma-separated list is allowed, e.g. pkc-xxxxx.us-east-1.aws.confluent.cloud:9092). ` +
          "Leave it unset to use the embedded broker.",
      );
    }
  }
  return servers.join(",");
}

/** What a notebook may print about the connection: never the password. */
export interface ConnectionSummary {
  target: string;
  bootstrap_servers: string;
  security_protocol: SecurityProtocol;
  sasl_mechanism?: SaslMechanism;
  sasl_username?: string;
  sasl_password?: string;
  ssl_ca_location?: string;
}

/**
 * Where the producers connect. The password lives in a private field: printing, inspecting or
 * JSON-serialising the object shows it redacted; only clientConfig() hands it to librdkafka.
 */
export class KafkaConnection {
  readonly #password: string | undefined;

  constructor(
    readonly embedded: boolean,
    readonly bootstrapServers: string,
    readonly securityProtocol: SecurityProtocol,
    readonly saslMechanism: SaslMechanism | undefined,
    readonly saslUsername: string | undefined,
    password: string | undefined,
    readonly sslCaLocation: string | undefined,
  ) {
    this.#password = password;
    Object.freeze(this);
  }

  /** A short human name for chart titles: "embedded broker", "Confluent Cloud" or the host. */
  get label(): string {
    if (this.embedded) return "embedded broker";
    if (/\.confluent\.cloud(:\d+)?$/i.test(this.bootstrapServers.split(",")[0])) return "Confluent Cloud";
    return `Kafka at ${this.bootstrapServers.split(",")[0]}`;
  }

  /** The secret values a report must never contain (for the export's scan). */
  secrets(): string[] {
    return this.#password ? [this.#password] : [];
  }

  /** librdkafka properties for this connection, password included: pass straight to a client. */
  clientConfig(): Record<string, string> {
    const conf: Record<string, string> = {
      "bootstrap.servers": this.bootstrapServers,
      "security.protocol": this.securityProtocol.toLowerCase(),
    };
    if (this.saslMechanism) conf["sasl.mechanisms"] = this.saslMechanism;
    if (this.saslUsername) conf["sasl.username"] = this.saslUsername;
    if (this.#password) conf["sasl.password"] = this.#password;
    if (this.sslCaLocation) conf["ssl.ca.location"] = this.sslCaLocation;
    return conf;
  }

  summary(): ConnectionSummary {
    const s: ConnectionSummary = {
      target: this.label,
      bootstrap_servers: this.bootstrapServers,
      security_protocol: this.securityProtocol,
    };
    if (this.saslMechanism) s.sasl_mechanism = this.saslMechanism;
    if (this.saslUsername) s.sasl_username = this.saslUsername;
    if (this.#password) s.sasl_password = REDACTED;
    // As a report shows it: relative to the project (the embedded broker's CA is in .broker/certs/).
    if (this.sslCaLocation) s.ssl_ca_location = projectRelative(this.sslCaLocation);
    return s;
  }

  toJSON(): ConnectionSummary {
    return this.summary();
  }

  toString(): string {
    return Object.entries(this.summary())
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
  }

  [inspect.custom](): string {
    return `KafkaConnection { ${this.toString()} }`;
  }
}

/** Reads KAFKA_* from the environment and .env; no KAFKA_BOOTSTRAP_SERVERS = the embedded broker. */
export function loadConnection(env: Env = readEnv()): KafkaConnection {
  const bootstrap = clean(env.KAFKA_BOOTSTRAP_SERVERS);
  const protocolRaw = clean(env.KAFKA_SECURITY_PROTOCOL);
  const mechanismRaw = clean(env.KAFKA_SASL_MECHANISMS);
  const username = clean(env.KAFKA_SASL_USERNAME);
  const password = clean(env.KAFKA_SASL_PASSWORD);
  const caLocation = clean(env.KAFKA_SSL_CA_LOCATION);

  if (!bootstrap) {
    const stray = ["KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"].find((k) => clean(env[k]));
    if (stray) {
      throw new ConfigError(
        stray,
        "is set but KAFKA_BOOTSTRAP_SERVERS is not; set KAFKA_BOOTSTRAP_SERVERS to your cluster " +
          "(or remove the KAFKA_* keys from .env to use the embedded broker).",
      );
    }
    return new KafkaConnection(true, EMBEDDED_BOOTSTRAP, "PLAINTEXT", undefined, undefined, undefined, undefined);
  }

  const servers = parseBootstrap(bootstrap);
  const protocol = protocolRaw ? oneOf("KAFKA_SECURITY_PROTOCOL", protocolRaw, SECURITY_PROTOCOLS) : "PLAINTEXT";
  if (/\.confluent\.cloud(:\d+)?$/i.test(servers.split(",")[0]) && protocol !== "SASL_SSL") {
    throw new ConfigError(
      "KAFKA_SECURITY_PROTOCOL",
      `is ${protocol}, but Confluent Cloud accepts only SASL_SSL; set KAFKA_SECURITY_PROTOCOL=SASL_SSL and KAFKA_SASL_MECHANISMS=PLAIN.`,
    );
  }
  if (caLocation && !fs.existsSync(caLocation)) {
    throw new ConfigError("KAFKA_SSL_CA_LOCATION", `file '${caLocation}' does not exist.`);
  }

  if (!protocol.startsWith("SASL_")) {
    const stray = ["KAFKA_SASL_MECHANISMS", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"].find((k) => clean(env[k]));
    if (stray) {
      throw new ConfigError(
        stray,
        `is set but KAFKA_SECURITY_PROTOCOL is ${protocol}, which does not authenticate; ` +
          "use SASL_SSL (Confluent Cloud) or SASL_PLAINTEXT, or remove the SASL keys.",
      );
    }
    return new KafkaConnection(false, servers, protocol, undefined, undefined, undefined, caLocation);
  }

  const mechanism = mechanismRaw ? oneOf("KAFKA_SASL_MECHANISMS", mechanismRaw, SASL_MECHANISMS) : "PLAIN";
  if (!username) throw new ConfigError("KAFKA_SASL_USERNAME", `is required with ${protocol} (Confluent Cloud: your API key).`);
  if (!password) throw new ConfigError("KAFKA_SASL_PASSWORD", `is required with ${protocol} (Confluent Cloud: your API secret).`);
  notPlaceholder("KAFKA_SASL_USERNAME", username, true);
  notPlaceholder("KAFKA_SASL_PASSWORD", password, false);
  return new KafkaConnection(false, servers, protocol, mechanism, username, password, caLocation);
}

/** A PLAINTEXT connection to a local broker or cluster (e.g. the three-node one, or a bench worker's). */
export function localConnection(bootstrap: string, embedded = true): KafkaConnection {
  return new KafkaConnection(embedded, bootstrap, "PLAINTEXT", undefined, undefined, undefined, undefined);
}
