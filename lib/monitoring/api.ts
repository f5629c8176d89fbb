/**
 * Prometheus' HTTP API, the parts this project reads: readiness, the targets and their health,
 * instant queries and range queries. Every request is bounded (AbortSignal.timeout); an error
 * answer from Prometheus (a bad query) is a KppError quoting Prometheus' own message.
 */
import { KppError } from "../core/errors";

export interface TargetHealth {
  job: string;
  instance: string;
  health: "up" | "down" | "unknown";
  lastError: string;
  labels: Record<string, string>;
}

/** One series of a query_range answer: its labels and its [seconds since the epoch, value] points. */
export interface RangeSeries {
  metric: Record<string, string>;
  points: [number, number][];
}

/** One series of an instant query. */
export interface InstantSample {
  metric: Record<string, string>;
  value: number;
  at: number;
}

async function getJson<T>(url: string, timeoutMs: number): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new KppError(
      "connection",
      `Prometheus at ${new URL(url).origin} did not answer within ${timeoutMs} ms (${(e as Error).message})`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: T };
  if (!res.ok || body.status !== "success") {
    throw new KppError("config", `Prometheus refused ${new URL(url).pathname}: ${body.error ?? `HTTP ${res.status}`}`);
  }
  return body.data as T;
}

/** Whether Prometheus at baseUrl says it is ready to serve queries. Never throws. */
export async function prometheusReady(baseUrl: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/-/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The active targets and their health. */
export async function targets(baseUrl: string, timeoutMs = 3_000): Promise<TargetHealth[]> {
  const data = await getJson<{ activeTargets: { labels: Record<string, string>; health: TargetHealth["health"]; lastError: string }[] }>(
    `${baseUrl}/api/v1/targets?state=active`,
    timeoutMs,
  );
  return data.activeTargets.map((t) => ({
    job: t.labels.job,
    instance: t.labels.instance,
    health: t.health,
    lastError: t.lastError,
    labels: t.labels,
  }));
}

/** An instant query at `at` (seconds since the epoch; default now). */
export async function query(baseUrl: string, expr: string, at?: number, timeoutMs = 5_000): Promise<InstantSample[]> {
  const params = new URLSearchParams({ query: expr, ...(at === undefined ? {} : { time: String(at) }) });
  const data = await getJson<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
    `${baseUrl}/api/v1/query?${params}`,
    timeoutMs,
  );
  return data.result.map((r) => ({ metric: r.metric, at: r.value[0], value: Number(r.value[1]) }));
}

/** A range query from start to end (seconds since the epoch), one point every stepS seconds. */
export async function queryRange(
  baseUrl: string,
  expr: string,
  start: number,
  end: number,
  stepS = 1,
  timeoutMs = 10_000,
): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(stepS) });
  const data = await getJson<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
    `${baseUrl}/api/v1/query_range?${params}`,
    timeoutMs,
  );
  return data.result.map((r) => ({ metric: r.metric, points: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
}
