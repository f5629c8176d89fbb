/**
 * The library the notebooks import (`import * as kpp from "../dist/lib"`): configuration,
 * schema and serializers, producers, the benchmark harness, metrics, charts and display helpers.
 */
export * from "./config";
export * from "./schema";
export * from "./producers";
export * from "./topics";
export * from "./consumer";
export * from "./harness";
export * from "./metrics";
export * from "./charts";
export * from "./display";
export * from "./report";
export * from "./environment";
export { checkConnection, ConnectionError } from "./preflight";
export { brokerStatus, ensureBroker, kafkaVersion, startBroker, stopBroker, BrokerError, type BrokerStatus } from "./broker";
export { paths, PROJECT_ROOT } from "./paths";
