/**
 * Our asynchronous producer in its aggregate-acknowledgement mode (lib/producers/aggregate.ts):
 * librdkafka reports failures only, so no delivery report per message crosses into JavaScript.
 * A different measurement from the per-record producers: no per-record latency (librdkafka's
 * statistics give its stages instead), delivered = sent − failed after flush(), checked against
 * the fresh topic's high watermarks. The table never ranks it in the per-record column.
 */
import { clientLabel } from "../../kafka/client";
import { AggregateProducer } from "../../producers/aggregate";
import type { Driver } from "../framework";
import { oursSettings } from "../workload";

export const oursAsyncAggregate: Driver = {
  id: "ours-async-aggregate",
  client: () => `${clientLabel()}, callback API, delivery.report.only.error=true`,
  create: async (ctx) => new AggregateProducer(ctx.connection, ctx.topic, oursSettings(ctx.workload, "async", ctx.librdkafka)),
  perRecord: false,
  timing: () =>
    "first measured produce() to the end of the final flush() (every message acknowledged or failed by then); no per-record latency: " +
    "librdkafka reports failures only; delivered = sent − failed, checked against the topic's high watermarks; connect and warm-up excluded",
  extra: (run) => {
    const rtt = run.statistics?.rtt() ?? { p50_ms: NaN, avg_ms: NaN, requests: 0 };
    return { rtt_p50_ms: rtt.p50_ms, ...(run.statistics?.queueMedians() ?? {}) };
  },
};
