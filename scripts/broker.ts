/**
 * node dist/scripts/broker.js start|stop|status [--nodes 3]
 * (npm run broker:start|stop|status [-- --nodes 3])
 *
 * Without --nodes: the embedded single node (PLAINTEXT 127.0.0.1:9092, SASL_SSL 9094). With
 * --nodes 3: the three-node cluster in .broker/cluster3 (127.0.0.1:19092-19094).
 * Prints the result on stdout; progress goes to stderr. Exit codes (lib/core/errors.ts, through
 * runCommand): 0 done, 2 a bad command line (with the usage), 3 a BrokerError (its message, no
 * stack), 1 anything else (a bug: shown with its stack).
 */
import { parseArgs } from "node:util";
import { runCommand } from "../lib/core/command";
import { UsageError } from "../lib/core/errors";
import { brokerStatus, startBroker, stopBroker, type BrokerOptions, type BrokerStatus } from "../lib/broker";

const USAGE = "usage: node dist/scripts/broker.js start|stop|status [--nodes 1|3]";

function describe(s: BrokerStatus): string {
  if (s.nodes.length > 1) return describeCluster(s);
  const line = describeOne(s);
  if (s.state !== "running" || !s.sasl) return line;
  return (
    `${line}\nSASL_SSL listener on ${s.sasl.bootstrap} (${s.sasl.mechanism}, user ${s.sasl.username}, CA ${s.sasl.caLocation}); ` +
    `copy ${s.sasl.credentialsFile} into .env to use it`
  );
}

function describeCluster(s: BrokerStatus): string {
  const head = `Kafka ${s.kafkaVersion ?? "(version unknown)"} cluster of ${s.nodes.length} nodes: ${s.state}; bootstrap ${s.bootstrap}`;
  const nodes = s.nodes.map((n) => `  node ${n.nodeId}: ${n.state} on ${n.bootstrap}${n.pid ? ` (pid ${n.pid})` : ""}; logs: ${n.logFile}`);
  return [head, ...nodes].join("\n");
}

function describeOne(s: BrokerStatus): string {
  const kafka = `Kafka ${s.kafkaVersion ?? "(version unknown)"} broker`;
  switch (s.state) {
    case "running":
      return `${kafka} running on ${s.bootstrap} (pid ${s.pid}${s.startedAt ? `, since ${s.startedAt}` : ""}); logs: ${s.logFile}`;
    case "dead":
      return (
        `${kafka} is dead (pid ${s.pid ?? "?"} is gone or does not answer on ${s.bootstrap}); ` +
        `\`npm run broker:start\` restarts it; logs: ${s.logFile}`
      );
    case "stopped":
      return `${kafka} is stopped; logs: ${s.logFile}`;
  }
}

const COMMANDS = ["start", "stop", "status"] as const;
type Command = (typeof COMMANDS)[number];

async function run(command: Command, opts: BrokerOptions): Promise<number> {
  const log = (line: string) => console.error(line);
  const what = opts.nodes === 3 ? "three-node Kafka cluster" : "embedded Kafka broker";
  switch (command) {
    case "start": {
      const t0 = Date.now();
      const s = await startBroker({ ...opts, log });
      console.log(`${describe(s)} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      return 0;
    }
    case "stop": {
      const stopped = await stopBroker({ ...opts, log });
      console.log(stopped ? `The ${what} stopped` : `The ${what} was not running`);
      return 0;
    }
    case "status":
      console.log(describe(await brokerStatus(opts)));
      return 0;
  }
}

/** The command and options; a UsageError otherwise: a typo'd extra word is not silently ignored. */
function parse(argv: string[]): { command: Command; opts: BrokerOptions } {
  // An unknown option or a missing value throws ERR_PARSE_ARGS_*, which runCommand treats as usage.
  const parsed = parseArgs({ args: argv, allowPositionals: true, options: { nodes: { type: "string" } } });
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      parsed.positionals.length === 0 ? "no command given" : `one command expected, got: ${parsed.positionals.join(" ")}`,
    );
  }
  const command = parsed.positionals[0];
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command: ${command}`);
  const nodes = parsed.values.nodes ?? "1";
  if (nodes !== "1" && nodes !== "3") throw new UsageError(`--nodes ${nodes}: use 1 or 3`);
  return { command: command as Command, opts: { nodes: Number(nodes) as 1 | 3 } };
}

runCommand(
  async () => {
    const { command, opts } = parse(process.argv.slice(2));
    return run(command, opts);
  },
  { usage: USAGE },
);
