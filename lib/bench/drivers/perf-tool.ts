/**
 * Apache Kafka's own reference tool, org.apache.kafka.tools.ProducerPerformance (the engine of
 * kafka-producer-perf-test), run from the jars in .broker/libs on the same broker and workload,
 * and its summary line parsed.
 */
import { javaToolsRefusal, kafkaToolsVersion, runKafkaTool, toolFailure } from "../../broker/tools";
import type { KafkaConnection } from "../../config/connection";
import { processCpuSeconds } from "../../core/cpu";
import { KppError, type ErrorKind } from "../../core/errors";
import { capitalize, fmt } from "../../core/format";
import type { LatencySummary } from "../../core/latency";
import { now } from "../../core/time";
import { throughput } from "../../core/units";
import { BrokerCpuMeter, type RunCpu } from "../cpu-window";
import type { RunContext } from "../framework";
import { PRODUCER_LABELS, type BenchRun } from "../run";
import { javaProperties, type Workload } from "../workload";

export const PERF_TOOL_CLASS = "org.apache.kafka.tools.ProducerPerformance";

/** One summary line of the tool: the whole run, or its steady state when warm-up was asked for. */
export interface PerfToolSummary {
  records: number;
  steadyState: boolean;
  recordsPerSec: number;
  /** The tool's own "MB/sec", which is MiB (2^20 bytes) per second. */
  mibPerSec: number;
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
    mibPerSec: Number(m[4]),
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

/**
 * The tool's arguments for a workload (after the JVM's; see kafkaToolArgs): as fast as it can send
 * (throughput -1, the default), or throttled by the tool itself to `throughput` records/s.
 */
export function perfToolArgs(
  w: Workload,
  topic: string,
  bootstrap: string,
  opts: { throughput?: number; extraProps?: Record<string, string> } = {},
): string[] {
  const props = { ...javaProperties(w), ...opts.extraProps };
  return [
    "--topic",
    topic,
    "--num-records",
    String(w.records + w.warmupRecords),
    ...(w.warmupRecords > 0 ? ["--warmup-records", String(w.warmupRecords)] : []),
    "--record-size",
    String(w.recordSize),
    "--throughput",
    String(opts.throughput ?? -1),
    "--bootstrap-server",
    bootstrap,
    "--command-property",
    ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
  ];
}

export class PerfToolError extends KppError {
  constructor(
    kind: ErrorKind,
    message: string,
    /** The target is secured: the tool is not run there (a row says why, not a failed bench). */
    readonly securedTarget = false,
  ) {
    super(kind, message);
  }
}

export function perfToolVersion(): string {
  return `${kafkaToolsVersion()} (Java producer)`;
}

/** The tool's first line when it has warm-up records, printed once its producer exists, before the first send. */
const WARMUP_BANNER = /^Warmup first \d+ records/;

/**
 * The JVM's and the broker's CPU from the tool's first send (its warm-up banner; without warm-up,
 * from the JVM's start) to its summary line: fed the tool's pid and its output lines.
 */
class JavaCpuMeter {
  private pid?: number;
  private readonly broker: BrokerCpuMeter;
  private start?: { cpu: number; at: number };
  private end?: { cpu: number; at: number };

  constructor(
    brokerPid: number | undefined,
    private readonly warmup: boolean,
  ) {
    this.broker = new BrokerCpuMeter(brokerPid);
  }

  spawned(pid: number): void {
    this.pid = pid;
    if (!this.warmup) this.mark("start");
  }

  line(l: string): void {
    if (!this.start && WARMUP_BANNER.test(l)) this.mark("start");
    else if (this.start && !this.end && parsePerfToolLine(l)) this.mark("end");
  }

  private mark(which: "start" | "end"): void {
    this[which] = { cpu: processCpuSeconds(this.pid), at: now() };
    if (which === "start") this.broker.start();
    else this.broker.end();
  }

  result(records: number): RunCpu | undefined {
    if (!this.start || !this.end) return undefined;
    return {
      window_s: (this.end.at - this.start.at) / 1000,
      records,
      client_s: this.end.cpu - this.start.cpu,
      main_s: NaN,
      librdkafka_s: NaN,
      broker_s: this.broker.seconds,
      window: this.warmup
        ? "the tool's warm-up banner (JVM start-up excluded) to its summary line: its warm-up records included"
        : "the JVM's start (start-up included) to the tool's summary line",
    };
  }
}

/** One run of the tool, parsed. */
export interface PerfToolOutcome {
  /** The summary of the measured records: the steady-state line (after the warm-up records), else the whole run's. */
  summary: PerfToolSummary;
  /** The whole run's line, warm-up included. */
  total?: PerfToolSummary;
  /** The measured records' latency, send() to callback in whole ms. */
  latency: LatencySummary;
  /** Lines of its stderr that report an exception or error. */
  errors: string[];
}

/**
 * Runs the tool on a topic that already exists (w.warmupRecords, then w.records measured) and parses
 * its summary; throttled to `throughput` records/s when given. Only PLAINTEXT targets (see
 * javaToolsRefusal): others get a PerfToolError marked securedTarget. Throws when the tool is
 * killed after timeoutMs or ends without a summary line.
 */
export async function execPerfTool(
  connection: KafkaConnection,
  w: Workload,
  topic: string,
  opts: { timeoutMs: number; throughput?: number; onLine?: (line: string) => void; onSpawn?: (pid: number) => void },
): Promise<PerfToolOutcome> {
  const refusal = javaToolsRefusal(connection);
  if (refusal) throw new PerfToolError("config", `${capitalize(refusal)}.`, true);
  const args = perfToolArgs(w, topic, connection.bootstrapServers, { throughput: opts.throughput });
  const result = await runKafkaTool(PERF_TOOL_CLASS, args, {
    timeoutMs: opts.timeoutMs,
    onLine: opts.onLine,
    onSpawn: opts.onSpawn,
  });
  const { stdout, stderr } = result;
  const parsed = parsePerfToolOutput(stdout);
  const s = parsed.steady ?? parsed.total;
  if (result.timedOut || result.code !== 0 || !s) {
    const at = opts.throughput !== undefined && opts.throughput > 0 ? ` at ${fmt(opts.throughput)} msgs/s` : "";
    throw new PerfToolError("delivery", toolFailure(`ProducerPerformance${at}`, result).message);
  }
  return {
    summary: s,
    total: parsed.total,
    latency: { count: s.records, p50_ms: s.p50Ms, p95_ms: s.p95Ms, p99_ms: s.p99Ms, p999_ms: s.p999Ms, max_ms: s.maxMs, mean_ms: s.avgMs },
    errors: stderr.split("\n").filter((l) => /Exception|ERROR/.test(l)),
  };
}

/** Runs the tool on a topic that already exists, as fast as it can send, as one bench run. */
export async function runPerfTool(
  connection: KafkaConnection,
  w: Workload,
  topic: string,
  opts: { timeoutMs?: number; onLine?: (line: string) => void; brokerPid?: number } = {},
): Promise<BenchRun> {
  const cpu = new JavaCpuMeter(opts.brokerPid, w.warmupRecords > 0);
  const {
    summary: s,
    total,
    latency,
    errors,
  } = await execPerfTool(connection, w, topic, {
    timeoutMs: opts.timeoutMs ?? 600_000,
    onLine: (line) => {
      cpu.line(line);
      opts.onLine?.(line);
    },
    onSpawn: (pid) => cpu.spawned(pid),
  });
  const measured = w.records;
  const wallMs = s.recordsPerSec > 0 ? (s.records / s.recordsPerSec) * 1000 : NaN;
  return {
    producer: "perf-tool",
    label: PRODUCER_LABELS["perf-tool"],
    client: perfToolVersion(),
    topic,
    records: measured,
    recordSize: w.recordSize,
    figures: {
      sent: measured,
      delivered: s.records,
      failed: Math.max(0, measured - s.records),
      wall_s: wallMs / 1000,
      // The tool's own "MB/sec" is MiB (2^20) rounded to 2 decimals: recomputed from records/sec in the project's MB (10^6).
      ...throughput(s.records, s.records * w.recordSize, wallMs),
      msgs_per_s: s.recordsPerSec,
      latency,
    },
    errorSamples: errors.slice(0, 3),
    timing:
      (w.warmupRecords > 0 ? "the tool's steady-state line (after its warm-up records)" : "the tool's whole-run line") +
      "; from its first measured send() to the last callback; latencies send() to callback in whole ms; JVM start and connect excluded",
    settings: javaProperties(w),
    extra: { perf_tool_total_records_per_sec: total?.recordsPerSec ?? NaN },
    cpu: cpu.result(w.records + w.warmupRecords),
  };
}

/** The reference tool as a bench runner (progress from its own once-a-few-seconds lines). */
export function perfToolRunner(ctx: RunContext): Promise<BenchRun> {
  const total = ctx.workload.records + ctx.workload.warmupRecords;
  return runPerfTool(ctx.connection, ctx.workload, ctx.topic, {
    brokerPid: ctx.brokerPid,
    onLine: (l) =>
      ctx.onProgress?.({
        producer: "perf-tool",
        phase: "measuring",
        acknowledged: Number(/^(\d+) records sent/.exec(l)?.[1] ?? 0),
        total,
        elapsedMs: NaN,
      }),
  });
}
