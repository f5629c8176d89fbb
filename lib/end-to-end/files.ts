/**
 * What notebook 06 leaves in reports/: the whole result as JSON and the data behind its charts as
 * CSV (each side's batches, the lag samples), and its batch tables as DataFrames.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type pl from "nodejs-polars";
import { projectRelative, reportsDir } from "../config/paths";
import { rowsFrame } from "../notebook/display";
import type { MethodRow } from "./methods";
import type { E2eResult } from "./run";

export function producerBatchesFrame(r: E2eResult): pl.DataFrame {
  return rowsFrame(r.producer?.batches ?? [], { digits: 3 });
}

export function consumerBatchesFrame(r: E2eResult): pl.DataFrame {
  return rowsFrame(r.consumer?.batches ?? [], { digits: 3 });
}

export function methodsFrame(methods: readonly MethodRow[]): pl.DataFrame {
  return rowsFrame(
    methods.map(({ method: _method, ...m }) => m),
    { digits: 1 },
  );
}

/** <name>.json (everything), <name>.producer.csv, .consumer.csv and .lag.csv; returns their paths. */
export function writeE2eResults(r: E2eResult, methods: readonly MethodRow[], name: string, dir: string = reportsDir()): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const file = (suffix: string) => path.join(dir, `${name}.${suffix}`);
  const json = file("json");
  // Paths relative to the project: a report must not carry the machine's folders.
  const shown = { ...r, params: { ...r.params, csvPath: projectRelative(r.params.csvPath) }, methods };
  fs.writeFileSync(json, JSON.stringify(shown, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
  const out = [json];
  const csv = (suffix: string, rows: readonly object[]) => {
    if (!rows.length) return;
    rowsFrame(rows).writeCSV(file(suffix));
    out.push(file(suffix));
  };
  csv("producer.csv", r.producer?.batches ?? []);
  csv("consumer.csv", r.consumer?.batches ?? []);
  csv("lag.csv", r.consumer?.lag ?? []);
  return out;
}
