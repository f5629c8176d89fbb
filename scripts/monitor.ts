/**
 * node dist/scripts/monitor.js start|stop|status|generate
 * (npm run monitor:start|stop|status)
 *
 * start     Prometheus on 127.0.0.1:9090 (PROMETHEUS_PORT), scraping every producing process's
 *           exporter and the brokers' JMX exporters every second; returns once it answers and the
 *           running broker's target is up. A second start finds it running and returns at once.
 * stop      stops it (no process is left); its data stays in .monitoring/data.
 * status    running or not, and every target's health.
 * generate  writes the committed files for Docker and Grafana (the dashboard JSON, the recording
 *           rules, Docker's prometheus.yml) from lib/monitoring.
 *
 * Prints the result on stdout; progress goes to stderr. Exit codes (lib/core/errors.ts, through
 * runCommand): 0 done, 2 a bad command line, 3 Prometheus could not be installed, started or
 * reached (its message, no stack), 1 anything else.
 */
import { parseArgs } from "node:util";
import { projectRelative } from "../lib/config";
import { runCommand, UsageError } from "../lib/core";
import { prometheusStatus, startPrometheus, stopPrometheus, writeGeneratedFiles, type PrometheusStatus } from "../lib/monitoring";

const COMMANDS = ["start", "stop", "status", "generate"] as const;
type Command = (typeof COMMANDS)[number];
const USAGE = `usage: node dist/scripts/monitor.js ${COMMANDS.join("|")}`;

function describe(s: PrometheusStatus): string {
  if (s.state === "stopped") return `Prometheus is stopped; data: ${projectRelative(s.data)}`;
  if (s.state === "dead")
    return `Prometheus (pid ${s.pid ?? "?"}) is dead or does not answer on ${s.url}; \`npm run monitor:start\` restarts it; log: ${projectRelative(s.log)}`;
  const lines = [`Prometheus running on ${s.url} (pid ${s.pid}); data: ${projectRelative(s.data)}; log: ${projectRelative(s.log)}`];
  if (s.targets.length === 0) lines.push("  no targets yet");
  for (const t of s.targets) {
    const who = t.labels.program ? ` (${t.labels.program}, pid ${t.labels.pid})` : t.labels.cluster ? ` (${t.labels.cluster} broker)` : "";
    const why =
      t.health === "up" || !t.lastError ? "" : / connection refused/.test(t.lastError) ? " (nothing listening)" : ` (${t.lastError})`;
    lines.push(`  ${t.job} ${t.instance}${who}: ${t.health}${why}`);
  }
  return lines.join("\n");
}

async function run(command: Command): Promise<number> {
  const log = (line: string) => console.error(line);
  switch (command) {
    case "start": {
      const t0 = Date.now();
      const s = await startPrometheus({ log });
      console.log(`${describe(s)}\n[${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      return 0;
    }
    case "stop":
      console.log((await stopPrometheus({ log })) ? "Prometheus stopped" : "Prometheus was not running");
      return 0;
    case "status":
      console.log(describe(await prometheusStatus()));
      return 0;
    case "generate": {
      const changed = writeGeneratedFiles();
      console.log(changed.length ? `Written: ${changed.map(projectRelative).join(", ")}` : "The generated monitoring files are up to date");
      return 0;
    }
  }
}

function parse(argv: string[]): Command {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "no command given" : `one command expected, got: ${positionals.join(" ")}`);
  if (!(COMMANDS as readonly string[]).includes(positionals[0])) throw new UsageError(`unknown command: ${positionals[0]}`);
  return positionals[0] as Command;
}

runCommand(() => run(parse(process.argv.slice(2))), { usage: USAGE });
