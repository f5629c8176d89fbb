/**
 * `npm start`: run the benchmark notebook headlessly (on the embedded broker unless .env names
 * another cluster), write its HTML report and executed copy to reports/, print a summary.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BrokerError, ensureBroker } from "../lib/broker";
import { ConfigError, loadConnection, loadParams, readEnv } from "../lib/config";
import { runNotebook } from "../lib/notebook";
import { paths } from "../lib/paths";
import { consoleSummary, type RunSummary } from "../lib/report";

const NOTEBOOKS = ["01-producer-benchmark"];

function relative(p: string): string {
  return path.relative(process.cwd(), p) || p;
}

async function main(): Promise<number> {
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
  console.error(`Running the benchmark: ${params.numMessages.toLocaleString("en-US")} messages in batches of ${params.batchSize}…`);

  fs.mkdirSync(paths.reports, { recursive: true });
  // The kernel reads .env itself; the runner is given the secret only to refuse reports containing it.
  const kernelEnv: Record<string, string> = { ...(process.env as Record<string, string>), REPORTS_DIR: paths.reports };
  const secret = env.KAFKA_SASL_PASSWORD;
  if (secret) kernelEnv.KAFKA_SASL_PASSWORD = secret;

  for (const name of NOTEBOOKS) {
    const summaryFile = path.join(paths.reports, `${name}.summary.json`);
    fs.rmSync(summaryFile, { force: true }); // never print a summary left by an earlier run
    const run = await runNotebook({
      notebook: path.join(paths.notebooks, `${name}.ipynb`),
      outDir: paths.reports,
      env: kernelEnv,
      forbidEnv: secret ? ["KAFKA_SASL_PASSWORD"] : [],
    });
    if (!run.ok) {
      console.error(`\n${name}.ipynb failed after ${run.seconds.toFixed(1)} s:\n${run.error ?? "(no error text)"}`);
      if (fs.existsSync(run.executed)) console.error(`The executed notebook, with its outputs up to the failure: ${relative(run.executed)}`);
      return 1;
    }
    if (fs.existsSync(summaryFile)) {
      const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as RunSummary;
      console.log(`\n${consoleSummary(summary)}`);
    }
    console.log(`\nReport: ${relative(run.html ?? "")}  (executed notebook: ${relative(run.executed)}; notebook ran ${run.seconds.toFixed(1)} s)`);
  }
  if (connection.embedded) console.log("The embedded broker keeps running for the next run; `npm run broker:stop` stops it.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof BrokerError) {
      console.error(`Error: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exit(1);
  },
);
