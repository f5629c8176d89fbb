/** Our two producers, the settings they run with, what they send, and the one measuring sequence every producer goes through. */
export {
  AsyncProducer,
  createProducer,
  SyncProducer,
  type DeliveryCounts,
  type MeasuredClient,
  type MeasuredProducer,
  type OutgoingMessage,
} from "./producer";
export { COMMON_SETTINGS, MODE_SETTINGS, PRODUCER_NAMES, producerSettings, type ProducerMode } from "./settings";
export { chunkTimings, type ChunkTiming } from "./chunks";
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
