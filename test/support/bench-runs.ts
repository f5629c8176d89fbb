/** Hand-made bench runs whose every figure is known: 1,000 records of 100 bytes at a given rate. */
import type { BenchRun } from "../../lib/bench";
import { latencySummary } from "../../lib/core/latency";
import { throughput } from "../../lib/core/units";

export function fakeRun(producer: BenchRun["producer"], msgsPerSec: number, over: Partial<BenchRun> = {}): BenchRun {
  return {
    producer,
    label: producer,
    client: "x",
    topic: "t",
    records: 1000,
    recordSize: 100,
    figures: {
      sent: 1000,
      delivered: 1000,
      failed: 0,
      wall_s: 1000 / msgsPerSec,
      ...throughput(1000, 1000 * 100, 1e6 / msgsPerSec),
      msgs_per_s: msgsPerSec,
      latency: latencySummary([[1, 1, 1, 2, 3]]),
    },
    errorSamples: [],
    timing: "",
    settings: {},
    extra: {},
    placement: "unpinned",
    cpu: { window_s: 1, records: 1000, client_s: 2, main_s: 1.5, librdkafka_s: 0.25, broker_s: 0.5, window: "" },
    ...over,
  };
}

/** One run per rate, of one producer in one placement. */
export function runsOf(producer: BenchRun["producer"], rates: number[], placement: BenchRun["placement"] = "unpinned"): BenchRun[] {
  return rates.map((r) => fakeRun(producer, r, { placement }));
}
