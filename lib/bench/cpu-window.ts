/**
 * CPU seconds over a run's measured part, for every client and for the broker, reported per
 * million messages. The window: for our in-process drivers from just before the first measured
 * send to the end of the final flush (before disconnecting); for the Python peers the same
 * points, taken inside the Python process; for Java's tool from its "Warmup first …" line (JVM
 * start-up left out, its warm-up records in) to its summary line. The broker's CPU is read over
 * the same window from its JVM's /proc entry; on a shared broker it includes whatever else the
 * broker served meanwhile.
 */
import { ownCpuSnapshot, ownCpuWindow, processCpuSeconds, type OwnCpuSnapshot } from "../core/cpu";
import { now } from "../core/time";
import type { MeasuredClient } from "../producers/base";

export interface RunCpu {
  /** Seconds the window lasted. */
  window_s: number;
  /** Records sent in the window (Java's tool: its warm-up records too). */
  records: number;
  /** The client process, all its threads. */
  client_s: number;
  /** Its main thread: JavaScript for our process, the interpreter's main thread for Python; NaN for Java. */
  main_s: number;
  /** librdkafka's threads in the client process; NaN for clients without librdkafka. */
  librdkafka_s: number;
  /** The broker JVM; NaN when the broker is not on this machine. */
  broker_s: number;
  /** What the window spans, in words. */
  window: string;
}

/** CPU seconds per million records. */
export function perMillion(seconds: number, records: number): number {
  return records > 0 ? (seconds / records) * 1e6 : NaN;
}

/** The broker's CPU between two marks (NaN without a broker pid). */
export class BrokerCpuMeter {
  private startS = NaN;
  private endS = NaN;

  constructor(private readonly brokerPid: number | undefined) {}

  start(): void {
    this.startS = processCpuSeconds(this.brokerPid);
  }

  end(): void {
    this.endS = processCpuSeconds(this.brokerPid);
  }

  get seconds(): number {
    return this.endS - this.startS;
  }
}

/** This process's CPU (and the broker's) from start() to end(): the window of an in-process driver. */
export class OwnCpuMeter {
  private readonly broker: BrokerCpuMeter;
  private first?: OwnCpuSnapshot;
  private last?: OwnCpuSnapshot;
  private t0 = NaN;
  private t1 = NaN;

  constructor(brokerPid: number | undefined) {
    this.broker = new BrokerCpuMeter(brokerPid);
  }

  start(): void {
    this.broker.start();
    this.t0 = now();
    this.first = ownCpuSnapshot();
  }

  /** The first call after start() closes the window; later calls change nothing. */
  end(): void {
    if (!this.first || this.last) return;
    this.last = ownCpuSnapshot();
    this.t1 = now();
    this.broker.end();
  }

  result(records: number): RunCpu | undefined {
    if (!this.first || !this.last) return undefined;
    const w = ownCpuWindow(this.first, this.last);
    return {
      window_s: (this.t1 - this.t0) / 1000,
      records,
      client_s: w.process_s,
      main_s: w.main_s,
      librdkafka_s: w.librdkafka_s,
      broker_s: this.broker.seconds,
      window: "first measured send to the end of the final flush, in this Node.js process",
    };
  }
}

/**
 * The client as the measuring sequence sees it, except that a flush() after the meter started
 * also closes the window (the final flush; the warm-up's comes before the start). Every other
 * property and method is the client's own, called on the client itself.
 */
export function closingWindowOnFlush(client: MeasuredClient, meter: OwnCpuMeter): MeasuredClient {
  const flush = async (timeoutMs: number) => {
    try {
      await client.flush(timeoutMs);
    } finally {
      meter.end();
    }
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "flush") return flush;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
