/**
 * `npm test` after set-up: lint and formatting first, then the tests in groups, in order of what
 * they need: test/unit (pure, no broker, seconds), then test/integration, test/faults,
 * test/notebooks and test/monitoring (with a real Prometheus) against the real embedded broker,
 * started only when a selected group needs it
 * (and stopped again afterwards if it was not running before).
 *
 *   npm test                      everything
 *   npm test -- unit              one group (unit, integration, faults, notebooks, monitoring)
 *   npm test -- bench             test files whose name contains "bench", in any group
 *   npm test -- --no-lint unit    skip lint and formatting
 *
 * Exit codes: 0 every test passed; 1 a lint error or a failing test; 2 a bad argument.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureBroker, stopBroker } from "../lib/broker";
import { paths } from "../lib/config";
import { EXIT_CODES, runCommand, UsageError } from "../lib/core";

const GROUPS = ["unit", "integration", "faults", "notebooks", "monitoring"] as const;
type Group = (typeof GROUPS)[number];
const NEEDS_BROKER: ReadonlySet<Group> = new Set(["integration", "faults", "notebooks", "monitoring"]);
const USAGE = `usage: npm test [-- [--no-lint] [${GROUPS.join("|")}|<part of a test file name>]]`;

/** Compiled tests of a group whose source still exists (dist/ may hold leftovers of deleted ones). */
function testFiles(group: Group, filter?: string): string[] {
  const src = path.join(paths.root, "test", group);
  if (!fs.existsSync(src)) return [];
  return fs
    .readdirSync(src)
    .filter((f) => f.endsWith(".test.ts") && (!filter || f.includes(filter)))
    .sort()
    .map((f) => path.join(paths.root, "dist", "test", group, f.replace(/\.ts$/, ".js")));
}

/** Runs a command with the terminal; resolves to its exit code. */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", cwd: paths.root });
    child.on("error", (e) => {
      console.error(`cannot run ${command}: ${e.message}`);
      resolve(EXIT_CODES.unexpected);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? EXIT_CODES.unexpected : 0)));
  });
}

const bin = (name: string) => path.join(paths.root, "node_modules", ".bin", name);

async function lint(): Promise<number> {
  console.error("Lint (ESLint) and formatting (Prettier)…");
  const eslint = await run(bin("eslint"), ["--max-warnings=0", "."]);
  const prettier = await run(bin("prettier"), ["--check", "--log-level=warn", "."]);
  if (eslint === 0 && prettier === 0) console.error("✓ lint and formatting");
  else if (prettier !== 0) console.error("Formatting: run `npm run format` to fix it.");
  return eslint || prettier;
}

/** node's test runner over some files; one file at a time where they share the broker. */
function nodeTest(files: string[], serial: boolean): Promise<number> {
  const args = ["--test", "--test-reporter=spec", ...(serial ? ["--test-concurrency=1"] : []), ...files];
  return run(process.execPath, args);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const noLint = args.includes("--no-lint");
  const rest = args.filter((a) => a !== "--no-lint");
  if (rest.length > 1 || rest.some((a) => a.startsWith("-"))) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  const selector = rest[0];
  const groups = GROUPS.filter((g) => !selector || !(GROUPS as readonly string[]).includes(selector) || g === selector);
  const filter = selector && !(GROUPS as readonly string[]).includes(selector) ? selector : undefined;
  const selected = groups.map((g) => ({ group: g, files: testFiles(g, filter) })).filter((x) => x.files.length > 0);
  if (selected.length === 0) throw new UsageError(`no test file matches '${selector}'`);

  if (!noLint && !filter && !selector) {
    const code = await lint();
    if (code !== 0) return code;
  }
  const unit = selected.find((x) => x.group === "unit");
  if (unit) {
    const code = await nodeTest(unit.files, false);
    if (code !== 0) return code;
  }
  const withBroker = selected.filter((x) => NEEDS_BROKER.has(x.group));
  if (withBroker.length === 0) return 0;
  const { status, startedHere } = await ensureBroker({ log: (line) => console.error(line) });
  console.error(
    `Embedded Kafka ${status.kafkaVersion ?? ""} broker on ${status.bootstrap} for ${withBroker.map((x) => x.group).join(", ")}.`,
  );
  try {
    // One file at a time: on two cores, tests that time things must not share them with each other.
    return await nodeTest(
      withBroker.flatMap((x) => x.files),
      true,
    );
  } finally {
    if (startedHere) await stopBroker({ log: (line) => console.error(line) });
  }
}

runCommand(main, { usage: USAGE });
