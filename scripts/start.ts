/**
 * `npm start`: run the notebooks headlessly (on the embedded broker unless .env names another
 * cluster): 01 (the benchmark, whose summary is printed), 02 (code review) and 03 (flush
 * semantics); with `--all` also 04 (tuning), 05 (clients), 06 (end to end) and 08 (monitoring, after
 * set-up's Prometheus step). Each writes its HTML report and
 * executed copy to reports/, and reports/index.html links them all. With STUDENT_NAME set (in
 * .env), the submission is gathered last into reports/submission/ (what `npm run submission` does).
 *
 * Exit codes (lib/core/errors.ts, the same for every command): 0 done; 1 a notebook failed (or an
 * unexpected error); 2 usage or configuration (also: the submission could not be made, the message
 * says why); 3 the Kafka target could not be started or reached; 130 interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ensureBroker } from "../lib/broker";
import { clean, loadConnection, paths, readEnv, reportsDir } from "../lib/config";
import { EXIT_CODES, KppError, runChild, runCommand, UsageError } from "../lib/core";
import { checkConnection } from "../lib/kafka";
import { monitoringRequested, startPrometheus } from "../lib/monitoring";
import { runNotebook, writeReportsIndex } from "../lib/notebook";
import { consoleSummary, loadParams, type ReportSummary } from "../lib/producer-benchmark";
import { buildSubmission, SECRET_KEYS, STUDENT_NAME_KEY, SUBMISSION_DIR, submissionHint, submissionSummary } from "../lib/submission";

/** Run in this order; 01 first, since its summary is the one printed. */
const NOTEBOOKS = ["01-producer-benchmark", "02-code-review", "03-flush-semantics"];
/** Added by --all: the longer tuning, client-comparison, end-to-end, latency-under-load and monitoring notebooks. */
const MORE_NOTEBOOKS = ["04-tuning", "05-clients", "06-end-to-end", "07-latency-under-load", "08-monitoring"];
const USAGE =
  "usage: npm start [-- --all]   (--all also runs 04-tuning, 05-clients, 06-end-to-end, 07-latency-under-load and 08-monitoring)";
/** The notebook that needs Prometheus installed (set-up fetches it only when asked). */
const NEEDS_PROMETHEUS = "08-monitoring";

/** Set-up's monitoring step (idempotent; seconds when already done), before a notebook that needs Prometheus. */
async function setUpMonitoring(): Promise<void> {
  const r = await runChild(process.execPath, [path.join(paths.root, "scripts", "setup.mjs"), "--quiet", "--monitoring"], {
    timeoutMs: 600_000,
  });
  if (r.stdout.trim()) console.error(r.stdout.trim());
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ");
    throw new KppError("connection", `setting up Prometheus for notebook 08 failed (${why}); run \`npm start\` without --all to skip it.`);
  }
}

function notebookList(argv: string[]): string[] {
  let all = false;
  try {
    all = parseArgs({ args: argv, options: { all: { type: "boolean", default: false } } }).values.all ?? false;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const names = all ? [...NOTEBOOKS, ...MORE_NOTEBOOKS] : NOTEBOOKS;
  const missing = names.filter((n) => !fs.existsSync(path.join(paths.notebooks, `${n}.ipynb`)));
  if (missing.length) {
    throw new UsageError(
      `notebook${missing.length > 1 ? "s" : ""} not found: ${missing.map((n) => `notebooks/${n}.ipynb`).join(", ")}. ` +
        (all
          ? "Run `npm start` without --all to skip them, or restore the missing notebooks."
          : "Restore the missing notebooks (git checkout)."),
    );
  }
  return names;
}

function relative(p: string): string {
  return path.relative(process.cwd(), p) || p;
}

/** Ctrl-C (or SIGINT from elsewhere): let the running notebook stop cleanly and keep its results. */
const interrupted = new AbortController();
process.on("SIGINT", () => {
  if (interrupted.signal.aborted) return; // a second Ctrl-C reaches the runner through the terminal
  console.error("\nInterrupt: stopping the benchmark and keeping what was measured…");
  interrupted.abort();
});

async function main(): Promise<number> {
  const notebooks = notebookList(process.argv.slice(2));
  const env = readEnv();
  // Validate everything before connecting to anything.
  const params = loadParams({}, env);
  const connection = loadConnection(env);
  if (connection.embedded) {
    const { status, startedHere } = await ensureBroker({ log: (line) => console.error(line) });
    console.error(`${startedHere ? "Started" : "Using"} the embedded Kafka ${status.kafkaVersion ?? ""} broker on ${status.bootstrap}.`);
  } else {
    console.error(`Target: ${connection.label} (${connection.bootstrapServers}).`);
  }
  // One bounded metadata request: an unreachable cluster or a wrong password fails here, clearly.
  await checkConnection(connection);
  if (notebooks.includes(NEEDS_PROMETHEUS)) await setUpMonitoring();
  // MONITORING=1: Prometheus running before the notebooks, whose producers (in the kernel, which
  // inherits MONITORING) then publish their metrics to it.
  const prometheus = monitoringRequested(env) ? await startPrometheus({ log: (line) => console.error(line) }) : undefined;
  if (prometheus) console.error(`Monitoring: Prometheus on ${prometheus.url} records the notebooks' producers.`);
  console.error(
    `Running ${notebooks.length} notebooks (${notebooks.join(", ")}); the benchmark sends ${params.numMessages.toLocaleString("en-US")} messages in ` +
      `batches of ${params.batchSize}…`,
  );

  // REPORTS_DIR moves the reports (tests use a temporary folder); default reports/.
  const reports = reportsDir();
  fs.mkdirSync(reports, { recursive: true });
  // The kernel reads .env itself; the runner is given the secrets that are set (SECRET_KEYS), only to refuse reports containing them.
  const kernelEnv: Record<string, string> = { ...(process.env as Record<string, string>), REPORTS_DIR: reports };
  const secrets = SECRET_KEYS.filter((key) => env[key]);
  for (const key of secrets) kernelEnv[key] = env[key]!;

  // Printed together at the end, so that the summary is the last screen, not scrolled away.
  let benchmarkSummary = "";
  const written: string[] = [];
  for (const name of notebooks) {
    const summaryFile = path.join(reports, `${name}.summary.json`);
    fs.rmSync(summaryFile, { force: true }); // never print a summary left by an earlier run
    if (interrupted.signal.aborted) break;
    const run = await runNotebook({
      notebook: path.join(paths.notebooks, `${name}.ipynb`),
      outDir: reports,
      env: kernelEnv,
      forbidEnv: secrets,
      signal: interrupted.signal,
    });
    if (run.status === "interrupted" || interrupted.signal.aborted) {
      console.error(`\nInterrupted: ${name}.ipynb stopped after ${run.seconds.toFixed(1)} s; its producers were disconnected.`);
      if (fs.existsSync(summaryFile)) console.error(`Partial results kept: ${relative(summaryFile)} (and the CSV files beside it)`);
      if (fs.existsSync(run.executed)) console.error(`The executed notebook up to the interrupt: ${relative(run.executed)}`);
      console.error(`Reports so far: ${relative(writeReportsIndex(reports))}`);
      return EXIT_CODES.interrupted;
    }
    if (!run.ok) {
      console.error(`\n${name}.ipynb failed after ${run.seconds.toFixed(1)} s:\n${run.error ?? "(no error text)"}`);
      if (fs.existsSync(run.executed))
        console.error(`The executed notebook, with its outputs up to the failure: ${relative(run.executed)}`);
      console.error(`Reports so far: ${relative(writeReportsIndex(reports))}`);
      return EXIT_CODES.unexpected;
    }
    if (fs.existsSync(summaryFile)) {
      const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as ReportSummary;
      benchmarkSummary ||= consoleSummary(summary);
    }
    console.error(`✓ ${name}: ${relative(run.html ?? "")} (${run.seconds.toFixed(1)} s)`);
    written.push(`  ${relative(run.html ?? "")}   (executed notebook: ${relative(run.executed)}; ran ${run.seconds.toFixed(1)} s)`);
  }
  if (benchmarkSummary) console.log(`\n${benchmarkSummary}`);
  console.log(`\nReports:\n${written.join("\n")}\nAll reports: ${relative(writeReportsIndex(reports))}`);
  if (connection.embedded) console.log("The embedded broker keeps running for the next run; `npm run broker:stop` stops it.");
  if (prometheus) console.log(`Prometheus keeps running on ${prometheus.url}; \`npm run monitor:stop\` stops it.`);
  // Last: what the student hands in, from the reports just written.
  const student = clean(env[STUDENT_NAME_KEY]);
  const submission = student
    ? submissionSummary(buildSubmission({ env: { ...env, REPORTS_DIR: reports } }), relative)
    : submissionHint(path.join(reports, SUBMISSION_DIR));
  console.log(`\n${submission}`);
  return 0;
}

runCommand(main, { usage: USAGE });
