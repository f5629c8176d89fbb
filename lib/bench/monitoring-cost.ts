/**
 * What monitoring costs a run on this machine: the same ours-async run with monitoring on
 * (Prometheus running and scraping this process's exporter and the broker's JMX exporter every
 * second, the recording rules evaluated) and off (no Prometheus process, no exporter), in pairs
 * whose order alternates, so that a slow minute of the machine hits both alike. Reported as the
 * medians with their spread, and, measured directly, the CPU time Prometheus itself used during
 * the monitored runs (from /proc: utime + stime). The broker's agent stays loaded either way (it
 * does nothing unless scraped). Monitoring is left as it was found.
 */
import type { KafkaConnection } from "../config/connection";
import { processCpuSeconds } from "../core/cpu";
import { fmt, fmtPct } from "../core/format";
import { spread, type Spread } from "../core/stats";
import { runningExporter, stopExporter } from "../monitoring/exporter";
import { ensureMonitoring, prometheusStatus, stopPrometheus } from "../monitoring/prometheus";
import { repeatOrder } from "../core/stats";
import { runOne } from "./drivers/index";
import type { Workload } from "./workload";

export interface MonitoringCost {
  producer: "ours-async";
  records: number;
  pairs: number;
  /** messages/s of each run, in run order per group. */
  on: number[];
  off: number[];
  onSpread: Spread;
  offSpread: Spread;
  /** (median off − median on) / median off: the share of throughput monitoring took (negative: the monitored runs were faster). */
  overhead: number;
  /** Run-to-run spread: the larger of the two groups' (max − min) / median. */
  noise: number;
  /** CPU seconds Prometheus used per second of monitored run (median): its share of one core. */
  prometheusCores: number;
}

export async function measureMonitoringCost(
  connection: KafkaConnection,
  workload: Workload,
  pairs: number,
  log: (line: string) => void = () => undefined,
): Promise<MonitoringCost> {
  const wasRunning = (await prometheusStatus()).state === "running";
  const hadExporter = runningExporter() !== undefined;
  const on: number[] = [];
  const off: number[] = [];
  const cores: number[] = [];
  try {
    for (let i = 0; i < pairs; i++) {
      for (const monitored of repeatOrder([true, false], i + 1)) {
        let pid: number | undefined;
        if (monitored) pid = (await ensureMonitoring({ log })).prometheus.pid;
        else {
          await stopExporter(0);
          await stopPrometheus({ log });
        }
        const cpu0 = processCpuSeconds(pid);
        const r = await runOne("ours-async", { connection, workload });
        const used = processCpuSeconds(pid) - cpu0;
        (monitored ? on : off).push(r.figures.msgs_per_s);
        if (monitored) cores.push(used / r.figures.wall_s);
        log(`monitoring cost: pair ${i + 1}/${pairs}, monitoring ${monitored ? "on " : "off"}: ${Math.round(r.figures.msgs_per_s)} msgs/s`);
      }
    }
  } finally {
    // As it was: running (with this process's exporter if it had one) or stopped.
    if (wasRunning || hadExporter) await ensureMonitoring({ log });
    if (!hadExporter) await stopExporter(0);
    if (!wasRunning && !hadExporter) await stopPrometheus({ log });
  }
  const onSpread = spread(on);
  const offSpread = spread(off);
  return {
    producer: "ours-async",
    records: workload.records,
    pairs,
    on,
    off,
    onSpread,
    offSpread,
    overhead: (offSpread.median - onSpread.median) / offSpread.median,
    noise: Math.max((onSpread.max - onSpread.min) / onSpread.median, (offSpread.max - offSpread.min) / offSpread.median),
    prometheusCores: spread(cores).median,
  };
}

/** The cost in one paragraph, every number from the measurement. */
export function describeMonitoringCost(c: MonitoringCost): string {
  const group = (xs: number[], s: Spread) => `${fmt(s.median)} msgs/s (${fmt(s.min)}–${fmt(s.max)}, ${xs.length} runs)`;
  const within = Math.abs(c.overhead) < c.noise;
  return (
    `Monitoring cost (ours-async, ${fmt(c.records)} records, ${c.pairs} pairs alternating): on ${group(c.on, c.onSpread)}, ` +
    `off ${group(c.off, c.offSpread)}: ${fmtPct(c.overhead)} of the throughput` +
    (within ? `, within the run-to-run spread of ${fmtPct(c.noise)}` : ` (run-to-run spread ${fmtPct(c.noise)})`) +
    `; Prometheus itself used ${fmt(c.prometheusCores, 3)} of a core while the monitored runs ran.`
  );
}
