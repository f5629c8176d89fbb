/** Our producers, the settings they run with, what they send, and the one measuring sequence every producer goes through. */
export { AGGREGATE_QUEUE_DEPTH, AggregateProducer, type AggregateOptions } from "./aggregate";
export { defaultPartitioner, DefaultPartitioner, partitionCount, SeqQueue, type Attribution } from "./send-order";
export { BaseProducer, type DeliveryCounts, type MeasuredClient, type OutgoingMessage, type Polling, type ProducerOptions } from "./base";
export {
  ASYNC_WINDOW,
  AsyncProducer,
  createProducer,
  defaultSyncWait,
  producerDesign,
  SYNC_WAITS,
  SyncProducer,
  type SyncWait,
  type MeasuredProducer,
} from "./producer";
export { COMMON_SETTINGS, MODE_SETTINGS, PRODUCER_NAMES, producerSettings, type ProducerMode } from "./settings";
export { chunkTimings, type ChunkTiming } from "./chunks";
export {
  dueCount,
  intendedTimes,
  pacedFigures,
  pacedRun,
  scheduledRecords,
  sendWindowMs,
  type PacedFigures,
  type PacedPlan,
  type PacedProgress,
  type PacedRun,
} from "./paced-run";
export { measureRun, runFigures, type Chunk, type MeasuredRun, type RunFigures, type RunPlan, type RunProgress } from "./measured-run";
export {
  CUSTOMERS,
  generatePurchases,
  jsonSerializer,
  Purchase,
  PURCHASE_AVRO_SCHEMA,
  PRODUCTS,
  SchemaError,
  serializerFor,
  UNIT_PRICES,
  type Product,
  type PurchaseInit,
  type PurchaseWire,
  type Serializer,
} from "./purchase";
