/**
 * The Python producers, each a process of the project's .venv running
 * scripts/python/bench_producer.py on the run's topic with the workload's records and settings
 * (mapped in workload.ts): confluent-kafka the assignment's way, asynchronous (produce + poll(0),
 * flush at the end) and synchronous (produce + flush per record), and kafka-python (send per
 * record, flush at the end). The script measures inside Python (time.perf_counter, warm-up
 * excluded, CPU of its measured part) and prints JSON lines; its per-record latencies come back
 * in whole µs and are summarised here by the one HDR summary every producer gets.
 *
 * Secrets: the connection, SASL password included, goes to the child in its environment
 * (KPP_KAFKA_CONNECTION), never on its command line, so the peers run on every target.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../../config/paths";
import { runChild } from "../../core/child";
import { KppError, type ErrorKind } from "../../core/errors";
import { latencySummary } from "../../core/latency";
import { throughput } from "../../core/units";
import { BrokerCpuMeter, type RunCpu } from "../cpu-window";
import type { RunContext, Runner } from "../framework";
import { PRODUCER_LABELS, unsupportedRun, type BenchRun, type ProducerId } from "../run";
import { confluentPythonSettings, kafkaPythonSettings, SYNC_WARMUP_MAX, type Workload } from "../workload";

export const PYTHON_SCRIPT = path.join(paths.root, "scripts", "python", "bench_producer.py");

export type PythonPeerId = Extract<ProducerId, `py-${string}`>;

export const PYTHON_PEERS: Readonly<Record<PythonPeerId, { client: "confluent-kafka" | "kafka-python"; mode: "async" | "sync" }>> =
  Object.freeze({
    "py-confluent-async": { client: "confluent-kafka", mode: "async" },
    "py-confluent-sync": { client: "confluent-kafka", mode: "sync" },
    "py-kafka-python": { client: "kafka-python", mode: "async" },
  });

export class PythonPeerError extends KppError {}

/** A one-at-a-time producer needs at most SYNC_WARMUP_MAX warm-up records, as ours-sync. */
export function pythonWarmup(id: PythonPeerId, w: Workload): number {
  return PYTHON_PEERS[id].mode === "sync" ? Math.min(w.warmupRecords, SYNC_WARMUP_MAX) : w.warmupRecords;
}

/** The settings a peer is given, in its client's own names. */
export function pythonSettings(id: PythonPeerId, w: Workload): Record<string, string | number | boolean> {
  const peer = PYTHON_PEERS[id];
  return peer.client === "kafka-python" ? kafkaPythonSettings(w) : confluentPythonSettings(w, peer.mode);
}

/** The script's arguments (no connection details: those go in the environment). */
export function pythonArgs(id: PythonPeerId, w: Workload, topic: string): string[] {
  const peer = PYTHON_PEERS[id];
  return [
    PYTHON_SCRIPT,
    "--client",
    peer.client,
    "--mode",
    peer.mode,
    "--topic",
    topic,
    "--records",
    String(w.records),
    "--warmup",
    String(pythonWarmup(id, w)),
    "--record-size",
    String(w.recordSize),
    ...(w.keyed ? ["--keyed"] : []),
    "--config",
    JSON.stringify(pythonSettings(id, w)),
  ];
}

/** The script's final line. */
export interface PythonResult {
  client: string;
  records: number;
  sent: number;
  delivered: number;
  failed: number;
  errors: string[];
  wall_s: number;
  /** Latencies of the delivered records, ms. */
  latenciesMs: Float64Array;
  cpu: { window_s: number; process_s: number; main_s: number; librdkafka_s: number | null };
}

export type PythonEvent =
  | { event: "start" | "end" }
  | { event: "progress"; acknowledged: number }
  | { event: "error"; kind: ErrorKind; message: string }
  | { event: "result"; unsupported: string }
  | ({ event: "result" } & PythonResult);

/** Latencies sent as whole µs, uint32 little-endian, base64: back to ms. */
export function decodeLatencies(b64: string): Float64Array {
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length % 4 !== 0)
    throw new PythonPeerError("delivery", `the Python peer's latencies are ${bytes.length} bytes, not whole uint32s`);
  const out = new Float64Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(4 * i) / 1000;
  return out;
}

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** One line of the script's output; undefined for anything that is not one of its JSON events. */
export function parsePythonLine(line: string): PythonEvent | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || typeof o !== "object") return undefined;
  switch (o.event) {
    case "start":
    case "end":
      return { event: o.event };
    case "progress":
      return isNum(o.acknowledged) ? { event: "progress", acknowledged: o.acknowledged } : undefined;
    case "error":
      return {
        event: "error",
        kind: o.kind === "config" || o.kind === "connection" ? o.kind : "delivery",
        message: String(o.message ?? "failed"),
      };
    case "result":
      if (typeof o.unsupported === "string") return { event: "result", unsupported: o.unsupported };
      return { event: "result", ...resultOf(o) };
    default:
      return undefined;
  }
}

function resultOf(o: Record<string, unknown>): PythonResult {
  const cpu = (o.cpu ?? {}) as Record<string, unknown>;
  const counts = ["records", "sent", "delivered", "failed", "wall_s"] as const;
  const bad = counts.filter((k) => !isNum(o[k]));
  if (bad.length || typeof o.latencies_us !== "string" || typeof o.client !== "string")
    throw new PythonPeerError("delivery", `the Python peer's result line lacks ${[...bad, "latencies_us", "client"].join(", ")}`);
  const num = (x: unknown) => (isNum(x) ? x : NaN);
  return {
    client: o.client,
    records: o.records as number,
    sent: o.sent as number,
    delivered: o.delivered as number,
    failed: o.failed as number,
    errors: Array.isArray(o.errors) ? o.errors.map(String) : [],
    wall_s: o.wall_s as number,
    latenciesMs: decodeLatencies(o.latencies_us),
    cpu: {
      window_s: num(cpu.window_s),
      process_s: num(cpu.process_s),
      main_s: num(cpu.main_s),
      librdkafka_s: isNum(cpu.librdkafka_s) ? cpu.librdkafka_s : null,
    },
  };
}

/** A peer's result as a BenchRun: the figures every producer reports, computed here from its counts and latencies. */
export function pythonBenchRun(id: PythonPeerId, w: Workload, topic: string, r: PythonResult, brokerCpuS = NaN): BenchRun {
  const wallMs = r.wall_s * 1000;
  const latency = latencySummary([r.latenciesMs]);
  const cpu: RunCpu = {
    window_s: r.cpu.window_s,
    records: r.sent,
    client_s: r.cpu.process_s,
    main_s: r.cpu.main_s,
    librdkafka_s: r.cpu.librdkafka_s ?? NaN,
    broker_s: brokerCpuS,
    window: "first measured send to the end of the final flush, measured inside the Python process",
  };
  return {
    producer: id,
    label: PRODUCER_LABELS[id],
    client: r.client,
    topic,
    records: w.records,
    recordSize: w.recordSize,
    figures: {
      sent: r.sent,
      delivered: r.delivered,
      failed: r.failed,
      wall_s: r.wall_s,
      ...throughput(r.delivered, r.delivered * w.recordSize, wallMs),
      latency,
    },
    errorSamples: r.errors.slice(0, 3),
    timing:
      "inside the Python process (time.perf_counter): first measured send to the last delivery callback; latency = a record's first " +
      "produce()/send() attempt (queue-full waits included) to its delivery callback; interpreter start, connect and warm-up excluded",
    settings: pythonSettings(id, w),
    extra: { warmup_records: pythonWarmup(id, w) },
    cpu,
  };
}

/** The .venv's interpreter, or a clear error saying how to get it. */
function venvPython(): string {
  if (!fs.existsSync(paths.venvPython))
    throw new PythonPeerError("config", "the project's Python environment (.venv) is missing: run `npm run setup`.");
  return paths.venvPython;
}

/** One peer's run on ctx.topic (which exists); broker CPU over its measured part when ctx.brokerPid is set. */
export async function runPythonPeer(id: PythonPeerId, ctx: RunContext, timeoutMs = 600_000): Promise<BenchRun> {
  const w = ctx.workload;
  const broker = new BrokerCpuMeter(ctx.brokerPid);
  const t0 = performance.now();
  let result: PythonEvent | undefined;
  let failure: PythonEvent | undefined;
  let malformed: unknown;
  const onLine = (line: string) => {
    let e: PythonEvent | undefined;
    try {
      e = parsePythonLine(line);
    } catch (err) {
      malformed = err;
    }
    if (!e) return;
    if (e.event === "start") broker.start();
    else if (e.event === "end") broker.end();
    else if (e.event === "progress")
      ctx.onProgress?.({
        producer: id,
        phase: "measuring",
        acknowledged: e.acknowledged,
        total: w.records,
        elapsedMs: performance.now() - t0,
      });
    else if (e.event === "result") result = e;
    else failure = e;
  };
  const env = { ...process.env, KPP_KAFKA_CONNECTION: JSON.stringify(ctx.connection.clientConfig()), PYTHONUNBUFFERED: "1" };
  const child = await runChild(venvPython(), pythonArgs(id, w, ctx.topic), { env, timeoutMs, onLine });
  if (child.timedOut) throw new PythonPeerError("delivery", `${PRODUCER_LABELS[id]} did not finish within ${timeoutMs / 1000} s (killed).`);
  if (failure?.event === "error") throw new PythonPeerError(failure.kind, `${PRODUCER_LABELS[id]}: ${failure.message}`);
  if (malformed) throw malformed;
  if (result?.event === "result" && "unsupported" in result)
    return unsupportedRun(id, PYTHON_PEERS[id].client, w, ctx.topic, result.unsupported);
  if (child.code !== 0 || result?.event !== "result") {
    const tail = (child.stderr + child.stdout).trim().split("\n").slice(-8).join("\n");
    throw new PythonPeerError("delivery", `${PRODUCER_LABELS[id]} exited with code ${child.code} and no result line:\n${tail}`);
  }
  ctx.onProgress?.({
    producer: id,
    phase: "done",
    acknowledged: result.delivered + result.failed,
    total: w.records,
    elapsedMs: performance.now() - t0,
  });
  ctx.keepLatencies?.(result.latenciesMs);
  return pythonBenchRun(id, w, ctx.topic, result, broker.seconds);
}

/** A peer as a bench runner. */
export function pythonRunner(id: PythonPeerId): Runner {
  return (ctx) => runPythonPeer(id, ctx);
}

let versions: string | undefined;

/** "Python 3.11.7, confluent-kafka 2.16.1 (librdkafka 2.16.0), kafka-python 3.0.12" from the .venv (asked once). */
export function pythonVersions(): string {
  if (versions !== undefined) return versions;
  const code =
    "import platform as p\ntry:\n import confluent_kafka as c; ck = f'confluent-kafka {c.__version__} (librdkafka {c.libversion()[0]})'\n" +
    "except ImportError: ck = 'confluent-kafka not installed'\ntry:\n import kafka as k; kp = f'kafka-python {k.__version__}'\n" +
    "except ImportError: kp = 'kafka-python not installed'\nprint(f'Python {p.python_version()}, {ck}, {kp}')";
  const r = fs.existsSync(paths.venvPython) ? spawnSync(paths.venvPython, ["-c", code], { encoding: "utf8", timeout: 20_000 }) : undefined;
  versions = r?.status === 0 ? r.stdout.trim() : ".venv not set up";
  return versions;
}
