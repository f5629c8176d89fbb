/**
 * The project's one error base class. Every error a user can act on (a bad option, a broker that
 * cannot be reached, messages that failed) is a KppError whose `kind` decides the exit code of
 * every command, so no command keeps its own list of error classes. Anything else that is thrown
 * is a bug (or an outside failure nobody classified): commands show it whole and exit 1.
 *
 * Exit codes, the same for every command (README, "Exit codes"):
 *   0    done
 *   1    an unexpected error (shown with its stack)
 *   2    usage or configuration: a bad option, .env value, INI file or input file
 *   3    connection: the Kafka target could not be started, reached or authenticated
 *   4    delivery: messages failed or stayed unacknowledged
 *   130  interrupted (Ctrl-C)
 */

export type ErrorKind = "usage" | "config" | "connection" | "delivery" | "interrupted";

export const EXIT_CODES = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 2,
  connection: 3,
  delivery: 4,
  interrupted: 130,
} as const;

/** "kpp" is kafka-producer-perf, the name the notebooks import the library under. */
export class KppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** A bad value, named by its key (an environment variable, an option or a field) and what is allowed. */
export class ConfigError extends KppError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super("config", `${key}: ${message}`);
  }
}

/** A command line that cannot be understood (the command prints its usage after the message). */
export class UsageError extends KppError {
  constructor(message: string) {
    super("usage", message);
  }
}

/** Messages that were not delivered (failed, or still unacknowledged when a bound ran out). */
export class DeliveryError extends KppError {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super("delivery", message);
  }
}

/** Stopped by the user (Ctrl-C, a kernel interrupt): not a failure of the run's own. */
export class InterruptedError extends KppError {
  constructor(message = "interrupted") {
    super("interrupted", message);
  }
}

/** The exit code for anything thrown: a KppError's own, else 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof KppError ? err.exitCode : EXIT_CODES.unexpected;
}

/** What a command prints for an error: one line for a KppError, the whole stack for anything else. */
export function errorText(err: unknown): string {
  if (err instanceof KppError) return `Error: ${err.message}`;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
