/**
 * `npm run example:producer -- <config.ini> [--count N] [--interval-ms MS] [--topic T] [--json]`:
 * the getting-started producer (lib/examples.ts). Ctrl-C stops producing, flushes what was
 * produced and disconnects; a second Ctrl-C exits at once.
 */
import { parseArgs } from "node:util";
import { runExampleProducer, createLogger, EXAMPLE_TOPIC } from "../lib/examples";
import { IniConfigError, loadExampleConfig } from "../lib/ini-config";
import { loadPurchases, PurchasesDataError } from "../lib/purchases-data";

const USAGE = "usage: npm run example:producer -- <config.ini> [--count 10] [--interval-ms 0] [--topic purchases] [--json]";

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} '${raw}' must be a whole number >= ${min}.`);
  return n;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      count: { type: "string" },
      "interval-ms": { type: "string" },
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
  const config = loadExampleConfig(positionals[0], "producer");
  const count = wholeNumber("count", values.count, 10, 1);
  const intervalMs = wholeNumber("interval-ms", values["interval-ms"], 0, 0);
  // The activity's customers and products, from data/purchases.csv.
  const data = loadPurchases();
  const abort = new AbortController();
  process.once("SIGINT", () => {
    abort.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const result = await runExampleProducer({
    config,
    count,
    intervalMs,
    topic: values.topic ?? EXAMPLE_TOPIC,
    customers: data.customers,
    products: data.products,
    signal: abort.signal,
    log: createLogger(values.json ? "json" : "text"),
  });
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof IniConfigError || err instanceof PurchasesDataError) console.error(`Error: ${err.message}${err instanceof UsageError ? `\n${USAGE}` : ""}`);
    else if (err instanceof Error && /^could not connect|^parseArgs|Unknown option|ERR_PARSE_ARGS/.test(err.message + ((err as { code?: string }).code ?? ""))) console.error(`Error: ${err.message}\n${USAGE}`);
    else console.error(err);
    process.exit(2);
  },
);
