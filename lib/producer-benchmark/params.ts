/**
 * Notebook 01's parameters: the environment (NUM_MESSAGES, BATCH_SIZE, TOPIC, TRIALS,
 * WARMUP_BATCHES, SERIALIZER, or .env) over the notebook's defaults, validated together before
 * anything connects. Defaults are the assignment's: 20,000 messages in batches of 500.
 */
import { clean, readEnv, type Env } from "../config/env";
import { ConfigError } from "../core/errors";
import { oneOf, topicName, wholeNumber } from "../core/validate";

export const SERIALIZER_NAMES = ["json", "avro"] as const;
export type SerializerName = (typeof SERIALIZER_NAMES)[number];

export interface BenchmarkParams {
  numMessages: number;
  batchSize: number;
  topic: string;
  /** Repeats of the whole comparison, for the spread between runs. */
  trials: number;
  /** Batches sent (and flushed) before timing starts, per producer and trial; marked, not summarized. */
  warmupBatches: number;
  /** Wire format of the messages: "json" or "avro". */
  serializer: SerializerName;
}

export const DEFAULT_PARAMS: Readonly<BenchmarkParams> = Object.freeze({
  numMessages: 20_000,
  batchSize: 500,
  topic: "purchases-benchmark",
  trials: 3,
  warmupBatches: 2,
  serializer: "json",
});

export function loadParams(defaults: Partial<BenchmarkParams> = {}, env: Env = readEnv()): BenchmarkParams {
  const base = { ...DEFAULT_PARAMS, ...defaults };
  const numMessages = wholeNumber("NUM_MESSAGES", clean(env.NUM_MESSAGES) ?? base.numMessages, { min: 1 });
  const batchSize = wholeNumber("BATCH_SIZE", clean(env.BATCH_SIZE) ?? base.batchSize, { min: 1 });
  const trials = wholeNumber("TRIALS", clean(env.TRIALS) ?? base.trials, { min: 1 });
  const warmupBatches = wholeNumber("WARMUP_BATCHES", clean(env.WARMUP_BATCHES) ?? base.warmupBatches, { min: 0 });
  const serializer = oneOf("SERIALIZER", clean(env.SERIALIZER) ?? base.serializer, SERIALIZER_NAMES);
  if (batchSize > numMessages) {
    throw new ConfigError("BATCH_SIZE", `${batchSize} is larger than NUM_MESSAGES (${numMessages}); use at most ${numMessages}.`);
  }
  const topic = topicName("TOPIC", clean(env.TOPIC) ?? base.topic);
  return { numMessages, batchSize, topic, trials, warmupBatches, serializer };
}
