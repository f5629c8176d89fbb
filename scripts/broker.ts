/**
 * node dist/scripts/broker.js start|stop|status  (npm run broker:start|stop|status)
 *
 * Prints one line of result on stdout; progress goes to stderr. Exit codes: 0 done,
 * 1 a BrokerError (its message, no stack), 2 a bad command.
 */
import { BrokerError, brokerStatus, startBroker, stopBroker, type BrokerStatus } from "../lib/broker";

const USAGE = "usage: node dist/scripts/broker.js start|stop|status";

function describe(s: BrokerStatus): string {
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

async function main(command: string | undefined): Promise<number> {
  const log = (line: string) => console.error(line);
  switch (command) {
    case "start": {
      const t0 = Date.now();
      const s = await startBroker({ log });
      console.log(`${describe(s)} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      return 0;
    }
    case "stop": {
      const stopped = await stopBroker({ log });
      console.log(stopped ? "Embedded Kafka broker stopped" : "Embedded Kafka broker was not running");
      return 0;
    }
    case "status":
      console.log(describe(await brokerStatus()));
      return 0;
    default:
      console.error(command ? `unknown command: ${command}\n${USAGE}` : USAGE);
      return 2;
  }
}

// One command and nothing else: a typo'd extra word should not be silently ignored.
main(process.argv.length === 3 ? process.argv[2] : undefined).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A BrokerError's message is the whole story; anything else is a bug, so keep its stack.
    console.error(err instanceof BrokerError ? err.message : err);
    process.exitCode = 1;
  },
);
