/**
 * The rate sweep (notebook 07 and `npm run bench -- --sweep`): every producer at every offered
 * rate, round-robin by rate (at each rate every producer in turn, so a slow minute of the machine
 * hits them alike), each producer's sweep ending after `saturatedSteps` saturated steps in a row;
 * then, per producer, a search between its grid rates for the highest rate it sustains with p99
 * under the bound; then Java's EndToEndLatency as the produce-to-consume reference.
 *
 * An interrupt (Ctrl-C, a kernel interrupt) stops the step under way and keeps every step done;
 * a failing step is recorded with its error and the sweep goes on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConnectionSummary, KafkaConnection } from "../config/connection";
import { reportsDir } from "../config/paths";
import { RunTracker, withInterrupt } from "../core/command";
import { KppError } from "../core/errors";
import { fmt } from "../core/format";
import { clientVersions } from "../kafka/client";
import { benchEnvironment } from "../bench/compare";
import { perfToolVersion } from "../bench/drivers/index";
import { rowsFrame } from "../notebook/display";
import { fromIntendedMeasured, isSaturated, publishP99, searchSustainable, sustains, type Sustainable } from "./analysis";
import { javaSkipReason, runEndToEndLatency, type JavaEndToEnd } from "./java";
import { sweepWorkload, type SweepParams, type SweepProducer } from "./params";
import { runStep, type StepContext, type StepResult } from "./steps";
import { ms } from "./texts";

export interface SweepResult {
  params: SweepParams;
  target: ConnectionSummary;
  environment: Record<string, string | number>;
  /** Our producers' client and librdkafka. */
  client: string;
  javaTool: string;
  startedAt: string;
  /** Producers actually swept (Java's tool is left out on a secured target). */
  producers: SweepProducer[];
  steps: StepResult[];
  sustainable: Sustainable[];
  javaE2e?: JavaEndToEnd;
  /** Why a Java tool did not run, when it did not. */
  javaSkipped?: string;
  javaE2eSkipped?: string;
  /** Steps that failed outright, with their error. */
  failedSteps: { producer: SweepProducer; rate: number; error: string }[];
  elapsed_s: number;
  partial: boolean;
  stopReason?: string;
}

export interface SweepOptions {
  connection: KafkaConnection;
  params: SweepParams;
  signal?: AbortSignal;
  /** Also stop on SIGINT while the sweep lasts. */
  interruptible?: boolean;
  /** One progress line per key (a producer, "sweep"); final = its last line. */
  onProgress?: (key: string, line: string, final: boolean) => void;
}

const tracker = new RunTracker<SweepResult>();

/** The last sweep's result once no sweep is running any more (after an interrupt: once it has stopped). */
export function sweepSettled(): Promise<SweepResult | undefined> {
  return tracker.settled();
}

export function runSweep(opts: SweepOptions): Promise<SweepResult> {
  return tracker.track(runSweepNow(opts));
}

async function runSweepNow(opts: SweepOptions): Promise<SweepResult> {
  const { connection, params } = opts;
  const t0 = performance.now();
  const javaSkipped = params.producers.includes("perf-tool") ? javaSkipReason(connection) : undefined;
  const producers = params.producers.filter((p) => p !== "perf-tool" || !javaSkipped);
  const show = opts.onProgress ?? (() => undefined);
  const versions = clientVersions();
  const result: SweepResult = {
    params,
    target: connection.summary(),
    environment: benchEnvironment(connection),
    client: `${versions.client} (librdkafka ${versions.librdkafka})`,
    javaTool: perfToolVersion(),
    startedAt: new Date().toISOString(),
    producers,
    steps: [],
    sustainable: [],
    javaSkipped,
    failedSteps: [],
    elapsed_s: 0,
    partial: false,
  };
  try {
    await withInterrupt(opts.interruptible ?? false, opts.signal, async (signal) => {
      const ctx: StepContext = { connection, params, workload: sweepWorkload(params), signal };
      const step = async (producer: SweepProducer, rate: number, probe: StepResult["probe"]) => {
        const s = await runStep(producer, rate, { ...ctx, onProgress: (line, final) => show(producer, line, final) }, probe).catch(
          (e: unknown) => {
            if (signal.aborted) throw e;
            result.failedSteps.push({ producer, rate, error: e instanceof Error ? e.message : String(e) });
            return undefined;
          },
        );
        if (s) {
          result.steps.push(s);
          show(producer, stepLine(s), true);
        }
        if (signal.aborted) throw new KppError("interrupted", "interrupted");
        return s;
      };
      const inARow = new Map<SweepProducer, number>(producers.map((p) => [p, 0]));
      for (const [i, rate] of params.rates.entries()) {
        show("sweep", `rate ${i + 1} of ${params.rates.length}: ${fmt(rate)} msgs/s`, false);
        for (const p of producers) {
          if ((inARow.get(p) ?? 0) >= params.saturatedSteps) continue;
          const s = await step(p, rate, "grid");
          inARow.set(p, s && isSaturated(s) ? (inARow.get(p) ?? 0) + 1 : 0);
        }
      }
      show("sweep", `searching for the highest rate with p99 ≤ ${params.p99BoundMs} ms…`, false);
      for (const p of producers) {
        const points = result.steps
          .filter((s) => s.producer === p)
          .map((s) => ({ rate: s.offered_per_s, ok: sustains(s, params.p99BoundMs) }));
        if (!points.length) continue;
        result.sustainable.push(
          await searchSustainable(
            p,
            params.p99BoundMs,
            points,
            async (rate) => {
              const s = await step(p, rate, "search");
              return s !== undefined && sustains(s, params.p99BoundMs);
            },
            params.searchProbes,
          ),
        );
      }
      await javaReference(result, connection, params, show);
      show("sweep", `done: ${result.steps.length} steps`, true);
    });
  } catch (e) {
    if (!result.steps.length) throw e;
    result.partial = true;
    result.stopReason = e instanceof Error ? e.message : String(e);
  }
  result.elapsed_s = (performance.now() - t0) / 1000;
  return result;
}

/** Java's EndToEndLatency, unless the parameters or the target rule it out. */
async function javaReference(
  result: SweepResult,
  connection: KafkaConnection,
  params: SweepParams,
  show: (key: string, line: string, final: boolean) => void,
): Promise<void> {
  if (params.javaE2eRecords === 0) result.javaE2eSkipped = "not asked for (0 records)";
  else if (params.acks === "0") result.javaE2eSkipped = "needs acks 1 or all (it waits for each acknowledgement)";
  else result.javaE2eSkipped = javaSkipReason(connection);
  if (result.javaE2eSkipped) return;
  show("java-e2e", `Java EndToEndLatency: ${fmt(params.javaE2eRecords)} records, one at a time…`, false);
  try {
    result.javaE2e = await runEndToEndLatency(connection, {
      records: params.javaE2eRecords,
      acks: params.acks,
      recordSize: params.recordSize,
      partitions: params.partitions,
    });
    const j = result.javaE2e;
    show("java-e2e", `Java EndToEndLatency: p50 ${j.p50_ms} ms, p99 ${j.p99_ms} ms at ${fmt(j.rate_per_s)} msgs/s`, true);
  } catch (e) {
    result.javaE2eSkipped = `failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** One finished step in a line (progress, the command's log). */
export function stepLine(s: StepResult): string {
  const from = fromIntendedMeasured(s) ? `from the intended time (${ms(s.from_send.p99_ms)} from the send)` : "from its send()";
  return (
    `${s.producer} @ ${fmt(s.offered_per_s)} msgs/s${s.probe === "search" ? " (search)" : ""}: ` +
    `achieved ${fmt(s.achieved_per_s)}, p99 ${ms(publishP99(s))} ${from}` +
    (s.e2e ? `, end-to-end p99 ${ms(s.e2e.p99_ms)}` : "") +
    (s.saturated ? ` — saturated: ${s.saturation}` : "")
  );
}

/** Every step as one flat row (the table and the CSV). */
export function stepRows(r: SweepResult): Record<string, string | number | boolean>[] {
  return [...r.steps]
    .sort((a, b) => r.producers.indexOf(a.producer) - r.producers.indexOf(b.producer) || a.offered_per_s - b.offered_per_s)
    .map((s) => ({
      producer: s.producer,
      probe: s.probe,
      offered_per_s: s.offered_per_s,
      achieved_per_s: s.achieved_per_s,
      saturated: s.saturated,
      sent: s.sent,
      missed: s.missed,
      behind_at_end_ms: s.behind_at_end_ms,
      p50_intended_ms: s.from_intended.p50_ms,
      p99_intended_ms: s.from_intended.p99_ms,
      p999_intended_ms: s.from_intended.p999_ms,
      max_intended_ms: s.from_intended.max_ms,
      p50_send_ms: s.from_send.p50_ms,
      p99_send_ms: s.from_send.p99_ms,
      p999_send_ms: s.from_send.p999_ms,
      max_send_ms: s.from_send.max_ms,
      send_lag_p99_ms: s.send_lag.p99_ms,
      e2e_p50_ms: s.e2e?.p50_ms ?? NaN,
      e2e_p99_ms: s.e2e?.p99_ms ?? NaN,
      e2e_max_ms: s.e2e?.max_ms ?? NaN,
      failed: s.failed,
    }));
}

/** <name>.json (everything) and <name>.csv (one row per step); returns their paths. */
export function writeSweepResults(r: SweepResult, name: string, dir: string = reportsDir()): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const csv = path.join(dir, `${name}.csv`);
  fs.writeFileSync(json, JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
  const rows = stepRows(r);
  if (!rows.length) return [json];
  rowsFrame(rows).writeCSV(csv);
  return [json, csv];
}
