/**
 * Waiting, always bounded: one sleep and one timeout, used everywhere a promise could otherwise
 * wait for ever (a client that never calls back, a child that never answers).
 */
import { performance } from "node:perf_hooks";

/** The monotonic clock every timing in the project uses (ms since the process started). */
export const now = (): number => performance.now();

/** Resolves after ms (at once for ms <= 0), or as soon as the signal aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** p, or a rejection with onTimeout()'s error once ms have passed; the timer never outlives p. */
export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

/** Resolves when p settles or ms have passed, whichever is first; never rejects (for clean-up). */
export function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return withTimeout(
    p.then(
      () => undefined,
      () => undefined,
    ),
    ms,
    () => new Error("timed out"),
  ).catch(() => undefined);
}

/**
 * Callbacks waiting for the next occurrence of something (a delivery report, a statistics event):
 * `next(maxMs)` resolves at the next `notify()` or after maxMs, one shared timer-free list.
 */
export class Notifier {
  private waiters: (() => void)[] = [];

  get waiting(): number {
    return this.waiters.length;
  }

  next(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, maxMs));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
