/**
 * Apache Kafka's own reference tool, org.apache.kafka.tools.ProducerPerformance (the engine of
 * kafka-producer-perf-test), run from the jars in .broker/libs on the same broker and workload,
 * and its summary line parsed.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KafkaConnection } from "../config";
import { paths } from "../paths";
import type { LatencyStats } from "./latency";
import { PRODUCER_LABELS, type BenchRun } from "./run";
import { javaProperties, type Workload } from "./workload";

export const PERF_TOOL_CLASS = "org.apache.kafka.tools.ProducerPerformance";

/** One summary line of the tool: the whole run, or its steady state when warm-up was asked for. */
export interface PerfToolSummary {
  records: number;
  steadyState: boolean;
  recordsPerSec: number;
  mbPerSec: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

// "200000 records sent, 181818.181818 records/sec (17.34 MB/sec), 12.34 ms avg latency,
//  456.00 ms max latency, 10 ms 50th, 30 ms 95th, 40 ms 99th, 50 ms 99.9th."
const SUMMARY =
  /^(\d+) (steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.\s*$/;

/** Parses one summary line; undefined for any other line (progress lines have no percentiles). */
export function parsePerfToolLine(line: string): PerfToolSummary | undefined {
  const m = SUMMARY.exec(line.trim());
  if (!m) return undefined;
  return {
    records: Number(m[1]),
    steadyState: Boolean(m[2]),
    recordsPerSec: Number(m[3]),
    mbPerSec: Number(m[4]),
    avgMs: Number(m[5]),
    maxMs: Number(m[6]),
    p50Ms: Number(m[7]),
    p95Ms: Number(m[8]),
    p99Ms: Number(m[9]),
    p999Ms: Number(m[10]),
  };
}

/** The summary that describes the measured records: the steady-state line when present, else the total. */
export function parsePerfToolOutput(stdout: string): { total?: PerfToolSummary; steady?: PerfToolSummary } {
  const out: { total?: PerfToolSummary; steady?: PerfToolSummary } = {};
  for (const line of stdout.split(/\r?\n/)) {
    const s = parsePerfToolLine(line);
    if (s?.steadyState) out.steady = s;
    else if (s) out.total = s;
  }
  return out;
}

export function perfToolArgs(w: Workload, topic: string, bootstrap: string, extraProps: Record<string, string> = {}): string[] {
  const props = { ...javaProperties(w), ...extraProps };
  return [
    "-Xmx512m",
    `-Dlog4j2.configurationFile=${path.join(paths.broker, "config", "tools-log4j2.xml")}`,
    "-cp",
    path.join(paths.broker, "libs", "*"),
    PERF_TOOL_CLASS,
    "--topic",
    topic,
    "--num-records",
    String(w.records + w.warmupRecords),
    ...(w.warmupRecords > 0 ? ["--warmup-records", String(w.warmupRecords)] : []),
    "--record-size",
    String(w.recordSize),
    "--throughput",
    "-1",
    "--bootstrap-server",
    bootstrap,
    "--command-property",
    ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
  ];
}

export class PerfToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PerfToolError";
  }
}

export function perfToolVersion(): string {
  const libs = path.join(paths.broker, "libs");
  const jar = fs.existsSync(libs) ? fs.readdirSync(libs).find((f) => /^kafka-tools-\d.*\.jar$/.test(f)) : undefined;
  return jar ? `kafka-tools ${jar.replace(/^kafka-tools-|\.jar$/g, "")} (Java producer)` : "kafka-tools (not set up)";
}

/**
 * Runs the tool on a topic that already exists. Only PLAINTEXT targets: passing a SASL password
 * on a command line would expose it to every local user, so other targets get a clear error.
 */
export async function runPerfTool(connection: KafkaConnection, w: Workload, topic: string, opts: { timeoutMs?: number; onLine?: (line: string) => void } = {}): Promise<BenchRun> {
  if (connection.securityProtocol !== "PLAINTEXT") {
    throw new PerfToolError(`ProducerPerformance is run only against PLAINTEXT brokers (this target is ${connection.securityProtocol}); use the embedded broker for the reference comparison.`);
  }
  if (!fs.existsSync(path.join(paths.broker, "libs"))) throw new PerfToolError("Kafka's jars are missing from .broker/libs: run `npm run setup` first.");
  const args = perfToolArgs(w, topic, connection.bootstrapServers);
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const { code, stdout, stderr, timedOut } = await new Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>((resolve, reject) => {
    const child = spawn("java", args, { env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      for (const l of c.split("\n")) if (l.trim()) opts.onLine?.(l.trim());
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new PerfToolError(`cannot start java (${e.message}); install Java 17+ (see README).`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err, timedOut });
    });
  });
  if (timedOut) throw new PerfToolError(`ProducerPerformance did not finish within ${timeoutMs / 1000} s (killed).`);
  const parsed = parsePerfToolOutput(stdout);
  const s = parsed.steady ?? parsed.total;
  if (code !== 0 || !s) {
    const tail = (stderr + stdout).trim().split("\n").slice(-8).join("\n");
    throw new PerfToolError(`ProducerPerformance exited with code ${code} and no summary line:\n${tail}`);
  }
  const errorLines = stderr.split("\n").filter((l) => /Exception|ERROR/.test(l));
  const measured = w.records;
  const latency: LatencyStats = { count: s.records, mean: s.avgMs, p50: s.p50Ms, p95: s.p95Ms, p99: s.p99Ms, p999: s.p999Ms, max: s.maxMs };
  const wallMs = s.recordsPerSec > 0 ? (s.records / s.recordsPerSec) * 1000 : NaN;
  return {
    producer: "perf-tool",
    label: PRODUCER_LABELS["perf-tool"],
    client: perfToolVersion(),
    topic,
    records: measured,
    recordSize: w.recordSize,
    delivered: s.records,
    errors: Math.max(0, measured - s.records),
    errorSamples: errorLines.slice(0, 3),
    wallMs,
    msgsPerSec: s.recordsPerSec,
    // The tool's own MB/sec is rounded to 2 decimals; recomputed from records/sec, same unit (MiB).
    mbPerSec: (s.recordsPerSec * w.recordSize) / 2 ** 20,
    latency,
    timing:
      (w.warmupRecords > 0 ? "the tool's steady-state line (after its warm-up records)" : "the tool's whole-run line") +
      "; from its first measured send() to the last callback; latencies send() to callback in whole ms; JVM start and connect excluded",
    settings: javaProperties(w),
    extra: { perf_tool_total_records_per_sec: parsed.total?.recordsPerSec ?? NaN },
  };
}
