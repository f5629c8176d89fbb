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
 *
 * A metadata request holds a libuv thread for its whole timeout, and a process cannot exit before
 * that thread is free: so the probe first tries the servers with Node's own sockets (a refused or
 * unknown address fails at once, with no librdkafka request outstanding), then asks librdkafka in
 * attempts of growing length, so that after a definitive failure the process can exit within the
 * current attempt's bound (1.5 s for the first).
 */
import { REDACTED, type KafkaConnection } from "../config/connection";
import { KppError } from "../core/errors";
import { tcpConnect } from "../core/processes";
import { now } from "../core/time";
import { disconnectWithin, Kafka } from "./client";

export type ConnectionProblem = "unreachable" | "authentication" | "tls" | "timeout";

export class ConnectionError extends KppError {
  constructor(
    readonly problem: ConnectionProblem,
    message: string,
    /** Milliseconds from the start of the check to this error (monotonic clock). */
    readonly afterMs: number,
  ) {
    super("connection", message);
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
  for (const s of connection.secrets()) if (s) out = out.split(s).join(REDACTED);
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

/** host and port of "host:port", "[v6]:port" or "SASL_SSL://host:port". */
function hostPort(server: string): { host: string; port: number } {
  const s = server.replace(/^[A-Za-z_]+:\/\//, "");
  const i = s.lastIndexOf(":");
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(s.slice(i + 1)) };
}

/** Whether one server accepts a TCP connection: "ok", or why not (bounded by timeoutMs). */
async function tcpProbe(server: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; timeout: boolean; detail: string }> {
  const { host, port } = hostPort(server);
  const r = await tcpConnect(host, port, timeoutMs);
  if (r === "connected") return { ok: true };
  if (r === "timeout") return { ok: false, timeout: true, detail: `${server}: no answer within ${timeoutMs} ms` };
  return { ok: false, timeout: false, detail: `${server}: ${r.message}` };
}

interface ProbeState {
  refusals: number;
  lastDetail: string;
}

type Attempt = { ok: true; brokers: ConnectionCheck["brokers"] } | { ok: false; problem?: ConnectionProblem; detail: string };

/** One librdkafka metadata request bounded by attemptMs; a definitive cause from the log ends it early. */
function metadataAttempt(connection: KafkaConnection, attemptMs: number, refusalsToFail: number, state: ProbeState): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const client = new Kafka.Producer({
      ...connection.clientConfig(),
      "client.id": "kafka-producer-perf-preflight",
      // Errors (3) and warnings (4) only: the log is read for causes, never shown as is.
      log_level: 4,
      "socket.connection.setup.timeout.ms": Math.max(1000, attemptMs),
      "reconnect.backoff.ms": 100,
      "reconnect.backoff.max.ms": 500,
    } as Kafka.ProducerGlobalConfig);
    const close = () => void disconnectWithin(client, 4_000);
    const finish = (a: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve(a);
    };
    client.on("event.log", (e: LogEvent) => {
      if (e.severity > 4) return;
      const c = classifyLog(e.message);
      if (!c) return;
      state.lastDetail = c.detail;
      if (c.problem !== "unreachable") finish({ ok: false, problem: c.problem, detail: c.detail });
      else if (++state.refusals >= refusalsToFail) finish({ ok: false, problem: "unreachable", detail: c.detail });
    });
    client.on("event.error", () => undefined); // causes come through the log; this must not throw
    // A guard in case librdkafka never calls back.
    const guard = setTimeout(() => finish({ ok: false, detail: state.lastDetail }), attemptMs + 1000);
    try {
      client.connect({ timeout: attemptMs, allTopics: false }, (err, metadata) => {
        if (err) {
          // The client disconnects itself after a failed connect.
          const c = state.lastDetail ? classifyLog(state.lastDetail) : undefined;
          finish({ ok: false, problem: c?.problem, detail: state.lastDetail || err.message });
          return;
        }
        const brokers = (metadata?.brokers ?? []).map((b) => ({ id: b.id, host: b.host, port: b.port }));
        if (settled) return close();
        // Resolved once disconnected, or after 5 s: a disconnect that never calls back must not hang us.
        void disconnectWithin(client, 4_000).then(() => finish({ ok: true, brokers }));
      });
    } catch (e) {
      finish({ ok: false, problem: "unreachable", detail: (e as Error).message });
    }
  });
}

/**
 * Checks the connection's cluster: first a TCP connection to a bootstrap server, then one metadata
 * request. Resolves with the brokers it reports, or rejects with a ConnectionError within about
 * timeoutMs. No probe client is left connected.
 */
export async function checkConnection(connection: KafkaConnection, opts: CheckOptions = {}): Promise<ConnectionCheck> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const refusalsToFail = opts.refusalsToFail ?? 2;
  const t0 = now();
  const fail = (problem: ConnectionProblem, detail: string) => {
    const text = `${advice(problem, connection)}${detail ? ` (${detail})` : ""}`;
    return new ConnectionError(problem, scrubSecrets(text, connection), now() - t0);
  };
  const servers = connection.bootstrapServers.split(",");
  const tcp = await Promise.all(servers.map((s) => tcpProbe(s, Math.min(timeoutMs, 5_000))));
  if (!tcp.some((r) => r.ok)) {
    const failures = tcp.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok);
    throw fail(failures.every((r) => r.timeout) ? "timeout" : "unreachable", failures.map((r) => r.detail).join("; "));
  }
  const state: ProbeState = { refusals: 0, lastDetail: "" };
  for (let attemptMs = 1_500; ; attemptMs *= 2) {
    const left = timeoutMs - (now() - t0);
    const a = await metadataAttempt(connection, Math.max(500, Math.min(attemptMs, left)), refusalsToFail, state);
    if (a.ok) return { ms: now() - t0, brokers: a.brokers };
    const detail = a.detail ? `librdkafka: ${a.detail}` : "";
    if (a.problem && a.problem !== "timeout") throw fail(a.problem, detail);
    if (now() - t0 >= timeoutMs) throw fail(state.refusals > 0 ? "unreachable" : "timeout", detail);
  }
}
