/**
 * `npm run bench -- --sweep`: the rate sweep from the command line (scripts/bench.ts hands it the
 * arguments). Options over the defaults, validated before anything connects; progress on stderr;
 * every step, the sustainable rates and the analysis on stdout; reports/sweep-<time>.json and
 * .csv.
 *
 * Exit codes (lib/core/errors.ts): 0 done; 2 bad options; 3 the target could not be reached;
 * 4 deliveries failed in a step; 130 interrupted (the steps done are kept); 1 anything else.
 */
import { parseArgs } from "node:util";
import { openTarget } from "../broker/target";
import { projectRelative } from "../config/paths";
import { abortOnFirstSigint } from "../core/command";
import { EXIT_CODES } from "../core/errors";
import { fmt } from "../core/format";
import { liveProgress } from "../notebook/display";
import { DEFAULT_SWEEP, OPTION_KEYS, SWEEP_PRODUCERS, validateSweep, type SweepInput } from "./params";
import { runSweep, writeSweepResults } from "./sweep";
import { commandReport } from "./texts";

const d = DEFAULT_SWEEP;

export const SWEEP_HELP = `Usage: npm run bench -- --sweep [options]

Each producer at each offered rate, paced, with latency from the intended send time and from the
actual send, a consumer alongside for end-to-end latency, and a search for the highest rate each
sustains with p99 under a bound. With the defaults it takes about 8 minutes.

  --rates LIST            offered rates, msgs/s, comma-separated (default ${d.rates.join(",")})
  --duration S            seconds each rate is held after its warm-up (default ${d.durationS})
  --warmup S              seconds of warm-up at the rate before each step (default ${d.warmupS})
  --record-size B         record value size in bytes (default ${d.recordSize})
  --acks 0|1|all          (default ${d.acks})
  --linger-ms MS          linger.ms of the asynchronous producer and Java's tool (default ${d.lingerMs}; the
                          synchronous producer always uses 0)
  --partitions N          partitions of each step's topic (default ${d.partitions})
  --percentiles LIST      percentiles each step must hold enough records for (default ${d.percentiles.join(",")};
                          p99.9 needs 10,000 records per step, p99 1,000)
  --p99-bound-ms MS       the search's bound on p99 publish latency (default ${d.p99BoundMs})
  --producers LIST        from ${SWEEP_PRODUCERS.join(",")} (default: all)
  --e2e true|false        a consumer alongside every step (default ${d.endToEnd})
  --search-probes N       extra steps per producer narrowing its sustainable rate (default ${d.searchProbes})
  --saturated-steps N     a producer stops after N saturated steps in a row (default ${d.saturatedSteps})
  --java-e2e-records N    records for Java's EndToEndLatency (default ${d.javaE2eRecords}; 0 skips it)
  --help

The same parameters drive notebook 07 from the environment (SWEEP_RATES, SWEEP_DURATION_S, …).
Exit codes: 0 done; 2 bad options; 3 the target could not be reached; 4 deliveries failed;
130 interrupted (the steps done are kept); 1 anything unexpected.`;

/** Runs the sweep command on the arguments after `npm run bench --` (`--sweep` among them). */
export async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sweep: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(Object.values(OPTION_KEYS).map((k) => [k.slice(2), { type: "string" as const }])),
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(SWEEP_HELP);
    return EXIT_CODES.ok;
  }
  const given = values as Record<string, string | boolean | undefined>;
  const input: SweepInput = {};
  for (const [field, key] of Object.entries(OPTION_KEYS) as [keyof SweepInput, string][]) input[field] = given[key.slice(2)];
  const params = validateSweep(input, OPTION_KEYS);

  const connection = await openTarget(undefined, { log: (line) => console.error(line) });
  const signal = abortOnFirstSigint(() =>
    console.error("\nInterrupt: stopping the step under way and keeping the steps done (Ctrl-C again to quit at once)…"),
  );
  console.error(
    `Rate sweep on ${connection.label} (${connection.bootstrapServers}): ${params.rates.map((r) => fmt(r)).join(", ")} msgs/s, ` +
      `${params.durationS} s per step after ${params.warmupS} s warm-up; producers ${params.producers.join(", ")}`,
  );
  const result = await runSweep({ connection, params, signal, onProgress: liveProgress(2_000) });
  const files = writeSweepResults(result, `sweep-${result.startedAt.replace(/[:.]/g, "-")}`);
  console.log(["", ...commandReport(result), "", `Results: ${files.map((f) => projectRelative(f)).join(" and ")}`].join("\n"));
  if (signal.aborted) return EXIT_CODES.interrupted;
  return result.steps.some((s) => s.failed > 0) || result.failedSteps.length ? EXIT_CODES.delivery : EXIT_CODES.ok;
}
