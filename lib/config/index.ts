/** Configuration: where the project's files are, the environment, and the connection to Kafka. */
export { PROJECT_ROOT, paths, projectRelative, reportsDir } from "./paths";
export { clean, readEnv, type Env } from "./env";
export {
  EMBEDDED_BOOTSTRAP,
  KafkaConnection,
  loadConnection,
  PLACEHOLDER,
  localConnection,
  REDACTED,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  type ConnectionSummary,
  type SaslMechanism,
  type SecurityProtocol,
} from "./connection";
