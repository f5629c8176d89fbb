/**
 * `npm run example:consumer -- <config.ini> [--reset] [--max N] [--idle-ms MS] [--topic T] [--json]`:
 * the getting-started consumer (example-consumer.ts). Runs until Ctrl-C (or --max / --idle-ms),
 * and always closes the consumer so that it leaves its group at once.
 *
 * Exit codes (lib/core/errors.ts): 0 stopped by --max or --idle-ms, 130 after Ctrl-C, 2 a bad
 * option or INI file, 3 the cluster could not be reached. Compiled to
 * dist/lib/getting-started/consumer-cli.js; the command runs only when this file is the process's
 * main module.
 */
import { parseArgs } from "node:util";
import { COMMON_OPTIONS, commonArgs, runExampleCommand, wholeNumberOption, type CommandContext, type CommonArgs } from "./cli-args";
import { runExampleConsumer } from "./example-consumer";
import { loadExampleConfig } from "./ini-config";

export const CONSUMER_USAGE =
  "usage: npm run example:consumer -- <config.ini> [--reset] [--max N] [--idle-ms MS] [--topic purchases] [--json]";

export interface ConsumerArgs extends CommonArgs {
  reset: boolean;
  maxMessages?: number;
  idleMs?: number;
}

/** The command line, checked before anything is read or connected; undefined when --help asks for the usage. */
export function consumerArgs(argv: string[]): ConsumerArgs | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...COMMON_OPTIONS, reset: { type: "boolean", default: false }, max: { type: "string" }, "idle-ms": { type: "string" } },
  });
  if (values.help) return undefined;
  return {
    ...commonArgs(positionals, values),
    reset: values.reset,
    maxMessages: wholeNumberOption("max", values.max, 1),
    idleMs: wholeNumberOption("idle-ms", values["idle-ms"], 1),
  };
}

async function consume(args: ConsumerArgs, context: CommandContext): Promise<number> {
  const config = loadExampleConfig(args.configFile, "consumer");
  const result = await runExampleConsumer({
    ...context,
    config,
    topic: args.topic,
    reset: args.reset,
    maxMessages: args.maxMessages,
    idleMs: args.idleMs,
  });
  return result.exitCode;
}

if (require.main === module) runExampleCommand(CONSUMER_USAGE, consumerArgs, consume);
