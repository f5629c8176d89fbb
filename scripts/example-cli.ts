/**
 * What the two example commands (example-producer, example-consumer) share: usage errors, number
 * options, the config-file argument, a two-stage Ctrl-C, and one way to report failures.
 */
export class UsageError extends Error {}

/** A whole-number option: undefined when absent, else at least min (a UsageError otherwise). */
export function wholeNumberOption(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} '${raw}' must be a whole number >= ${min}.`);
  return n;
}

/** The one positional argument: the INI file. */
export function configFileArg(positionals: string[]): string {
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length ? `expected one config file, got ${positionals.length}.` : "the config file is missing (e.g. config/getting_started.ini).");
  }
  return positionals[0];
}

/** The first Ctrl-C aborts the returned signal (stop cleanly); a second exits at once with 130. */
export function abortOnFirstSigint(): AbortSignal {
  const abort = new AbortController();
  process.once("SIGINT", () => {
    abort.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  return abort.signal;
}

/**
 * Runs main and exits with its code. Errors the user can fix (`expected` classes, usage and
 * argument errors, a failed connection) are one line, with the usage where it helps; anything
 * else is shown whole. Either way the exit code is 2.
 */
export function runCli(main: () => Promise<number>, usage: string, expected: (new (...args: never[]) => Error)[]): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const code = (err as { code?: string }).code ?? "";
      if (err instanceof UsageError) console.error(`Error: ${err.message}\n${usage}`);
      else if (expected.some((E) => err instanceof E)) console.error(`Error: ${(err as Error).message}`);
      else if (err instanceof Error && (/^could not connect|^parseArgs|Unknown option/.test(err.message) || code.startsWith("ERR_PARSE_ARGS"))) console.error(`Error: ${err.message}\n${usage}`);
      else console.error(err);
      process.exit(2);
    },
  );
}
