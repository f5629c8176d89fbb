/**
 * Our synchronous producer: each record waits for its acknowledgement. Its figures also split the
 * median per-message time into librdkafka's own stages (from its statistics) and the rest.
 */
import { clientLabel } from "../../kafka/client";
import { SyncProducer } from "../../producers/producer";
import type { Driver } from "../framework";
import { oursSettings } from "../workload";

export const oursSync: Driver = {
  id: "ours-sync",
  client: () => `${clientLabel()}, callback API`,
  create: async (ctx) => new SyncProducer(ctx.connection, ctx.topic, oursSettings(ctx.workload, "sync", ctx.librdkafka)),
  // A one-at-a-time producer: at most 1,000 records are enough to open the path.
  warmupRecords: (w) => Math.min(w.warmupRecords, 1_000),
  timing: () =>
    "first measured produce() to the last delivery report; each record waits for its report before the next is sent; warm-up (up to 1,000 records) excluded",
  extra: (run, figures) => {
    const rtt = run.statistics?.rtt() ?? { p50_ms: NaN, avg_ms: NaN, requests: 0 };
    const median = figures.latency.p50_ms;
    return {
      rtt_p50_ms: rtt.p50_ms,
      rtt_avg_ms: rtt.avg_ms,
      rtt_requests: rtt.requests,
      median_per_message_ms: median,
      median_over_rtt: median / rtt.p50_ms,
      ...(run.statistics?.queueMedians() ?? {}),
    };
  },
};
