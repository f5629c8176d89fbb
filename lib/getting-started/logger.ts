/**
 * Structured logging for the getting-started port (code review recommendation 5, notebook 02):
 * every line the producer and consumer print is also kept as an entry with a time, a level, an
 * event name and fields, and can be printed as JSON lines for log collectors.
 */
import { fmt } from "../core/format";
import { describeKafkaError, type Kafka } from "../kafka/client";

export type LogLevel = "info" | "warn" | "error";
export type LogFormat = "text" | "json";

export interface LogEntry {
  time: string;
  level: LogLevel;
  event: string;
  message: string;
  [field: string]: unknown;
}

export interface Logger {
  log(level: LogLevel, event: string, message: string, fields?: Record<string, unknown>): void;
  /** Every entry so far (notebooks show them as a table). */
  readonly entries: LogEntry[];
}

/**
 * "text" prints the message alone, as the original's print() calls do; "json" prints one JSON
 * object per line (time, level, event, message and fields) for log collectors.
 */
export function createLogger(format: LogFormat = "text", write: (line: string) => void = (l) => console.log(l)): Logger {
  const entries: LogEntry[] = [];
  return {
    entries,
    log(level, event, message, fields = {}) {
      const entry: LogEntry = { time: new Date().toISOString(), level, event, message, ...fields };
      entries.push(entry);
      write(format === "json" ? JSON.stringify(entry) : message);
    },
  };
}

/** A logger that keeps its entries and prints nothing (demonstrations that show a table instead). */
export function quietLogger(): Logger {
  return createLogger("text", () => undefined);
}

/** Values longer than this are logged by size (a 2 MB test value must not flood the output). */
const SHOWN_VALUE_CHARS = 40;

/** A key or value as a log line shows it: "(null)", the text, or "<2,000,000 bytes>". */
export function shown(v: Buffer | string | null | undefined): string {
  if (v === null || v === undefined) return "(null)";
  const s = typeof v === "string" ? v : v.toString("utf8");
  return s.length > SHOWN_VALUE_CHARS ? `<${fmt(Buffer.byteLength(s))} bytes>` : s;
}

/** A message as the guide's scripts print it (`what` is "Produced event to" or "Consumed event from"). */
export interface EventMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | string;
}

/** Logs one produced or consumed event: the guide's line, with its topic, partition, offset, key and value as fields. */
export function logEvent(log: Logger, event: string, what: string, m: EventMessage): void {
  log.log(
    "info",
    event,
    `${what} topic ${m.topic} [partition ${m.partition}, offset ${m.offset}]: key = ${shown(m.key).padEnd(12)} value = ${shown(m.value).padEnd(12)}`,
    {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: m.key,
      value: shown(m.value),
    },
  );
}

interface ErrorEmitter {
  on(event: "event.error", listener: (err: Kafka.LibrdKafkaError) => void): unknown;
}

/** Client-level errors (e.g. a broker going down) as "client_error" warnings; they do not end a run. */
export function logClientErrors(client: ErrorEmitter, log: Logger): void {
  client.on("event.error", (err) => log.log("warn", "client_error", `client error: ${describeKafkaError(err)}`, { code: err.code }));
}
