/**
 * Notebook 01's line in the run history (reports/history.jsonl, lib/core/history.ts): each
 * producer's messages/s and median per-message latency per trial, its summary, settings,
 * versions, host and load, so later runs can be set beside it.
 */
import { hostInfo, loadAverage, type HistoryEntry, type HistorySeries } from "../core/history";
import { PRODUCER_NAMES } from "../producers/settings";
import type { BenchmarkResult } from "./harness";
import { summaries } from "./metrics";

export function benchmarkHistoryEntry(result: BenchmarkResult): HistoryEntry {
  const p = result.params;
  const modes = [...new Set(result.runs.map((r) => r.mode))];
  const series: HistorySeries[] = modes.flatMap((mode) => {
    const runs = result.runs.filter((r) => r.mode === mode);
    return [
      {
        key: `${mode} · msgs/s`,
        label: `${PRODUCER_NAMES[mode]} producer, messages/s`,
        unit: "msgs/s",
        better: "higher",
        values: runs.map((r) => r.figures.msgs_per_s),
      },
      {
        key: `${mode} · p50 ms`,
        label: `${PRODUCER_NAMES[mode]} producer, median latency`,
        unit: "ms",
        better: "lower",
        values: runs.map((r) => r.figures.latency.p50_ms),
      },
    ];
  });
  const load = loadAverage();
  return {
    kind: "notebook-01",
    source: "notebook 01",
    at: result.startedAt,
    workload:
      `${p.numMessages} messages in batches of ${p.batchSize}, ${p.serializer}, ${p.warmupBatches} warm-up batches, ` +
      `${result.target.target} (${result.target.security_protocol})`,
    partial: result.partial || undefined,
    series,
    figures: summaries(result),
    settings: Object.fromEntries(modes.map((m) => [m, result.runs.find((r) => r.mode === m)?.settings ?? {}])),
    versions: { node: process.version, client: result.client, librdkafka: result.librdkafka },
    host: hostInfo(),
    // Written when the results are: the load at the end; the start's is not kept by the benchmark.
    load: { start: [], end: load },
  };
}
