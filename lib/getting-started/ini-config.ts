/**
 * The getting-started examples' configuration: an INI file with a [default] section (librdkafka
 * properties for every client) and a [consumer] section (added for the consumer), as in
 * Confluent's guide. Parsed with the `ini` package, then validated before anything connects:
 * a missing file or section, a key librdkafka does not know, a bad value or a placeholder left
 * from the cloud template is an IniConfigError (a KppError of kind "config": exit code 2) naming
 * the file, section, line and key.
 *
 * Unknown keys and bad values are detected by librdkafka itself (building a client
 * configuration validates every property without connecting), so the check follows the exact
 * librdkafka version in use instead of a hand-kept list. Secret values never appear in errors.
 */
import * as fs from "node:fs";
import { PLACEHOLDER, REDACTED } from "../config/connection";
import { KppError } from "../core/errors";
import { Kafka } from "../kafka/client";

// The ini package ships no type declarations; this is the one function used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ini = require("ini") as { parse(text: string): Record<string, unknown> };

export type ExampleRole = "producer" | "consumer";

export class IniConfigError extends KppError {
  constructor(
    readonly file: string,
    message: string,
    readonly section?: string,
    readonly key?: string,
    readonly line?: number,
  ) {
    const where = [section ? `[${section}]` : "", line ? `line ${line}` : ""].filter(Boolean).join(" ");
    super("config", `${file}${where ? ` ${where}` : ""}: ${message}`);
  }
}

/** A validated configuration for one client. */
export interface ExampleConfig {
  file: string;
  role: ExampleRole;
  /** librdkafka properties: [default], plus [consumer] for the consumer (later wins). */
  settings: Record<string, string>;
}

/** Keys whose values are secrets (never printed). */
export function isSecretKey(key: string): boolean {
  return /password|secret|sasl\.oauthbearer\.client\.secret|ssl\.key\.pem|ssl_key/i.test(key);
}

/** The settings as they may be printed: secret values replaced by ********. */
export function redactSettings(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, isSecretKey(k) ? REDACTED : v]));
}

/** 1-based line of `key =` inside [section] (for error messages); undefined when not found. */
export function findLine(text: string, section: string | undefined, key?: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let current: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    const header = /^\[([^\]]+)\]/.exec(l);
    if (header) {
      current = header[1].trim();
      if (key === undefined && current === section) return i + 1;
      continue;
    }
    if (key !== undefined && current === section && !/^[;#]/.test(l)) {
      const eq = l.indexOf("=");
      if (eq > 0 && l.slice(0, eq).trim() === key) return i + 1;
    }
  }
  return undefined;
}

/** ini turns true/false into booleans; librdkafka wants every value as a string. */
function stringValues(section: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(section)) {
    if (v !== null && typeof v === "object") continue; // nested sections are reported separately
    out[k] = String(v);
  }
  return out;
}

/**
 * Asks librdkafka whether it accepts key=value for this kind of client (no connection is made).
 * Returns undefined when it does, else librdkafka's message.
 */
function librdkafkaRejects(role: ExampleRole, key: string, value: string): string | undefined {
  try {
    const conf = { [key]: value } as Record<string, string>;
    if (role === "consumer") new Kafka.KafkaConsumer({ "group.id": "validation", ...conf } as Kafka.ConsumerGlobalConfig, undefined);
    else new Kafka.Producer(conf as Kafka.ProducerGlobalConfig);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function validateSection(text: string, file: string, role: ExampleRole, section: string, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    const line = findLine(text, section, key);
    const secret = isSecretKey(key);
    if (PLACEHOLDER.test(value)) {
      const shown = secret ? "" : ` ('${value}')`;
      throw new IniConfigError(
        file,
        `${key} is still a placeholder${shown}; put your real value in (Confluent Cloud: Cluster settings and API keys).`,
        section,
        key,
        line,
      );
    }
    const problem = librdkafkaRejects(role, key, value);
    if (problem === undefined) continue;
    if (/No such configuration property/i.test(problem)) {
      throw new IniConfigError(
        file,
        `'${key}' is not a librdkafka configuration property; check the spelling against https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md.`,
        section,
        key,
        line,
      );
    }
    // librdkafka's own text may quote the value; keep it out for secrets.
    const detail = secret ? "" : ` (librdkafka: ${problem})`;
    throw new IniConfigError(file, `${key} = ${secret ? REDACTED : `'${value}'`} is not a valid value${detail}.`, section, key, line);
  }
}

/** Parses and validates INI text; `file` is used in error messages. */
export function parseExampleConfig(text: string, file: string, role: ExampleRole): ExampleConfig {
  const parsed = ini.parse(text) as Record<string, unknown>;
  const stray = Object.entries(parsed).find(([, v]) => v === null || typeof v !== "object");
  if (stray) {
    throw new IniConfigError(
      file,
      `'${stray[0]}' is outside any section; put it under [default].`,
      undefined,
      stray[0],
      findLine(text, undefined, stray[0]),
    );
  }
  const section = (name: string): Record<string, string> | undefined => {
    const s = parsed[name];
    return s && typeof s === "object" ? stringValues(s as Record<string, unknown>) : undefined;
  };
  const defaults = section("default");
  if (!defaults) {
    const found = Object.keys(parsed);
    throw new IniConfigError(
      file,
      `has no [default] section${found.length ? ` (found: ${found.map((s) => `[${s}]`).join(", ")})` : ""}; put the librdkafka properties, at least ` +
        `bootstrap.servers, under [default].`,
    );
  }
  if (!defaults["bootstrap.servers"]) {
    throw new IniConfigError(
      file,
      "bootstrap.servers is missing; add e.g. bootstrap.servers=127.0.0.1:9092 (the embedded broker).",
      "default",
      "bootstrap.servers",
    );
  }
  validateSection(text, file, role, "default", defaults);
  let settings = defaults;
  if (role === "consumer") {
    const consumer = section("consumer");
    if (!consumer) {
      throw new IniConfigError(
        file,
        "has no [consumer] section; the consumer needs one with group.id (and usually auto.offset.reset=earliest).",
      );
    }
    validateSection(text, file, role, "consumer", consumer);
    settings = { ...defaults, ...consumer };
    if (!settings["group.id"]) {
      throw new IniConfigError(
        file,
        "group.id is missing; add e.g. group.id=typescript_example_group_1 under [consumer].",
        "consumer",
        "group.id",
        findLine(text, "consumer"),
      );
    }
  }
  return { file, role, settings };
}

/** Reads and validates an example's INI file. */
export function loadExampleConfig(file: string, role: ExampleRole): ExampleConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? (e as Error).message})`;
    throw new IniConfigError(file, `${why}; pass an INI file such as config/getting_started.ini.`);
  }
  return parseExampleConfig(text, file, role);
}

/** Bad configurations and the error each one gets (for the notebook; nothing connects). */
export function validationExamples(): { problem: string; error: string }[] {
  const cases: [string, () => unknown][] = [
    ["file does not exist", () => loadExampleConfig("config/no-such-file.ini", "producer")],
    ["no [default] section", () => parseExampleConfig("[producer]\nbootstrap.servers=127.0.0.1:9092\n", "typo-section.ini", "producer")],
    [
      "misspelt property",
      () => parseExampleConfig("[default]\nbootstrap.servers=127.0.0.1:9092\nlinger.mss=5\n", "typo-key.ini", "producer"),
    ],
    ["invalid value", () => parseExampleConfig("[default]\nbootstrap.servers=127.0.0.1:9092\nacks=many\n", "bad-value.ini", "producer")],
    [
      "placeholder secret left in",
      () =>
        parseExampleConfig(
          "[default]\nbootstrap.servers=pkc-1.confluent.cloud:9092\nsasl.password=<api secret>\n",
          "cloud.ini",
          "producer",
        ),
    ],
    [
      "consumer without [consumer]",
      () => parseExampleConfig("[default]\nbootstrap.servers=127.0.0.1:9092\n", "producer-only.ini", "consumer"),
    ],
  ];
  return cases.map(([problem, run]) => {
    try {
      run();
      return { problem, error: "(accepted)" };
    } catch (e) {
      return { problem, error: (e as Error).message };
    }
  });
}
