/**
 * The end-to-end study's parameters, from the environment (or .env) over the defaults, validated
 * before anything connects. They have names of their own (RECORDS, E2E_BATCH_SIZE, …) so that
 * notebook 01's NUM_MESSAGES and BATCH_SIZE never change this study by accident.
 */
import * as path from "node:path";
import { clean, readEnv, type Env } from "../config/env";
import { PROJECT_ROOT, projectRelative } from "../config/paths";
import { ConfigError } from "../core/errors";
import { flag, topicName, wholeNumber } from "../core/validate";
import { REVIEWS_CSV } from "./generate-data";

export interface E2eParams {
  /** Records produced and consumed (the seed: 1,000,000). */
  records: number;
  /** Records per batch on both sides (the seed: 10,000). */
  batchSize: number;
  /** The CSV whose rows are replicated to `records`. */
  csvPath: string;
  /** Its free-text column: the message value, and what words are counted in. */
  textColumn: string;
  partitions: number;
  /** A topic to use (it must not exist, or be empty); default a fresh one per run, deleted afterwards. */
  topic?: string;
  /** Records for the comparison of producer methods (the synchronous one is slow: it gets fewer). */
  methodRecords: number;
  syncRecords: number;
  /** Also run Java's ConsumerPerformance on the topic. */
  javaTool: boolean;
}

export const DEFAULT_E2E: Readonly<E2eParams> = Object.freeze({
  records: 1_000_000,
  batchSize: 10_000,
  csvPath: REVIEWS_CSV,
  textColumn: "text",
  partitions: 3,
  methodRecords: 100_000,
  syncRecords: 5_000,
  javaTool: true,
});

/** RECORDS, E2E_BATCH_SIZE, CSV_PATH (relative to the project), TEXT_COLUMN, E2E_PARTITIONS, E2E_TOPIC, E2E_METHOD_RECORDS, E2E_SYNC_RECORDS, E2E_JAVA. */
export function loadE2eParams(defaults: Partial<E2eParams> = {}, env: Env = readEnv()): E2eParams {
  const base = { ...DEFAULT_E2E, ...defaults };
  const records = wholeNumber("RECORDS", clean(env.RECORDS) ?? base.records, { min: 1 });
  const batchSize = wholeNumber("E2E_BATCH_SIZE", clean(env.E2E_BATCH_SIZE) ?? base.batchSize, { min: 1 });
  if (batchSize > records)
    throw new ConfigError("E2E_BATCH_SIZE", `${batchSize} is larger than RECORDS (${records}); use at most ${records}.`);
  const csv = clean(env.CSV_PATH);
  const given = clean(env.E2E_TOPIC) ?? base.topic;
  const topic = given === undefined ? undefined : topicName("E2E_TOPIC", given);
  return {
    records,
    batchSize,
    csvPath: csv ? path.resolve(PROJECT_ROOT, csv) : base.csvPath,
    textColumn: clean(env.TEXT_COLUMN) ?? base.textColumn,
    partitions: wholeNumber("E2E_PARTITIONS", clean(env.E2E_PARTITIONS) ?? base.partitions, { min: 1, max: 1000 }),
    topic,
    methodRecords: wholeNumber("E2E_METHOD_RECORDS", clean(env.E2E_METHOD_RECORDS) ?? base.methodRecords, { min: 1 }),
    syncRecords: wholeNumber("E2E_SYNC_RECORDS", clean(env.E2E_SYNC_RECORDS) ?? base.syncRecords, { min: 1 }),
    javaTool: flag("E2E_JAVA", clean(env.E2E_JAVA) ?? base.javaTool),
  };
}

/** The parameters as the notebook shows them: paths relative to the project, the topic said in words. */
export function paramsRecord(p: E2eParams): Record<string, string | number | boolean> {
  return { ...p, csvPath: projectRelative(p.csvPath), topic: p.topic ?? "(a fresh topic per run, deleted afterwards)" };
}
