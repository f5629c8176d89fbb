/**
 * node dist/scripts/broker.js start|stop|status [--nodes 3]
 * (npm run broker:start|stop|status [-- --nodes 3])
 *
 * Without --nodes: the embedded single node (PLAINTEXT 127.0.0.1:9092, SASL_SSL 9094). With
 * --nodes 3: the three-node cluster in .broker/cluster3 (127.0.0.1:19092-19094).
 * Prints the result on stdout; progress goes to stderr. Exit codes: 0 done, 1 a BrokerError
 * (its message, no stack), 2 a bad command.
 */
import { parseArgs } from "node:util";
import { BrokerError, brokerStatus, startBroker, stopBroker, type BrokerOptions, type BrokerStatus } from "../lib/broker";

const USAGE = "usage: node dist/scripts/broker.js start|stop|status [--nodes 1|3]";

function describe(s: BrokerStatus): string {
  if (s.nodes.length > 1) return describeCluster(s);
  const line = describeOne(s);
  if (s.state !== "running" || !s.sasl) return line;
  return `${line}\nSASL_SSL listener on ${s.sasl.bootstrap} (${s.sasl.mechanism}, user ${s.sasl.username}, CA ${s.sasl.caLocation}); ` +
    `copy ${s.sasl.credentialsFile} into .env to use it`;
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

async function main(command: string, opts: BrokerOptions): Promise<number> {
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
    default:
      console.error(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

/** The command and options, or a usage message: a typo'd extra word is not silently ignored. */
function parse(argv: string[]): { command: string; opts: BrokerOptions } | string {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { nodes: { type: "string" } } });
  } catch (e) {
    return `${(e as Error).message}\n${USAGE}`;
  }
  if (parsed.positionals.length !== 1) return USAGE;
  const nodes = parsed.values.nodes ?? "1";
  if (nodes !== "1" && nodes !== "3") return `--nodes ${nodes}: use 1 or 3\n${USAGE}`;
  return { command: parsed.positionals[0], opts: { nodes: Number(nodes) as 1 | 3 } };
}

const args = parse(process.argv.slice(2));
if (typeof args === "string") {
  console.error(args);
  process.exitCode = 2;
} else {
  main(args.command, args.opts).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A BrokerError's message is the whole story; anything else is a bug, so keep its stack.
      console.error(err instanceof BrokerError ? err.message : err);
      process.exitCode = 1;
    },
  );
}
