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

/**
 * Runs body with an AbortSignal that fires when `outer` aborts or, when interruptible, on SIGINT
 * (Ctrl-C, or a kernel interrupt in Jupyter) while body runs: a long run stops and keeps its results.
 */
export async function withInterrupt<T>(
  interruptible: boolean,
  outer: AbortSignal | undefined,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  outer?.addEventListener("abort", abort);
  if (outer?.aborted) controller.abort();
  if (interruptible) process.on("SIGINT", abort);
  try {
    return await body(controller.signal);
  } finally {
    outer?.removeEventListener("abort", abort);
    if (interruptible) process.off("SIGINT", abort);
  }
}

/**
 * The last result of a long run, and a way to wait for a run still going. After a kernel interrupt
 * the interrupted cell's promise keeps running until the run has stopped and cleaned up; a cell
 * tagged "finally" awaits settled() to keep what it measured.
 */
export class RunTracker<T> {
  /** The latest (possibly partial) result. */
  last: T | undefined;
  private running: Promise<unknown> | undefined;

  /** Tracks a run: its result becomes `last` when it resolves. */
  track(run: Promise<T>): Promise<T> {
    const result = run.then((r) => (this.last = r));
    const tracked = result.finally(() => {
      if (this.running === tracked) this.running = undefined;
    });
    this.running = tracked;
    return result;
  }

  /** Resolves once no tracked run is going on, with the last result. */
  async settled(): Promise<T | undefined> {
    while (this.running) await this.running.catch(() => undefined);
    return this.last;
  }
}
