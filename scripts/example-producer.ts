/**
 * `npm run example:producer -- <config.ini> [--count N] [--interval-ms MS] [--topic T] [--json]`:
 * the getting-started producer (lib/examples.ts). Ctrl-C stops producing, flushes what was
 * produced and disconnects; a second Ctrl-C exits at once.
 */
import { parseArgs } from "node:util";
import { runExampleProducer, createLogger, EXAMPLE_TOPIC } from "../lib/examples";
import { IniConfigError, loadExampleConfig } from "../lib/ini-config";
import { loadPurchases, PurchasesDataError } from "../lib/purchases-data";
import { abortOnFirstSigint, configFileArg, runCli, wholeNumberOption } from "./example-cli";

const USAGE = "usage: npm run example:producer -- <config.ini> [--count 10] [--interval-ms 0] [--topic purchases] [--json]";

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
  const config = loadExampleConfig(configFileArg(positionals), "producer");
  const count = wholeNumberOption("count", values.count, 1) ?? 10;
  const intervalMs = wholeNumberOption("interval-ms", values["interval-ms"], 0) ?? 0;
  // The activity's customers and products, from data/purchases.csv.
  const data = loadPurchases();
  const signal = abortOnFirstSigint();
  const result = await runExampleProducer({
    config,
    count,
    intervalMs,
    topic: values.topic ?? EXAMPLE_TOPIC,
    customers: data.customers,
    products: data.products,
    signal,
    log: createLogger(values.json ? "json" : "text"),
  });
  return result.exitCode;
}

runCli(main, USAGE, [IniConfigError, PurchasesDataError]);
