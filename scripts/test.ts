/**
 * `npm test` after set-up: starts the embedded broker the integration tests need (stopping it
 * again if it was not running before), then runs every compiled test file with node's runner.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureBroker, stopBroker } from "../lib/broker";
import { paths } from "../lib/paths";

/** Compiled tests whose source still exists (dist/ may hold leftovers of deleted ones). */
function testFiles(filter?: string): string[] {
  const src = path.join(paths.root, "test");
  return fs
    .readdirSync(src)
    .filter((f) => f.endsWith(".test.ts") && (!filter || f.includes(filter)))
    .sort()
    .map((f) => path.join(paths.root, "dist", "test", f.replace(/\.ts$/, ".js")));
}

async function main(): Promise<number> {
  const files = testFiles(process.argv[2]);
  const { status, startedHere } = await ensureBroker({ log: (line) => console.error(line) });
  console.error(`Embedded Kafka ${status.kafkaVersion ?? ""} broker on ${status.bootstrap} for the integration tests.`);
  try {
    return await new Promise<number>((resolve) => {
      // One file at a time: the broker tests stop and restart the shared broker.
      const child = spawn(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...files], { stdio: "inherit" });
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    if (startedHere) await stopBroker({ log: (line) => console.error(line) });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
