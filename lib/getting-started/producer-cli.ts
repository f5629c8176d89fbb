/**
 * `npm run example:producer -- <config.ini> [--count N] [--interval-ms MS] [--topic T] [--json]`:
 * the getting-started producer (example-producer.ts). Ctrl-C stops producing, flushes what was
 * produced and disconnects; a second Ctrl-C exits at once.
 *
 * Exit codes (lib/core/errors.ts): 0 every message delivered, 4 some were not, 130 after Ctrl-C,
 * 2 a bad option, INI file or data/purchases.csv, 3 the cluster could not be reached. Compiled to
 * dist/lib/getting-started/producer-cli.js, which demos.ts also starts as a child process; the
 * command runs only when this file is the process's main module.
 */
import { parseArgs } from "node:util";
import { COMMON_OPTIONS, commonArgs, runExampleCommand, wholeNumberOption, type CommandContext, type CommonArgs } from "./cli-args";
import { runExampleProducer } from "./example-producer";
import { loadExampleConfig } from "./ini-config";
import { loadPurchases } from "./purchases-data";

export const PRODUCER_USAGE = "usage: npm run example:producer -- <config.ini> [--count 10] [--interval-ms 0] [--topic purchases] [--json]";

export interface ProducerArgs extends CommonArgs {
  count: number;
  intervalMs: number;
}

/** The command line, checked before anything is read or connected; undefined when --help asks for the usage. */
export function producerArgs(argv: string[]): ProducerArgs | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...COMMON_OPTIONS, count: { type: "string" }, "interval-ms": { type: "string" } },
  });
  if (values.help) return undefined;
  return {
    ...commonArgs(positionals, values),
    count: wholeNumberOption("count", values.count, 1) ?? 10,
    intervalMs: wholeNumberOption("interval-ms", values["interval-ms"], 0) ?? 0,
  };
}

async function produce(args: ProducerArgs, context: CommandContext): Promise<number> {
  const config = loadExampleConfig(args.configFile, "producer");
  // The activity's customers and products, from data/purchases.csv.
  const { customers, products } = loadPurchases();
  const result = await runExampleProducer({
    ...context,
    config,
    count: args.count,
    intervalMs: args.intervalMs,
    topic: args.topic,
    customers,
    products,
  });
  return result.exitCode;
}

if (require.main === module) runExampleCommand(PRODUCER_USAGE, producerArgs, produce);
