/**
 * `npm run e2e`: notebook 06 from the command line. RECORDS (default 1,000,000) records from a CSV
 * through the embedded broker (or .env's cluster): a producer process and a consumer process in a
 * fresh group, every record checked back by sequence number, Java's ConsumerPerformance beside
 * ours, then the seed's ways of producing compared; a one-screen summary on stdout, progress on
 * stderr, everything in reports/e2e-<time>.json and .csv.
 *
 * Exit codes (lib/core/errors.ts): 0 done; 2 bad options or CSV; 3 the target could not be
 * reached; 4 records lost or duplicated; 130 interrupted (what was measured is kept); 1 anything else.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { openTarget } from "../lib/broker";
import { projectRelative, readEnv } from "../lib/config";
import { abortOnFirstSigint, EXIT_CODES, runCommand, wholeNumber } from "../lib/core";
import {
  compareProducerMethods,
  DEFAULT_E2E,
  e2eSummary,
  loadE2eParams,
  runEndToEnd,
  writeE2eResults,
  type MethodRow,
} from "../lib/end-to-end";

const HELP = `Usage: npm run e2e -- [options]

  --records N          records to produce and consume (default ${DEFAULT_E2E.records.toLocaleString("en-US")}; env RECORDS)
  --batch-size N       records per batch on both sides (default ${DEFAULT_E2E.batchSize.toLocaleString("en-US")}; env E2E_BATCH_SIZE)
  --csv FILE           the CSV to replicate (default data/reviews.csv; env CSV_PATH)
  --text-column NAME   its free-text column (default ${DEFAULT_E2E.textColumn}; env TEXT_COLUMN)
  --partitions N       partitions of the run's topic (default ${DEFAULT_E2E.partitions}; env E2E_PARTITIONS)
  --method-repeats N   repeats of the producer-method comparison (default 3; 0 skips it)
  --no-java            do not run Java's ConsumerPerformance
  --help

Exit codes: 0 done; 2 bad options or CSV; 3 the target could not be reached; 4 records lost or
duplicated; 130 interrupted; 1 anything unexpected.`;

/** Progress on stderr: each side's line at most every 2 s, and its final line. */
function progress(): (side: string, line: string, final: boolean) => void {
  const last = new Map<string, number>();
  return (side, line, final) => {
    const now = Date.now();
    if (!final && now - (last.get(side) ?? 0) < 2_000) return;
    last.set(side, now);
    console.error(`  ${line}`);
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      records: { type: "string" },
      "batch-size": { type: "string" },
      csv: { type: "string" },
      "text-column": { type: "string" },
      partitions: { type: "string" },
      "method-repeats": { type: "string" },
      "no-java": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return EXIT_CODES.ok;
  }
  // Options over the environment, validated together before anything connects.
  const env = readEnv();
  const set = (key: string, v: string | undefined) => v !== undefined && (env[key] = v);
  set("RECORDS", values.records);
  set("E2E_BATCH_SIZE", values["batch-size"]);
  set("CSV_PATH", values.csv && path.resolve(values.csv));
  set("TEXT_COLUMN", values["text-column"]);
  set("E2E_PARTITIONS", values.partitions);
  if (values["no-java"]) env.E2E_JAVA = "0";
  const params = loadE2eParams({}, env);
  const methodRepeats = wholeNumber("--method-repeats", values["method-repeats"] ?? 3, { min: 0, max: 20 });

  const connection = await openTarget();
  const signal = abortOnFirstSigint(() =>
    console.error("\nInterrupt: stopping both sides and keeping what was measured (Ctrl-C again to quit at once)…"),
  );
  console.error(`End to end on ${connection.label} (${connection.bootstrapServers}): ${params.records.toLocaleString("en-US")} records…`);
  const result = await runEndToEnd({ connection, params, signal, onProgress: progress() });
  let methods: MethodRow[] = [];
  if (methodRepeats > 0 && !signal.aborted) {
    console.error(`Producer methods, ${methodRepeats} round(s)…`);
    methods = await compareProducerMethods(connection, params, { repeats: methodRepeats, signal });
  }
  const [file] = writeE2eResults(result, methods, `e2e-${result.startedAt.replace(/[:.]/g, "-")}`);
  console.log(`\n${e2eSummary(result, methods)}\n\nResults: ${projectRelative(file)} (and the CSV files beside it)`);
  if (signal.aborted) return EXIT_CODES.interrupted;
  return result.check.lost > 0 || result.check.duplicates > 0 ? EXIT_CODES.delivery : EXIT_CODES.ok;
}

runCommand(main, { usage: HELP });
