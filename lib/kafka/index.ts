/** The plumbing over @confluentinc/kafka-javascript: bounded calls, error codes, topics, the connection check. */
export {
  clientLabel,
  clientVersions,
  connectWithin,
  consumeBatch,
  describeKafkaError,
  disconnectWithin,
  ERR,
  flushWithin,
  Kafka,
  OFFSET,
  type Settings,
} from "./client";
export { deleteGroups, deleteTopic, ensureTopic, listGroupIds, freshTopicName, watermarks, withFreshTopic, type TopicSpec } from "./admin";
export {
  checkConnection,
  classifyLog,
  ConnectionError,
  scrubSecrets,
  type CheckOptions,
  type ConnectionCheck,
  type ConnectionProblem,
} from "./preflight";
