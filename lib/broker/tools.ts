/**
 * Apache Kafka's own command-line tools (ProducerPerformance, ConsumerPerformance, …) run from the
 * jars in .broker/libs with the system Java, the way kafka-run-class.sh runs them: one place that
 * knows the class path and the logging set-up, for every study that sets a reference tool beside
 * our clients.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../config/paths";
import { runChild, type ChildResult } from "../core/child";
import { KppError } from "../core/errors";

const LIBS = path.join(paths.broker, "libs");

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
  return runChild("java", kafkaToolArgs(mainClass, args), {
    env: { ...process.env, LC_ALL: "C" },
    timeoutMs: opts.timeoutMs,
    onLine: opts.onLine,
    onSpawn: opts.onSpawn,
  }).catch((e: Error) => {
    throw new KppError("config", `cannot start java (${e.message}); install Java 17+ (see README).`);
  });
}
