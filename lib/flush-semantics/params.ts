/**
 * Notebook 03's parameters: the environment (FLUSH_LAB_EXIT_COUNT, FLUSH_LAB_Q3_COUNT,
 * FLUSH_LAB_PAUSE_MS, or .env) over the defaults, validated before anything connects. Small
 * counts keep the notebook to seconds.
 */
import { clean, readEnv, type Env } from "../config/env";
import { wholeNumber } from "../core/validate";

export interface FlushParams {
  /** Messages each child process of question 2 produces before it ends. */
  exitCount: number;
  /** Messages of each run of question 3 (a flush after every record, one flush at the end). */
  flushCostCount: number;
  /** Question 4's pause after every 5th record, ms. */
  pauseMs: number;
}

export const DEFAULT_FLUSH_PARAMS: Readonly<FlushParams> = Object.freeze({
  exitCount: 100,
  flushCostCount: 200,
  pauseMs: 2_000,
});

export function loadFlushParams(defaults: Partial<FlushParams> = {}, env: Env = readEnv()): FlushParams {
  const base = { ...DEFAULT_FLUSH_PARAMS, ...defaults };
  return {
    exitCount: wholeNumber("FLUSH_LAB_EXIT_COUNT", clean(env.FLUSH_LAB_EXIT_COUNT) ?? base.exitCount, { min: 1 }),
    flushCostCount: wholeNumber("FLUSH_LAB_Q3_COUNT", clean(env.FLUSH_LAB_Q3_COUNT) ?? base.flushCostCount, { min: 1 }),
    pauseMs: wholeNumber("FLUSH_LAB_PAUSE_MS", clean(env.FLUSH_LAB_PAUSE_MS) ?? base.pauseMs, { min: 0 }),
  };
}
