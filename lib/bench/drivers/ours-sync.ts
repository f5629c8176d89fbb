/**
 * Our synchronous producer: each record waits for its acknowledgement. Its figures also carry
 * librdkafka's own stages (from its statistics), which the synchronous target sets against the
 * median send→acknowledgement latency.
 */
import { fmt } from "../../core/format";
import { clientLabel } from "../../kafka/client";
import { SyncProducer } from "../../producers/producer";
import type { Driver } from "../framework";
import { oursSettings, SYNC_WARMUP_MAX } from "../workload";

export const oursSync: Driver = {
  id: "ours-sync",
  client: () => `${clientLabel()}, callback API`,
  create: async (ctx) => new SyncProducer(ctx.connection, ctx.topic, oursSettings(ctx.workload, "sync", ctx.librdkafka)),
  warmupRecords: (w) => Math.min(w.warmupRecords, SYNC_WARMUP_MAX),
  timing: () =>
    "first measured produce() to the last delivery report; each record waits for its report before the next is sent; " +
    `warm-up (up to ${fmt(SYNC_WARMUP_MAX)} records) excluded`,
  extra: (run) => {
    const rtt = run.statistics?.rtt() ?? { p50_ms: NaN, avg_ms: NaN, requests: 0 };
    return {
      rtt_p50_ms: rtt.p50_ms,
      rtt_avg_ms: rtt.avg_ms,
      rtt_requests: rtt.requests,
      ...(run.statistics?.queueMedians() ?? {}),
    };
  },
};
