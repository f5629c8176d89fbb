/** Reading topics back. */
export { freshConsumer, readTopic, type ConsumedMessage, type ReadOptions } from "./read-topic";
export { ConcurrentConsumer, type ConcurrentConsumerOptions, type ReceivedMessage } from "./concurrent";
