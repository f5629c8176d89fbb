/**
 * The sweep's parameters: which rates, how long each is held, the records and the producer
 * settings, the percentiles asked for and the latency bound of the search. They come from the
 * environment for notebook 07 (SWEEP_RATES, …) and from options for `npm run bench -- --sweep`
 * (--rates, …); one validation serves both, and every bad value is a ConfigError naming the key
 * it came from.
 *
 * A percentile needs samples beyond it to mean anything: p needs at least
 * TAIL_SAMPLES / (1 − p/100) records per step (p99: 1,000; p99.9: 10,000), and the lowest rate
 * held for the step's duration must give that many.
 */
import { clean, readEnv, type Env } from "../config/env";
import { ConfigError } from "../core/errors";
import { fmt } from "../core/format";
import { flag, oneOf, wholeNumber, type RawValue } from "../core/validate";
import { ACKS, DEFAULT_WORKLOAD, type Acks, type Workload } from "../bench/workload";

export const SWEEP_PRODUCERS = ["ours-sync", "ours-async", "perf-tool"] as const;
export type SweepProducer = (typeof SWEEP_PRODUCERS)[number];

export interface SweepParams {
  /** Offered rates, records per second, ascending. */
  rates: number[];
  /** How long each step is held after its warm-up, s. */
  durationS: number;
  /** A warm-up at the step's rate before it, s. */
  warmupS: number;
  recordSize: number;
  acks: Acks;
  /** linger.ms of the asynchronous producer and the Java tool (the synchronous producer uses 0). */
  lingerMs: number;
  partitions: number;
  /** Percentiles the steps must hold enough samples for (p50, p99, p99.9 and max are always reported). */
  percentiles: number[];
  /** The search's bound: the highest rate whose p99 stays under this is the sustainable rate. */
  p99BoundMs: number;
  producers: SweepProducer[];
  /** A consumer process alongside every step, recording produce-to-consume latency. */
  endToEnd: boolean;
  /** Extra steps per producer that narrow its sustainable rate between the grid's rates. */
  searchProbes: number;
  /** A producer's sweep stops after this many saturated steps in a row. */
  saturatedSteps: number;
  /** Records for Java's EndToEndLatency reference (0 skips it). */
  javaE2eRecords: number;
}

export const DEFAULT_SWEEP: Readonly<SweepParams> = Object.freeze({
  rates: [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 400_000],
  durationS: 10,
  warmupS: 2,
  recordSize: DEFAULT_WORKLOAD.recordSize,
  acks: DEFAULT_WORKLOAD.acks,
  lingerMs: DEFAULT_WORKLOAD.lingerMs,
  partitions: DEFAULT_WORKLOAD.partitions,
  percentiles: [50, 99, 99.9],
  p99BoundMs: 50,
  producers: [...SWEEP_PRODUCERS],
  endToEnd: true,
  searchProbes: 2,
  saturatedSteps: 2,
  javaE2eRecords: 2_000,
});

export type SweepInput = { [K in keyof SweepParams]?: RawValue };
export type SweepKeys = Readonly<Record<keyof SweepParams, string>>;

/** Where each parameter comes from in the environment (notebook 07). */
export const ENV_KEYS: SweepKeys = Object.freeze({
  rates: "SWEEP_RATES",
  durationS: "SWEEP_DURATION_S",
  warmupS: "SWEEP_WARMUP_S",
  recordSize: "SWEEP_RECORD_SIZE",
  acks: "SWEEP_ACKS",
  lingerMs: "SWEEP_LINGER_MS",
  partitions: "SWEEP_PARTITIONS",
  percentiles: "SWEEP_PERCENTILES",
  p99BoundMs: "SWEEP_P99_BOUND_MS",
  producers: "SWEEP_PRODUCERS",
  endToEnd: "SWEEP_E2E",
  searchProbes: "SWEEP_SEARCH_PROBES",
  saturatedSteps: "SWEEP_SATURATED_STEPS",
  javaE2eRecords: "SWEEP_JAVA_E2E_RECORDS",
});

/** The same parameters as options of `npm run bench -- --sweep`. */
export const OPTION_KEYS: SweepKeys = Object.freeze({
  rates: "--rates",
  durationS: "--duration",
  warmupS: "--warmup",
  recordSize: "--record-size",
  acks: "--acks",
  lingerMs: "--linger-ms",
  partitions: "--partitions",
  percentiles: "--percentiles",
  p99BoundMs: "--p99-bound-ms",
  producers: "--producers",
  endToEnd: "--e2e",
  searchProbes: "--search-probes",
  saturatedSteps: "--saturated-steps",
  javaE2eRecords: "--java-e2e-records",
});

/** The highest rate a step may offer (messages/s). */
export const MAX_RATE = 10_000_000;
/** The most records one step may schedule (its send and acknowledgement times take 25 bytes each). */
export const MAX_STEP_RECORDS = 20_000_000;
/** Samples a percentile needs beyond it. */
export const TAIL_SAMPLES = 10;

/** Records a step needs for percentile p to have TAIL_SAMPLES beyond it: p99 → 1,000, p99.9 → 10,000. */
export function samplesNeeded(p: number): number {
  // Ten significant digits first: 99.9 / 100 is not exact in binary, and 10,000.0000000011 is not 10,001.
  return Math.ceil(Number(((TAIL_SAMPLES * 100) / (100 - p)).toPrecision(10)));
}

function items(raw: RawValue): string[] {
  return String(raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function list(value: RawValue | readonly (string | number)[]): RawValue {
  return Array.isArray(value) ? value.join(",") : (value as RawValue);
}

/** "1000,5000,20000": whole records per second, each at least 1, ascending and distinct. */
export function parseRates(key: string, raw: RawValue): number[] {
  const parts = items(raw);
  const hint =
    `use offered rates in messages per second, whole numbers from 1 to ${fmt(MAX_RATE)}, separated by commas ` + `(e.g. 1000,5000,20000)`;
  if (parts.length === 0) throw new ConfigError(key, `is empty; ${hint}.`);
  const rates = parts.map((p) => {
    try {
      return wholeNumber(key, p, { min: 1, max: MAX_RATE });
    } catch {
      const why = Number.isNaN(Number(p.replace(/_/g, ""))) ? "is not a number" : Number(p) < 0 ? "is negative" : "is not allowed";
      throw new ConfigError(key, `'${p}' ${why}; ${hint}. (Rate 0, as fast as possible, is the closed loop of \`npm run bench\`.)`);
    }
  });
  return [...new Set(rates)].sort((a, b) => a - b);
}

/** "50,99,99.9": percentiles strictly between 0 and 100. */
export function parsePercentiles(key: string, raw: RawValue): number[] {
  const parts = items(raw);
  if (parts.length === 0) throw new ConfigError(key, "is empty; use percentiles between 0 and 100, e.g. 50,99,99.9.");
  const ps = parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n) || n <= 0 || n >= 100)
      throw new ConfigError(key, `'${p}' is not a percentile; use numbers greater than 0 and less than 100, e.g. 50,99,99.9.`);
    return n;
  });
  return [...new Set(ps)].sort((a, b) => a - b);
}

function parseProducers(key: string, raw: RawValue): SweepProducer[] {
  const parts = items(raw);
  if (parts.length === 0) throw new ConfigError(key, `is empty; use a comma-separated list of ${SWEEP_PRODUCERS.join(", ")}.`);
  return [...new Set(parts.map((p) => oneOf(key, p, SWEEP_PRODUCERS)))];
}

/** A complete, checked set of parameters: the defaults overridden by `input`, keys named as `keys` says. */
export function validateSweep(input: SweepInput = {}, keys: SweepKeys = ENV_KEYS, defaults: SweepParams = DEFAULT_SWEEP): SweepParams {
  const v = <K extends keyof SweepParams>(k: K): RawValue =>
    input[k] === undefined || input[k] === null ? list(defaults[k] as never) : input[k];
  const whole = (k: keyof SweepParams, min: number, max?: number) => wholeNumber(keys[k], v(k), { min, max });
  const p: SweepParams = {
    rates: parseRates(keys.rates, v("rates")),
    durationS: whole("durationS", 1, 3_600),
    warmupS: whole("warmupS", 0, 600),
    recordSize: whole("recordSize", 1, 1_000_000),
    acks: oneOf(keys.acks, v("acks"), ACKS, { "-1": "all" }),
    lingerMs: whole("lingerMs", 0, 900_000),
    partitions: whole("partitions", 1, 1_000),
    percentiles: parsePercentiles(keys.percentiles, v("percentiles")),
    p99BoundMs: whole("p99BoundMs", 1, 3_600_000),
    producers: parseProducers(keys.producers, v("producers")),
    endToEnd: flag(keys.endToEnd, v("endToEnd")),
    searchProbes: whole("searchProbes", 0, 20),
    saturatedSteps: whole("saturatedSteps", 1, 100),
    javaE2eRecords: whole("javaE2eRecords", 0, 1_000_000),
  };
  const lowest = p.rates[0];
  const highest = p.rates[p.rates.length - 1];
  const top = p.percentiles[p.percentiles.length - 1];
  const need = samplesNeeded(top);
  const have = lowest * p.durationS;
  if (have < need) {
    throw new ConfigError(
      keys.durationS,
      `${p.durationS} s at the lowest rate, ${fmt(lowest)} msgs/s, gives ${fmt(have)} records per step, but p${top} needs at least ` +
        `${fmt(need)} (${TAIL_SAMPLES} beyond it: ${TAIL_SAMPLES} × 100 / (100 − ${top})). Hold each step at least ` +
        `${Math.ceil(need / lowest)} s, raise the lowest rate in ${keys.rates} to ${fmt(Math.ceil(need / p.durationS))}, or ask ` +
        `${keys.percentiles} for less.`,
    );
  }
  if (highest * (p.durationS + p.warmupS) > MAX_STEP_RECORDS) {
    throw new ConfigError(
      keys.durationS,
      `${fmt(highest)} msgs/s for ${p.durationS + p.warmupS} s (warm-up included) is ${fmt(highest * (p.durationS + p.warmupS))} records in one ` +
        `step; at most ${fmt(MAX_STEP_RECORDS)} fit: shorten the steps or lower the highest rate in ${keys.rates}.`,
    );
  }
  return p;
}

/** SWEEP_* from the environment (or .env) over the defaults. */
export function loadSweepParams(defaults: Partial<SweepParams> = {}, env: Env = readEnv()): SweepParams {
  const input: SweepInput = {};
  for (const [field, key] of Object.entries(ENV_KEYS) as [keyof SweepParams, string][]) input[field] = clean(env[key]);
  return validateSweep(input, ENV_KEYS, { ...DEFAULT_SWEEP, ...defaults });
}

/** The workload the producers are given at every step (the record count comes from the rate and duration). */
export function sweepWorkload(p: SweepParams): Workload {
  return {
    ...DEFAULT_WORKLOAD,
    records: 1,
    warmupRecords: 0,
    recordSize: p.recordSize,
    acks: p.acks,
    lingerMs: p.lingerMs,
    partitions: p.partitions,
    // Our records carry their sequence number as the key when a consumer checks them back.
    keyed: p.endToEnd,
  };
}

/** The parameters as a notebook shows them. */
export function paramsRecord(p: SweepParams): Record<string, string | number | boolean> {
  return {
    rates: p.rates.map((r) => fmt(r)).join(", ") + " msgs/s",
    "duration per step": `${p.durationS} s after a ${p.warmupS} s warm-up`,
    "record size": `${fmt(p.recordSize)} B`,
    acks: p.acks,
    "linger.ms": `${p.lingerMs} (asynchronous producer and Java's tool; the synchronous producer uses 0)`,
    partitions: p.partitions,
    percentiles:
      p.percentiles.map((x) => `p${x}`).join(", ") +
      ` (p${p.percentiles[p.percentiles.length - 1]} needs ${fmt(samplesNeeded(p.percentiles[p.percentiles.length - 1]))} records per step)`,
    "p99 bound of the search": `${p.p99BoundMs} ms`,
    producers: p.producers.join(", "),
    "consumer alongside (end-to-end)": p.endToEnd,
    "search probes per producer": p.searchProbes,
    "stop after saturated steps in a row": p.saturatedSteps,
    "Java EndToEndLatency records": p.javaE2eRecords || "skipped",
  };
}
