/**
 * The one unit of data rate: MB = 10^6 bytes (SI), reported in columns named `mb_per_s`.
 * Java's ProducerPerformance prints "MB/sec" but divides by 2^20 (MiB); where its figures are
 * shown they are recomputed from its records/sec in this unit.
 */

export const BYTES_PER_MB = 1e6;

export interface Throughput {
  msgs_per_s: number;
  mb_per_s: number;
}

/** Messages and payload bytes over a wall time (ms): NaN rates when no time passed. */
export function throughput(messages: number, bytes: number, wallMs: number): Throughput {
  if (!(wallMs > 0)) return { msgs_per_s: NaN, mb_per_s: NaN };
  const seconds = wallMs / 1000;
  return { msgs_per_s: messages / seconds, mb_per_s: bytes / seconds / BYTES_PER_MB };
}
