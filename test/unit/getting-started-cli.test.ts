/** The example commands' command lines, checked before anything connects (no broker needed). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, UsageError } from "../../lib/core/errors";
import { describeRange } from "../../lib/core/validate";
import { consumerArgs, producerArgs } from "../../lib/getting-started";

/** A ConfigError keyed by the option, naming the value and what is allowed; runCommand prints it with the usage and exits 2. */
function badOption(run: () => unknown, key: string, raw: string, min: number): void {
  const message = `${key}: '${raw}' is not allowed; use ${describeRange({ min })}.`;
  assert.throws(run, (e: unknown) => e instanceof ConfigError && e.key === key && e.exitCode === 2 && e.message === message, message);
}

test("the producer's options: defaults, and a bad number is a ConfigError naming the option", () => {
  assert.deepEqual(producerArgs(["a.ini"]), { configFile: "a.ini", count: 10, intervalMs: 0, topic: "purchases", json: false });
  assert.deepEqual(producerArgs(["a.ini", "--count", "1_000", "--interval-ms", "0", "--topic", "t", "--json"]), {
    configFile: "a.ini",
    count: 1000,
    intervalMs: 0,
    topic: "t",
    json: true,
  });
  badOption(() => producerArgs(["a.ini", "--count", "abc"]), "--count", "abc", 1);
  badOption(() => producerArgs(["a.ini", "--count", "0"]), "--count", "0", 1);
  badOption(() => producerArgs(["a.ini", "--interval-ms=-5"]), "--interval-ms", "-5", 0);
});

test("the consumer's options: absent limits stay absent, bad ones name the option", () => {
  assert.deepEqual(consumerArgs(["a.ini", "--reset"]), {
    configFile: "a.ini",
    reset: true,
    maxMessages: undefined,
    idleMs: undefined,
    topic: "purchases",
    json: false,
  });
  assert.equal(consumerArgs(["a.ini", "--max", "3"])?.maxMessages, 3);
  badOption(() => consumerArgs(["a.ini", "--max", "2.5"]), "--max", "2.5", 1);
  badOption(() => consumerArgs(["a.ini", "--idle-ms", ""]), "--idle-ms", "", 1);
});

test("usage problems: the config file missing or doubled, an unknown option; --help asks for the usage", () => {
  for (const parse of [producerArgs, consumerArgs]) {
    assert.throws(
      () => parse([]),
      (e: unknown) => e instanceof UsageError && /the config file is missing/.test(e.message),
    );
    assert.throws(
      () => parse(["a.ini", "b.ini"]),
      (e: unknown) => e instanceof UsageError && /expected one config file, got 2/.test(e.message),
    );
    assert.throws(
      () => parse(["a.ini", "--nope"]),
      (e: unknown) => (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION",
    );
    assert.equal(parse(["--help"]), undefined);
  }
});
