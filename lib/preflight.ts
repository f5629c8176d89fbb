/**
 * Checking a connection before a run: one metadata request through librdkafka, bounded, that
 * turns librdkafka's generic "broker transport failure" into an error saying what is wrong and
 * how to fix it (unreachable, wrong user or password, certificate not trusted).
 *
 * librdkafka reports why a connection failed only in its log (e.g. "SASL authentication error:
 * Authentication failed: Invalid username or password"), not in the connect callback, so the
 * probe listens to the log and fails as soon as a definitive cause shows up. The password never
 * appears in an error: messages name the user and mechanism, and are scrubbed of every secret
 * of the connection before they leave.
 */
import { performance } from "node:perf_hooks";
import * as Kafka from "@confluentinc/kafka-javascript";
import type { KafkaConnection } from "./config";

export type ConnectionProblem = "unreachable" | "authentication" | "tls" | "timeout";

export class ConnectionError extends Error {
  constructor(
    readonly problem: ConnectionProblem,
    message: string,
    /** Milliseconds from the start of the check to this error (monotonic clock). */
    readonly afterMs: number,
  ) {
    super(message);
    this.name = "ConnectionError";
  }
}

export interface ConnectionCheck {
  /** Milliseconds to the metadata answer (includes TCP, TLS and SASL handshakes). */
  ms: number;
  brokers: { id: number; host: string; port: number }[];
}

export interface CheckOptions {
  /** Give up after this long (default 10 s), well before a caller's 15 s. */
  timeoutMs?: number;
  /** How many "connection refused" / "name not resolved" reports make the target unreachable
   *  before the timeout (default 2: librdkafka retries within about a second). */
  refusalsToFail?: number;
}

/** Replaces every secret value of the connection in text (defence in depth: librdkafka does not print them). */
export function scrubSecrets(text: string, connection: KafkaConnection): string {
  let out = text;
  for (const s of connection.secrets()) if (s) out = out.split(s).join("********");
  return out;
}

interface LogEvent {
  severity: number;
  fac: string;
  message: string;
}

/** What a librdkafka log line tells about the connection; undefined if nothing definitive. */
export function classifyLog(message: string): { problem: ConnectionProblem; detail: string } | undefined {
  const m = message.replace(/^\[thrd:[^\]]*\]:\s*/, "");
  if (/SASL authentication error|Authentication failed|SASL .*(mechanism|handshake).*(fail|not supported|not enabled)/i.test(m)) {
    return { problem: "authentication", detail: m };
  }
  if (/SSL handshake failed|certificate verify failed|ssl.*(error|fail)/i.test(m)) return { problem: "tls", detail: m };
  if (/Connection refused|Failed to resolve|Name or service not known|No route to host|Network is unreachable/i.test(m)) {
    return { problem: "unreachable", detail: m };
  }
  return undefined;
}

function advice(problem: ConnectionProblem, connection: KafkaConnection): string {
  const servers = connection.bootstrapServers;
  switch (problem) {
    case "authentication":
      return (
        `Authentication failed at ${servers}: the broker rejected SASL user '${connection.saslUsername ?? "(none)"}' ` +
        `with mechanism ${connection.saslMechanism ?? "(none)"}. Check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD in .env ` +
        `(Confluent Cloud: the API key and its secret, for this cluster) and KAFKA_SASL_MECHANISMS (Confluent Cloud: PLAIN).`
      );
    case "tls":
      return (
        `The TLS handshake with ${servers} failed: the broker's certificate is not trusted or does not match the address. ` +
        (connection.sslCaLocation
          ? `Check that KAFKA_SSL_CA_LOCATION (${connection.sslCaLocation}) is the CA that signed the broker's certificate.`
          : `For a broker with a self-signed certificate set KAFKA_SSL_CA_LOCATION to its CA file; Confluent Cloud needs none.`) +
        ` Also check KAFKA_SECURITY_PROTOCOL (${connection.securityProtocol}).`
      );
    case "unreachable":
    case "timeout": {
      const how = connection.embedded
        ? "Start the embedded broker with `npm run broker:start` (or run `npm start`, which starts it)."
        : "Check KAFKA_BOOTSTRAP_SERVERS (and KAFKA_SECURITY_PROTOCOL) in .env; for the embedded broker, remove " +
          "KAFKA_BOOTSTRAP_SERVERS from .env or start it with `npm run broker:start` and point KAFKA_BOOTSTRAP_SERVERS at 127.0.0.1:9092 " +
          "(127.0.0.1:9094 for its SASL_SSL listener).";
      const what = problem === "unreachable" ? "cannot be reached" : "did not answer";
      return `The Kafka cluster at ${servers} (KAFKA_BOOTSTRAP_SERVERS) ${what}. ${how}`;
    }
  }
}

/**
 * One metadata request to the connection's cluster. Resolves with the brokers it reports, or
 * rejects with a ConnectionError within timeoutMs (+ at most ~1 s for the client to close).
 * The probe client is always disconnected.
 */
export function checkConnection(connection: KafkaConnection, opts: CheckOptions = {}): Promise<ConnectionCheck> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const refusalsToFail = opts.refusalsToFail ?? 2;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    let refusals = 0;
    let lastDetail = "";
    const client = new Kafka.Producer({
      ...connection.clientConfig(),
      "client.id": "kafka-producer-perf-preflight",
      // Errors (3) and warnings (4) only: the log is read for causes, never shown as is.
      log_level: 4,
      "socket.connection.setup.timeout.ms": Math.max(1000, timeoutMs),
      "reconnect.backoff.ms": 100,
      "reconnect.backoff.max.ms": 500,
    } as Kafka.ProducerGlobalConfig);
    const close = () => {
      try {
        client.disconnect(() => undefined);
      } catch {
        /* never connected: nothing to close */
      }
    };
    const fail = (problem: ConnectionProblem, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      const ms = performance.now() - t0;
      const text = `${advice(problem, connection)}${detail ? ` (librdkafka: ${detail})` : ""}`;
      reject(new ConnectionError(problem, scrubSecrets(text, connection), ms));
      close();
    };
    client.on("event.log", (e: LogEvent) => {
      if (e.severity > 4) return;
      const c = classifyLog(e.message);
      if (!c) return;
      lastDetail = c.detail;
      if (c.problem === "unreachable") {
        if (++refusals >= refusalsToFail) fail("unreachable", c.detail);
      } else fail(c.problem, c.detail);
    });
    client.on("event.error", () => undefined); // causes come through the log; this must not throw
    // A guard in case librdkafka never calls back.
    const guard = setTimeout(() => fail(refusals > 0 ? "unreachable" : "timeout", lastDetail), timeoutMs + 1000);
    try {
      client.connect({ timeout: timeoutMs, allTopics: false }, (err, metadata) => {
        if (settled) {
          if (!err) close();
          return;
        }
        if (err) {
          // The client disconnects itself after a failed connect.
          const c = lastDetail ? classifyLog(lastDetail) : undefined;
          fail(c?.problem ?? (refusals > 0 ? "unreachable" : "timeout"), lastDetail || err.message);
          return;
        }
        settled = true;
        clearTimeout(guard);
        const ms = performance.now() - t0;
        const brokers = (metadata?.brokers ?? []).map((b) => ({ id: b.id, host: b.host, port: b.port }));
        const done = () => resolve({ ms, brokers });
        const bound = setTimeout(done, 5000); // a disconnect that never calls back must not hang us
        client.disconnect(() => {
          clearTimeout(bound);
          done();
        });
      });
    } catch (e) {
      fail("unreachable", (e as Error).message);
    }
  });
}
