/**
 * The getting-started port (Problem 2, notebook 02): Confluent's Python producer and consumer in
 * TypeScript, their INI configuration, the in-class activity's purchases, and the demonstrations
 * the notebook runs. Notebooks import it as `../dist/lib/getting-started`; the two commands are
 * producer-cli.ts and consumer-cli.ts.
 */
export { createLogger, quietLogger, type LogEntry, type Logger, type LogFormat, type LogLevel } from "./logger";
export {
  findLine,
  IniConfigError,
  loadExampleConfig,
  parseExampleConfig,
  redactSettings,
  validationExamples,
  type ExampleConfig,
  type ExampleRole,
} from "./ini-config";
export { loadPurchases, parsePurchases, PurchasesDataError, quantityTable, type PurchasesData } from "./purchases-data";
export {
  EXAMPLE_TOPIC,
  ExampleProducer,
  runExampleProducer,
  type ExampleDelivery,
  type FlushResult,
  type PollResult,
  type ProducerRunOptions,
  type ProducerRunResult,
} from "./example-producer";
export { runExampleConsumer, type ConsumedPurchase, type ConsumerRunOptions, type ConsumerRunResult } from "./example-consumer";
export {
  DEMO_LINGER_MS,
  deliveryRows,
  demoFailedDeliveries,
  demoGracefulShutdown,
  demoPollAndFlush,
  firstOffsets,
  IDLE_POLL_MS,
  openExampleConfig,
  settingsRows,
  topicMessageCount,
  withGroup,
  type FailureDemo,
  type PollFlushRow,
  type ShutdownDemo,
} from "./demos";
export { pollFlushMarkdown, readBackMarkdown, shutdownLogExcerpt, shutdownMarkdown } from "./texts";
export { consumerArgs, type ConsumerArgs } from "./consumer-cli";
export { producerArgs, type ProducerArgs } from "./producer-cli";
