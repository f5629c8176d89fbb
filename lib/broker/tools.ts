/**
 * Apache Kafka's own command-line tools (ProducerPerformance, ConsumerPerformance, …) run from the
 * jars in .broker/libs with the system Java, the way kafka-run-class.sh runs them: one place that
 * knows the class path and the logging set-up, for every study that sets a reference tool beside
 * our clients.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KafkaConnection } from "../config/connection";
import { paths } from "../config/paths";
import { runChild, type ChildResult } from "../core/child";
import { KppError } from "../core/errors";

const LIBS = path.join(paths.broker, "libs");

/** The java to run, for the broker and the tools alike: JAVA_HOME's when it has one, else the one on PATH. */
export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  if (home) {
    const bin = path.join(home, "bin", "java");
    if (fs.existsSync(bin)) return bin;
  }
  return "java";
}

/**
 * Why Apache Kafka's Java tools are not run against this target (undefined: they are). Only
 * PLAINTEXT targets: a SASL password on a command line would be visible to every local user.
 */
export function javaToolsRefusal(connection: KafkaConnection): string | undefined {
  return connection.securityProtocol === "PLAINTEXT"
    ? undefined
    : `the Java tools are run only against PLAINTEXT brokers (this target is ${connection.securityProtocol}: they would need its ` +
        `password on a command line); use the embedded broker for the reference comparison`;
}

/** The JVM arguments that run a Kafka tool's main class with `args`. */
export function kafkaToolArgs(mainClass: string, args: string[], heap = "-Xmx512m"): string[] {
  return [
    heap,
    `-Dlog4j2.configurationFile=${path.join(paths.broker, "config", "tools-log4j2.xml")}`,
    "-cp",
    path.join(LIBS, "*"),
    mainClass,
    ...args,
  ];
}

/** "kafka-tools 4.3.1": the version of the tools jar, for result tables. */
export function kafkaToolsVersion(): string {
  const jar = fs.existsSync(LIBS) ? fs.readdirSync(LIBS).find((f) => /^kafka-tools-\d.*\.jar$/.test(f)) : undefined;
  return jar ? `kafka-tools ${jar.replace(/^kafka-tools-|\.jar$/g, "")}` : "kafka-tools (not set up)";
}

/**
 * Runs a tool to its end (killed after timeoutMs), with LC_ALL=C so its numbers parse. A missing
 * set-up or Java is a KppError of kind "config" saying what to install.
 */
export async function runKafkaTool(
  mainClass: string,
  args: string[],
  opts: { timeoutMs: number; onLine?: (line: string) => void; onSpawn?: (pid: number) => void },
): Promise<ChildResult> {
  if (!fs.existsSync(LIBS)) throw new KppError("config", "Kafka's jars are missing from .broker/libs: run `npm run setup` first.");
  return runChild(javaBinary(), kafkaToolArgs(mainClass, args), {
    env: { ...process.env, LC_ALL: "C" },
    timeoutMs: opts.timeoutMs,
    onLine: opts.onLine,
    onSpawn: opts.onSpawn,
  }).catch((e: Error) => {
    throw new KppError("config", `cannot start java (${e.message}); install Java 17+ (see README).`);
  });
}

/**
 * Why a tool run gave no result, as an error to throw: killed at its timeout, or ended with an exit
 * code (or a signal) and no result, each with the last lines of its output.
 */
export function toolFailure(what: string, result: ChildResult): KppError {
  const how = result.timedOut
    ? `did not finish within ${Math.round(result.ms / 1000)} s (killed)`
    : result.code === null
      ? `was ended by ${result.signal ?? "a signal"} without a result`
      : `exited with code ${result.code} without a result`;
  const tail = (result.stderr + result.stdout).trim().split("\n").slice(-8).join("\n");
  return new KppError("delivery", tail ? `${what} ${how}:\n${tail}` : `${what} ${how}.`);
}
