/** Our asynchronous producer (lib/producers/): produce() without waiting, backpressure on a full queue, flush at the end. */
import { clientLabel } from "../../kafka/client";
import { AsyncProducer } from "../../producers/producer";
import type { Driver } from "../framework";
import { oursSettings } from "../workload";

export const oursAsync: Driver = {
  id: "ours-async",
  client: () => `${clientLabel()}, callback API`,
  create: async (ctx) => new AsyncProducer(ctx.connection, ctx.topic, oursSettings(ctx.workload, "async", ctx.librdkafka)),
  timing: () =>
    "first measured produce() to the last delivery report in JavaScript; latency = first produce() attempt (queue-full waits included) to its " +
    "delivery report; connect and warm-up excluded",
};
