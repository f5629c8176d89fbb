/**
 * What the two example commands (producer-cli.ts, consumer-cli.ts) share: the options both take,
 * the one config-file argument, whole-number options and how the command runs. A problem with the
 * command line is a UsageError or a ConfigError keyed by the option ("--count"), which
 * lib/core/command.ts's runCommand prints with the usage and turns into exit code 2.
 */
import { abortOnFirstSigint, runCommand } from "../core/command";
import { EXIT_CODES, UsageError } from "../core/errors";
import { wholeNumber } from "../core/validate";
import { EXAMPLE_TOPIC } from "./example-producer";
import { createLogger, type Logger } from "./logger";

/** The options of both commands, for node:util parseArgs (spread into each command's own). */
export const COMMON_OPTIONS = {
  topic: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** What both commands take: the INI file, the topic, and whether to log JSON lines. */
export interface CommonArgs {
  configFile: string;
  topic: string;
  json: boolean;
}

/** The common arguments from parseArgs's result (a UsageError when the INI file is missing or doubled). */
export function commonArgs(positionals: string[], values: { topic?: string; json: boolean }): CommonArgs {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length
        ? `expected one config file, got ${positionals.length}.`
        : "the config file is missing (e.g. config/getting_started.ini).",
    );
  }
  return { configFile: positionals[0], topic: values.topic ?? EXAMPLE_TOPIC, json: values.json };
}

/** A whole-number option: undefined when absent, else at least min (a ConfigError naming --name otherwise). */
export function wholeNumberOption(name: string, raw: string | undefined, min: number): number | undefined {
  return raw === undefined ? undefined : wholeNumber(`--${name}`, raw, { min });
}

/** What a command's run gets besides its arguments: the first Ctrl-C's signal and the logger --json asks for. */
export interface CommandContext {
  signal: AbortSignal;
  log: Logger;
}

/**
 * Runs a command: parse (undefined for --help) reads process.argv, and run's result is the exit
 * code; runCommand prints any error and exits with its code.
 */
export function runExampleCommand<A extends CommonArgs>(
  usage: string,
  parse: (argv: string[]) => A | undefined,
  run: (args: A, context: CommandContext) => Promise<number>,
): void {
  const main = async (): Promise<number> => {
    const args = parse(process.argv.slice(2));
    if (args === undefined) {
      console.log(usage);
      return EXIT_CODES.ok;
    }
    return run(args, { signal: abortOnFirstSigint(), log: createLogger(args.json ? "json" : "text") });
  };
  runCommand(main, { usage });
}
