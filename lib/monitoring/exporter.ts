/**
 * This process's Prometheus exporter: an HTTP server on 127.0.0.1 (a free port) serving the
 * ClientMetrics registry at /metrics, fed by every librdkafka statistics emission of every
 * producer in the process (lib/core/statistics.ts's onEmission), and announced to Prometheus by a
 * file in .monitoring/targets/ (file service discovery), removed when the process ends.
 *
 * One per process, started on demand: our producers start it when MONITORING is on
 * (`exporterFromEnv()`), so notebooks, `npm run bench` and the bench's worker processes all
 * publish. The server is unref'd: it never keeps a process alive. `close()` waits (bounded) for
 * one scrape after the last update, so a run's final counts reach Prometheus before the process
 * exits.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { onEmission } from "../core/statistics";
import { Notifier, now, sleep, withTimeout } from "../core/time";
import { KppError } from "../core/errors";
import { monitoringLayout, monitoringRequested, MONITORING_HOST, RATE_WINDOW_S, SCRAPE_INTERVAL_S } from "./layout";
import type { ClientMetrics } from "./metrics";

export interface Exporter {
  readonly metrics: ClientMetrics;
  /** e.g. http://127.0.0.1:41234/metrics */
  readonly url: string;
  /** Resolves true once a scrape has started after time t (performance.now()), false after maxMs. */
  scrapedAfter(t: number, maxMs: number): Promise<boolean>;
  /** Stops listening to emissions and serving, removes the target file; first waits up to finalScrapeMs for a last scrape. */
  close(finalScrapeMs?: number): Promise<void>;
}

let current: Promise<Exporter> | undefined;

/** What a program is called in the target's labels: its script's name ("bench", "parallel-worker", …). */
function programName(): string {
  return path.basename(process.argv[1] ?? "node").replace(/\.(js|ts)$/, "") || "node";
}

async function start(targetsDir: string): Promise<Exporter> {
  // Loaded here, so that a process without monitoring never loads prom-client.
  const metrics = new (await import("./metrics")).ClientMetrics();
  let lastUpdate = -Infinity;
  let lastScrapeStart = -Infinity;
  const scraped = new Notifier();
  const stopListening = onEmission((stats, deliveries) => {
    metrics.apply(stats, deliveries);
    lastUpdate = now();
  });
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404).end("only GET /metrics here\n");
      return;
    }
    lastScrapeStart = now();
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text);
        scraped.notify();
      },
      (e: Error) => res.writeHead(500).end(`${e.message}\n`),
    );
  });
  server.unref();
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, MONITORING_HOST, () => resolve());
      }),
      5_000,
      () => new KppError("connection", `the metrics exporter could not listen on ${MONITORING_HOST} within 5 s`),
    );
  } catch (e) {
    stopListening();
    server.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${MONITORING_HOST}:${port}/metrics`;
  fs.mkdirSync(targetsDir, { recursive: true });
  const targetFile = path.join(targetsDir, `producer-${process.pid}-${port}.json`);
  const target = [{ targets: [`${MONITORING_HOST}:${port}`], labels: { program: programName(), pid: String(process.pid) } }];
  // Written whole, then renamed: Prometheus never reads half a file.
  fs.writeFileSync(`${targetFile}.tmp`, JSON.stringify(target) + "\n");
  fs.renameSync(`${targetFile}.tmp`, targetFile);
  const removeTarget = () => fs.rmSync(targetFile, { force: true });
  process.once("exit", removeTarget);

  const scrapedAfter = async (t: number, maxMs: number): Promise<boolean> => {
    const deadline = now() + maxMs;
    while (!(lastScrapeStart > t)) {
      if (now() >= deadline) return false;
      await scraped.next(deadline - now());
    }
    return true;
  };
  return {
    metrics,
    url,
    scrapedAfter,
    async close(finalScrapeMs = 0) {
      stopListening();
      if (finalScrapeMs > 0) await scrapedAfter(lastUpdate, finalScrapeMs);
      removeTarget();
      process.off("exit", removeTarget);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** This process's exporter, started on the first call (later calls get the same one). */
export function startExporter(targetsDir: string = monitoringLayout().targets): Promise<Exporter> {
  current ??= start(targetsDir).catch((e: unknown) => {
    current = undefined;
    throw e;
  });
  return current;
}

/** The exporter if one was started in this process. */
export function runningExporter(): Promise<Exporter> | undefined {
  return current;
}

/**
 * With an exporter in this process: waits (up to maxMs) until Prometheus has scraped it after
 * this moment. A run calls it after its warm-up, untimed, so that Prometheus holds the counters'
 * values from before the measured records and rate() sees all of them as an increase (a series'
 * first sample is never one). Resolves at once without an exporter.
 */
export async function awaitScrape(maxMs = 3_000): Promise<void> {
  const t = now();
  if (current) await (await current).scrapedAfter(t, maxMs);
}

/**
 * After the last run, before its rates are read: waits (up to maxScrapeMs) until Prometheus has
 * taken this process's final counts, then one rate() window and one scrape interval more, so that
 * every recorded rate's window has closed over the runs' end and the rules have been evaluated
 * once more. The wait for the window happens with or without an exporter (the broker's counters
 * are rated too).
 */
export async function settleRates(maxScrapeMs = 3_000): Promise<void> {
  await awaitScrape(maxScrapeMs);
  await sleep((RATE_WINDOW_S + SCRAPE_INTERVAL_S) * 1000);
}

/**
 * Ends this process's exporter, if any, after waiting up to finalScrapeMs for Prometheus to take
 * the final counts (bench and worker processes call it before exiting).
 */
export async function stopExporter(finalScrapeMs = 3_000): Promise<void> {
  const e = current;
  current = undefined;
  if (e) await (await e).close(finalScrapeMs);
}

/**
 * With an exporter in this process: waits one and a half scrape intervals, so that Prometheus
 * scrapes once more whatever is about to disappear (the broker drops a topic's metrics with the
 * topic, so a bench run deletes its topic only after this). At once without an exporter.
 */
export async function lingerForScrape(): Promise<void> {
  if (current) await sleep(SCRAPE_INTERVAL_S * 1500);
}

let fromEnv: boolean | undefined;

/**
 * Starts the exporter when MONITORING is on (environment or .env); our producers call it when
 * made. Decided once per process; a failure to start is printed once, not thrown at a producer.
 */
export function exporterFromEnv(): void {
  fromEnv ??= monitoringRequested();
  if (!fromEnv || current) return;
  startExporter().catch((e: unknown) => console.error(`Monitoring: the metrics exporter did not start: ${(e as Error).message}`));
}
