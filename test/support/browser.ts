/**
 * Test-only: opens HTML reports in headless Chromium through playwright-core, a dev dependency
 * that lib/ must never import (the library runs where only the production packages are).
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

/** Debian's chromium; playwright-core drives it, no browser download needed. */
export const CHROMIUM = "/usr/bin/chromium";
/** Without these, chromium run as root refuses or blocks connections. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ReportInspection {
  /** Plotly charts on the page (elements with class js-plotly-plot). */
  charts: number;
  /** Drawn traces per chart, in page order: SVG traces (scatter, bar, box, violin, pie, ...),
   *  heatmaps, and visible WebGL traces of a chart that has its WebGL canvas. */
  tracesPerChart: number[];
  /** Uncaught page errors, console errors, and charts that were not drawn in time. */
  pageErrors: string[];
  /** Requests that failed, and every request that would need the network: a report must
   *  open offline. */
  failedRequests: string[];
  /** The PNG written, when one was asked for. */
  screenshot?: string;
}

export interface InspectOptions {
  /** Write a full-page PNG screenshot here. */
  screenshot?: string;
  /** How long to wait for the page and its charts (default 30 s). */
  timeoutMs?: number;
}

/** Opens an HTML report in headless chromium, with the network switched off, waits for its
 *  Plotly charts to be drawn and reports what it found. Always closes the browser. */
export async function inspectReport(htmlPath: string, options: InspectOptions = {}): Promise<ReportInspection> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pageErrors: string[] = [];
  const failed = new Map<string, string>(); // url -> why
  const short = (url: string) => (url.length > 160 ? url.slice(0, 157) + "..." : url);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: timeoutMs });
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("console", (msg) => {
      if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) {
        pageErrors.push(`console.error: ${msg.text()}`);
      }
    });
    page.on("request", (req) => {
      if (!/^(file|data|blob|about):/.test(req.url())) failed.set(short(req.url()), "needs the network");
    });
    page.on("requestfailed", (req) => failed.set(short(req.url()), req.failure()?.errorText ?? "failed"));

    await page.goto(pathToFileURL(path.resolve(htmlPath)).href, { waitUntil: "load", timeout: timeoutMs });
    const tracesPerChart = await waitForCharts(page, timeoutMs, pageErrors);

    let screenshot: string | undefined;
    if (options.screenshot) {
      screenshot = path.resolve(options.screenshot);
      await page.screenshot({ path: screenshot, fullPage: true, timeout: timeoutMs });
    }
    return {
      charts: tracesPerChart.length,
      tracesPerChart,
      pageErrors,
      failedRequests: [...failed].map(([url, why]) => `${url} (${why})`),
      screenshot,
    };
  } finally {
    await browser.close();
  }
}

interface ChartState {
  drawn: number;
  visible: number;
  ready: boolean;
}

/** Polls until every chart has drawn all its visible traces, or nothing changed for 2 s
 *  (trace types we do not count), or the time is up. Returns the drawn traces per chart. */
async function waitForCharts(page: import("playwright-core").Page, timeoutMs: number, pageErrors: string[]): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  let unchangedSince = Date.now();
  for (;;) {
    const states = await page.evaluate(chartStates);
    const done = states.every((s) => s.ready && s.drawn >= s.visible);
    const snapshot = JSON.stringify(states);
    if (snapshot !== last) {
      last = snapshot;
      unchangedSince = Date.now();
    }
    const settled = states.every((s) => s.ready) && Date.now() - unchangedSince >= 2000;
    if (done || settled || Date.now() > deadline) {
      states.forEach((s, i) => {
        if (!s.ready || s.drawn === 0) pageErrors.push(`chart ${i + 1} was not drawn within ${timeoutMs / 1000} s`);
      });
      return states.map((s) => s.drawn);
    }
    await page.waitForTimeout(250);
  }
}

/** Runs in the page. */
function chartStates(): ChartState[] {
  type Trace = { type: string; visible: boolean | string };
  type Chart = HTMLElement & { _fullLayout?: unknown; _fullData?: Trace[] };
  const charts = Array.from(document.querySelectorAll<Chart>(".js-plotly-plot"));
  return charts.map((gd) => {
    const visible = (gd._fullData ?? []).filter((t) => t.visible === true);
    const gl = gd.querySelector("canvas") ? visible.filter((t) => t.type.endsWith("gl")).length : 0;
    const drawn = gd.querySelectorAll(".trace").length + gd.querySelectorAll(".heatmaplayer .hm").length + gl;
    return { drawn, visible: visible.length, ready: gd._fullLayout !== undefined };
  });
}
