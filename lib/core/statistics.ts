/**
 * librdkafka's statistics (STATISTICS.md), the one reader of them: the JSON the client emits every
 * statistics.interval.ms becomes samples of its counters (relative to a baseline taken when
 * timing starts) and the per-broker windows of round-trip, internal-queue and output-buffer time.
 *
 * Pure: the Kafka plumbing hands each JSON string to `add()`. Every parsed emission is also handed
 * to the listeners registered with `onEmission()` (the monitoring exporter, lib/monitoring/), with
 * the owning client's delivery totals; without listeners that costs one check per emission.
 */
import { Notifier } from "./time";

/** librdkafka's windowed statistics (µs), reset at every emission. */
export interface StatsWindow {
  min: number;
  max: number;
  avg: number;
  p50: number;
  p99: number;
  cnt: number;
}

export interface BrokerStats {
  /** -1 for the bootstrap connection; real brokers carry the produce traffic. */
  nodeid: number;
  tx: number;
  rx: number;
  /** Requests sent again (a retried produce request can reorder a partition's acknowledgements). */
  txretries?: number;
  req?: Record<string, number>;
  rtt?: StatsWindow;
  int_latency?: StatsWindow;
  outbuf_latency?: StatsWindow;
}

/** The part of librdkafka's statistics JSON this project reads. */
export interface LibrdkafkaStats {
  /** Microseconds on librdkafka's monotonic clock. */
  ts: number;
  /** Requests sent to / responses received from all brokers. */
  tx: number;
  rx: number;
  /** Messages written into produce requests (not acknowledged ones). */
  txmsgs: number;
  /** Messages waiting in the client's queue. */
  msg_cnt: number;
  brokers: Record<string, BrokerStats>;
}

/** A sample of the counters, cumulative since timing started. */
export interface StatsSample {
  /** ms after timing started (when the sample reached JavaScript). */
  t_ms: number;
  requests_sent: number;
  responses_received: number;
  /** Produce requests only. */
  produce_requests: number;
  queued_messages: number;
  /** Request-weighted mean broker round-trip time over the last interval, µs (0 when nothing was sent). */
  rtt_avg_us: number;
}

/** One broker's windows in one emission (µs medians and means, with their request counts). */
export interface BrokerWindow {
  rtt?: StatsWindow;
  int_latency?: StatsWindow;
  outbuf_latency?: StatsWindow;
}

/** What a client's delivery reports said so far, over all the DeliveryRecorders it used (warm-up included). */
export interface DeliveryTotals {
  topic: string;
  delivered: number;
  failed: number;
}

/** Told of every emission any StatisticsRecorder parses, with its client's delivery totals if it has any. */
export type EmissionListener = (stats: LibrdkafkaStats, deliveries: DeliveryTotals | undefined) => void;

const listeners = new Set<EmissionListener>();

/** Registers a listener for every emission from now on; returns its removal. */
export function onEmission(listener: EmissionListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const EMPTY: LibrdkafkaStats = { ts: 0, tx: 0, rx: 0, txmsgs: 0, msg_cnt: 0, brokers: {} };

function realBrokers(s: LibrdkafkaStats): BrokerStats[] {
  return Object.values(s.brokers ?? {}).filter((b) => b.nodeid >= 0);
}

const produceRequests = (s: LibrdkafkaStats) => realBrokers(s).reduce((sum, b) => sum + (b.req?.Produce ?? 0), 0);

/** Request-weighted mean of one figure of some windows, converted to ms. */
function weighted(ws: (StatsWindow | undefined)[], pick: (w: StatsWindow) => number): { ms: number; count: number } {
  const live = ws.filter((w): w is StatsWindow => !!w && w.cnt > 0);
  const count = live.reduce((s, w) => s + w.cnt, 0);
  return { ms: count ? live.reduce((s, w) => s + pick(w) * w.cnt, 0) / count / 1000 : NaN, count };
}

export class StatisticsRecorder {
  readonly samples: StatsSample[] = [];
  /** Every broker's windows of every emission since start(). */
  readonly windows: BrokerWindow[] = [];
  /** Emissions that could not be parsed (they cost only their own figures). */
  malformed = 0;
  /** Set by the client that owns this recorder: its delivery totals, handed to the emission listeners. */
  deliveries?: () => DeliveryTotals;
  private latest: LibrdkafkaStats | undefined;
  private base: LibrdkafkaStats | undefined;
  private t0 = 0;
  private readonly arrived = new Notifier();

  /** One emission: the JSON text (or object) and when it reached JavaScript (performance.now()). */
  add(stats: string | LibrdkafkaStats, atMs: number): void {
    let s: LibrdkafkaStats;
    try {
      s = typeof stats === "string" ? (JSON.parse(stats) as LibrdkafkaStats) : stats;
    } catch {
      this.malformed++;
      return;
    }
    this.latest = s;
    if (listeners.size > 0) {
      const totals = this.deliveries?.();
      for (const listener of listeners) listener(s, totals);
    }
    if (this.base) {
      this.samples.push(this.sample(s, atMs));
      for (const b of realBrokers(s)) this.windows.push({ rtt: b.rtt, int_latency: b.int_latency, outbuf_latency: b.outbuf_latency });
    }
    this.arrived.notify();
  }

  /** Timing starts now: the latest emission becomes the baseline (counters read 0 at t0). */
  start(t0: number): void {
    this.t0 = t0;
    this.base = this.latest ?? EMPTY;
    this.samples.length = 0;
    this.windows.length = 0;
    this.samples.push(this.sample(this.base, t0));
  }

  /** Resolves at the next emission, or after maxMs. */
  next(maxMs = 1_000): Promise<void> {
    return this.arrived.next(maxMs);
  }

  /** The last sample (zeros before any). */
  get last(): StatsSample {
    return (
      this.samples[this.samples.length - 1] ?? {
        t_ms: 0,
        requests_sent: 0,
        responses_received: 0,
        produce_requests: 0,
        queued_messages: 0,
        rtt_avg_us: 0,
      }
    );
  }

  /** Requests librdkafka retried since start() (since the client started, before it). */
  retries(): number {
    const count = (s: LibrdkafkaStats | undefined) => (s ? realBrokers(s).reduce((sum, b) => sum + (b.txretries ?? 0), 0) : 0);
    return count(this.latest) - count(this.base);
  }

  /** The broker round trip since start(): request-weighted means of the windows' medians and means, ms. */
  rtt(): { p50_ms: number; avg_ms: number; requests: number } {
    const ws = this.windows.map((w) => w.rtt);
    const p50 = weighted(ws, (w) => w.p50);
    return { p50_ms: p50.ms, avg_ms: weighted(ws, (w) => w.avg).ms, requests: p50.count };
  }

  /** librdkafka's own stages since start(): internal queue and output buffer medians, ms. */
  queueMedians(): { int_latency_p50_ms: number; outbuf_latency_p50_ms: number } {
    return {
      int_latency_p50_ms: weighted(
        this.windows.map((w) => w.int_latency),
        (w) => w.p50,
      ).ms,
      outbuf_latency_p50_ms: weighted(
        this.windows.map((w) => w.outbuf_latency),
        (w) => w.p50,
      ).ms,
    };
  }

  private sample(s: LibrdkafkaStats, at: number): StatsSample {
    const base = this.base ?? s;
    const rtt = weighted(
      realBrokers(s).map((b) => b.rtt),
      (w) => w.avg,
    );
    return {
      t_ms: at - this.t0,
      requests_sent: s.tx - base.tx,
      responses_received: s.rx - base.rx,
      produce_requests: produceRequests(s) - produceRequests(base),
      queued_messages: s.msg_cnt,
      rtt_avg_us: rtt.count ? rtt.ms * 1000 : 0,
    };
  }
}
