/**
 * `npm run example:consumer -- <config.ini> [--reset] [--max N] [--idle-ms MS] [--topic T] [--json]`:
 * the getting-started consumer (lib/examples.ts). Runs until Ctrl-C (or --max / --idle-ms), and
 * always closes the consumer so that it leaves its group at once.
 */
import { parseArgs } from "node:util";
import { createLogger, EXAMPLE_TOPIC, runExampleConsumer } from "../lib/examples";
import { IniConfigError, loadExampleConfig } from "../lib/ini-config";
import { abortOnFirstSigint, configFileArg, runCli, wholeNumberOption } from "./example-cli";

const USAGE = "usage: npm run example:consumer -- <config.ini> [--reset] [--max N] [--idle-ms MS] [--topic purchases] [--json]";

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
  const config = loadExampleConfig(configFileArg(positionals), "consumer");
  const signal = abortOnFirstSigint();
  const result = await runExampleConsumer({
    config,
    topic: values.topic ?? EXAMPLE_TOPIC,
    reset: values.reset,
    maxMessages: wholeNumberOption("max", values.max, 1),
    idleMs: wholeNumberOption("idle-ms", values["idle-ms"], 1),
    signal,
    log: createLogger(values.json ? "json" : "text"),
  });
  return result.exitCode;
}

runCli(main, USAGE, [IniConfigError]);
