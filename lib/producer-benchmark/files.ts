/**
 * What a run leaves behind: CSV files of the data behind every chart and a JSON summary (for
 * `npm start`'s one-screen summary and for graders). Every number here is computed from the run
 * passed in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import pl from "nodejs-polars";
import { reportsDir } from "../config/paths";
import { appendHistory, historyFile } from "../core/history";
import { latencyCdf } from "../core/latency";
import { round } from "../core/format";
import { maxOf, mean, minOf } from "../core/stats";
import { serializerFor, type Purchase } from "../producers/purchase";
import { producerDesign } from "../producers/producer";
import { producerSettings } from "../producers/settings";
import type { BenchmarkResult } from "./harness";
import { benchmarkHistoryEntry } from "./history";
import {
  compare,
  requestRate,
  responseBinMs,
  responseRate,
  summaries,
  summarizeRun,
  type Comparison,
  type ProducerSummary,
  type RunSummary,
} from "./metrics";

export interface ReportSummary {
  startedAt: string;
  partial: boolean;
  stopReason?: string;
  target: BenchmarkResult["target"];
  client: string;
  librdkafka: string;
  serializer: string;
  payloadBytesPerMessage: number;
  numMessages: number;
  batchSize: number;
  batches: number;
  trials: number;
  warmupBatches: number;
  topic: string;
  producers: ProducerSummary[];
  runs: RunSummary[];
  comparison: Comparison | null;
}

export function reportSummary(result: BenchmarkResult): ReportSummary {
  return {
    startedAt: result.startedAt,
    partial: result.partial,
    stopReason: result.stopReason,
    target: result.target,
    client: result.client,
    librdkafka: result.librdkafka,
    serializer: result.serializer,
    payloadBytesPerMessage: result.payloadBytes.mean,
    numMessages: result.params.numMessages,
    batchSize: result.params.batchSize,
    batches: Math.ceil(result.params.numMessages / result.params.batchSize),
    trials: result.params.trials,
    warmupBatches: result.params.warmupBatches,
    topic: result.params.topic,
    producers: summaries(result),
    runs: result.runs.map((r) => summarizeRun(r)),
    comparison: compare(result),
  };
}

/** The librdkafka settings each producer used, side by side (run settings override defaults). */
export function settingsFrame(result?: BenchmarkResult): pl.DataFrame {
  const used = (mode: "sync" | "async") => result?.runs.find((r) => r.mode === mode)?.settings ?? producerSettings(mode);
  const sync = used("sync");
  const async_ = used("async");
  const keys = [...new Set([...Object.keys(sync), ...Object.keys(async_)])];
  // Two rows that are ours, not librdkafka's: how each producer waits and matches its reports.
  const design = (mode: "sync" | "async") => producerDesign(mode, result?.runs.find((r) => r.mode === mode)?.extra);
  const [d, a] = [design("sync"), design("async")];
  return pl.DataFrame({
    setting: [...keys, "(ours) waits", "(ours) reports matched by"],
    synchronous: [...keys.map((k) => (k in sync ? String(sync[k]) : "(librdkafka default)")), d.waiting, d.matching],
    asynchronous: [...keys.map((k) => (k in async_ ? String(async_[k]) : "(librdkafka default)")), a.waiting, a.matching],
  });
}

/** Payload bytes per message in each wire format, for the same purchases. */
export function payloadSizeFrame(purchases: Purchase[]): pl.DataFrame {
  const rows = (["json", "avro"] as const).map((name) => {
    const sizes = purchases.map((p) => serializerFor(name).serialize(p).length);
    return {
      serializer: name,
      mean_bytes: round(mean(sizes), 1),
      min_bytes: minOf(sizes),
      max_bytes: maxOf(sizes),
    };
  });
  return pl.DataFrame(rows);
}

export interface WrittenResults {
  batches: string;
  summary: string;
  rates: string;
  latency: string;
  json: string;
}

/**
 * Writes <name>.batches.csv, .summary.csv, .rates.csv (response and request rates over time),
 * .latency.csv (percentiles) and .summary.json to dir (default reports/).
 */
export function writeResults(result: BenchmarkResult, name: string, dir: string = reportsDir()): WrittenResults {
  fs.mkdirSync(dir, { recursive: true });
  const file = (suffix: string) => path.join(dir, `${name}.${suffix}`);
  const out: WrittenResults = {
    batches: file("batches.csv"),
    summary: file("summary.csv"),
    rates: file("rates.csv"),
    latency: file("latency.csv"),
    json: file("summary.json"),
  };
  result.batches.writeCSV(out.batches);
  const flat = summaries(result).map(({ latency, ...rest }) => ({
    ...rest,
    ...Object.fromEntries(Object.entries(latency).map(([k, v]) => [`latency_${k}`, v])),
  }));
  if (flat.length) pl.DataFrame(flat).writeCSV(out.summary);
  const rates = result.runs.flatMap((run) => {
    const resp = responseRate(run, responseBinMs(run)).map((p) => ({
      trial: run.trial,
      producer: run.mode,
      metric: "response_rate_acks_per_s",
      t_s: p.t_s,
      value: p.acks_per_s,
    }));
    const req = requestRate(run).flatMap((p) => [
      { trial: run.trial, producer: run.mode, metric: "produce_requests_per_s", t_s: p.t_s, value: p.produce_per_s },
      { trial: run.trial, producer: run.mode, metric: "requests_sent_per_s", t_s: p.t_s, value: p.requests_per_s },
      { trial: run.trial, producer: run.mode, metric: "responses_received_per_s", t_s: p.t_s, value: p.responses_per_s },
    ]);
    return [...resp, ...req];
  });
  if (rates.length) pl.DataFrame(rates).writeCSV(out.rates);
  const latency = [...new Set(result.runs.map((r) => r.mode))].flatMap((mode) =>
    latencyCdf(result.runs.filter((r) => r.mode === mode).map((r) => r.latencyMs)).map((p) => ({ producer: mode, ...p })),
  );
  if (latency.length) pl.DataFrame(latency).writeCSV(out.latency);
  fs.writeFileSync(out.json, JSON.stringify(reportSummary(result), null, 2) + "\n");
  appendHistory(historyFile(dir), benchmarkHistoryEntry(result));
  return out;
}
