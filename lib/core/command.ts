/**
 * How every command (npm start, npm test, npm run bench, the broker and example commands) ends:
 * with the exit code of lib/core/errors.ts for what went wrong, at once. A KppError is one line
 * (plus the usage for a usage error); anything else is shown whole.
 */
import { ConfigError, EXIT_CODES, UsageError, errorText, exitCodeOf } from "./errors";

function isUsageProblem(err: unknown): boolean {
  if (err instanceof UsageError) return true;
  // node:util parseArgs: an unknown option or a missing value.
  if (String((err as { code?: unknown })?.code ?? "").startsWith("ERR_PARSE_ARGS")) return true;
  // A bad option value (--count abc) is a ConfigError keyed by the option.
  return err instanceof ConfigError && err.key.startsWith("--");
}

/** Runs main and exits the process with its code, or with the error's code (after printing it). */
export function runCommand(main: () => Promise<number>, opts: { usage?: string } = {}): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const usage = isUsageProblem(err);
      const text =
        usage && !(err instanceof ConfigError || err instanceof UsageError) ? `Error: ${(err as Error).message}` : errorText(err);
      console.error(usage && opts.usage ? `${text}\n${opts.usage}` : text);
      process.exit(usage ? EXIT_CODES.usage : exitCodeOf(err));
    },
  );
}

/** The first Ctrl-C aborts the returned signal (stop cleanly, keep results); a second exits at once with 130. */
export function abortOnFirstSigint(onFirst?: () => void): AbortSignal {
  const abort = new AbortController();
  process.once("SIGINT", () => {
    onFirst?.();
    abort.abort();
    process.once("SIGINT", () => process.exit(EXIT_CODES.interrupted));
  });
  return abort.signal;
}
