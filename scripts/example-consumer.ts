/**
 * `npm run example:consumer -- <config.ini> [--reset] [--max N] [--idle-ms MS] [--topic T] [--json]`:
 * the getting-started consumer (lib/examples.ts). Runs until Ctrl-C (or --max / --idle-ms), and
 * always closes the consumer so that it leaves its group at once.
 */
import { parseArgs } from "node:util";
import { createLogger, EXAMPLE_TOPIC, runExampleConsumer } from "../lib/examples";
import { IniConfigError, loadExampleConfig } from "../lib/ini-config";

const USAGE = "usage: npm run example:consumer -- <config.ini> [--reset] [--max N] [--idle-ms MS] [--topic purchases] [--json]";

class UsageError extends Error {}

function optionalNumber(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} '${raw}' must be a whole number >= ${min}.`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      reset: { type: "boolean", default: false },
      max: { type: "string" },
      "idle-ms": { type: "string" },
      topic: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one config file, got ${positionals.length}.` : "the config file is missing (e.g. config/getting_started.ini).");
  const config = loadExampleConfig(positionals[0], "consumer");
  const abort = new AbortController();
  process.once("SIGINT", () => {
    abort.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const result = await runExampleConsumer({
    config,
    topic: values.topic ?? EXAMPLE_TOPIC,
    reset: values.reset,
    maxMessages: optionalNumber("max", values.max, 1),
    idleMs: optionalNumber("idle-ms", values["idle-ms"], 1),
    signal: abort.signal,
    log: createLogger(values.json ? "json" : "text"),
  });
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof IniConfigError) console.error(`Error: ${err.message}${err instanceof UsageError ? `\n${USAGE}` : ""}`);
    else if (err instanceof Error && /^could not connect|ERR_PARSE_ARGS/.test(err.message + ((err as { code?: string }).code ?? ""))) console.error(`Error: ${err.message}\n${USAGE}`);
    else console.error(err);
    process.exit(2);
  },
);
