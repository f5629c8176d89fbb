/** The producer comparison and tuning study (issue 6): `import * as bench from "../dist/lib/bench"`. */
export * from "./workload";
export * from "./latency";
export * from "./run";
export * from "./perf-tool";
export * from "./runners";
export * from "./harness-cost";
export * from "./results";
export * from "./compare";
export * from "./parallel";
export * from "./tuning";
export * from "./charts";
export * from "./texts";
export * from "./show";
export * from "./clients";
export * from "./report-template";
