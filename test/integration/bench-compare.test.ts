/**
 * `npm run bench` end to end with tiny counts: two runs append two lines to the run history and
 * the second, with --compare, is set beside the first; a pinned run gives the broker its CPUs
 * back; the Python peers send the same record values as the TypeScript producers, and run over
 * SASL_SSL with the password in their environment only. No speed is asserted.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as dotenv from "dotenv";
import { makePayloads, pythonArgs, RUNGS, runOne, validateWorkload, type BenchReport } from "../../lib/bench";
import { SYNC_WAITS } from "../../lib/producers";
import { ensureBroker } from "../../lib/broker";
import { loadConnection, paths } from "../../lib/config";
import { affinityOf, readHistory, runChild } from "../../lib/core";

const reports = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-bench-compare-"));
let brokerPid: number;
let credentialsFile: string | undefined;

before(async () => {
  const { status } = await ensureBroker();
  brokerPid = status.pid!;
  credentialsFile = status.sasl?.credentialsFile;
});

function bench(...args: string[]) {
  const base = [
    "--records",
    "3000",
    "--sync-records",
    "200",
    "--warmup",
    "200",
    "--repeats",
    "3",
    "--min-seconds",
    "0",
    "--harness-pairs",
    "0",
    "--ladder-repeats",
    "0",
    "--sync-wait-repeats",
    "0",
  ];
  return runChild(process.execPath, [path.join(paths.root, "dist", "scripts", "bench.js"), ...base, ...args], {
    env: { ...process.env, REPORTS_DIR: reports, KAFKA_BOOTSTRAP_SERVERS: "" },
    timeoutMs: 300_000,
  });
}

test("two bench runs: two history lines, and --compare sets the second beside the first", { timeout: 600_000 }, async () => {
  const args = ["--producers", "ours-async,py-confluent-async,py-confluent-sync", "--placements", "unpinned"];
  const first = await bench(...args);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /py-confluent-async +3,000 /);
  assert.match(first.stdout, /Our producers against each peer/);
  assert.match(first.stdout, /ours-async +py-confluent-async +msgs\/s/);
  const second = await bench(...args, "--compare");
  assert.equal(second.code, 0, second.stderr);
  const { entries } = readHistory(path.join(reports, "history.jsonl"));
  assert.equal(entries.length, 2);
  assert.ok(entries.every((e) => e.kind === "bench" && e.source === "npm run bench" && e.series.length === 4));
  assert.equal(entries[1].series.find((s) => s.key === "unpinned · py-confluent-async · msgs/s")?.values.length, 3);
  assert.match(second.stdout, /This run beside 1 earlier comparable run\(s\) in reports\/history\.jsonl \(same workload, same host\)/);
  assert.match(second.stdout, /unpinned · ours-async · msgs\/s .*(within the noise|beyond the noise|too few repeats)/);
  assert.doesNotMatch(first.stdout, /beside \d+ earlier/, "without --compare, no comparison");
});

test("a pinned run pins the broker and the clients, and gives the broker its CPUs back", { timeout: 300_000 }, async () => {
  const before = affinityOf(brokerPid);
  const r = await bench("--producers", "ours-async,py-confluent-async,perf-tool", "--placements", "pinned", "--repeats", "1");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(affinityOf(brokerPid), before);
  assert.match(r.stderr, /pinned: broker \(pid \d+, was CPUs [\d,-]+\) on CPU 0, this process on CPU 1/);
  const file = fs
    .readdirSync(reports)
    .filter((f) => /^bench-.*\.json$/.test(f))
    .sort()
    .at(-1)!;
  const report = JSON.parse(fs.readFileSync(path.join(reports, file), "utf8")) as BenchReport;
  assert.deepEqual([...new Set(report.rows.map((x) => x.placement))], ["pinned"]);
  for (const row of report.rows) assert.ok(row.cpu_client_s_per_M > 0 && row.cpu_broker_s_per_M >= 0, JSON.stringify(row));
});

test("the Python peers send the same record values as the TypeScript producers", () => {
  const code =
    "import sys; sys.path.insert(0, 'scripts/python'); import bench_producer as b; print(','.join(v.decode() for v in b.payloads(5, 30)))";
  const py = spawnSync(paths.venvPython, ["-c", code], { cwd: paths.root, encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), makePayloads({ records: 5, recordSize: 30 }).map(String).join(","));
});

test(
  "the Python peers run over the SASL_SSL listener, the password passed in their environment, never on their command line",
  { timeout: 120_000 },
  async () => {
    assert.ok(credentialsFile, "the embedded broker has its SASL_SSL listener");
    const env = dotenv.parse(fs.readFileSync(credentialsFile));
    const connection = loadConnection(env);
    assert.equal(connection.securityProtocol, "SASL_SSL");
    const workload = validateWorkload({ records: 300, warmupRecords: 50, partitions: 1 });
    for (const p of ["py-confluent-async", "py-kafka-python"] as const) {
      assert.ok(!pythonArgs(p, workload, "t").join(" ").includes(env.KAFKA_SASL_PASSWORD));
      const r = await runOne(p, { connection, workload });
      assert.equal(r.figures.delivered, 300, `${p}: ${r.errorSamples.join("; ")}`);
      assert.ok(!JSON.stringify(r).includes(env.KAFKA_SASL_PASSWORD), "nor in its results");
    }
  },
);

test(
  "the attribution ladder and the synchronous waits: every rung and every way measured, in the table and the JSON",
  { timeout: 300_000 },
  async () => {
    const r = await bench(
      "--producers",
      "ours-async,ours-sync,perf-tool",
      "--placements",
      "unpinned",
      "--repeats",
      "1",
      "--ladder-repeats",
      "2",
      "--sync-wait-repeats",
      "1",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Where our asynchronous producer's time goes: the attribution ladder/);
    for (const rung of RUNGS) assert.ok(r.stdout.includes(rung.label), `rung "${rung.label}" in the table`);
    assert.match(r.stdout, /Producing alone takes [\d.]+ µs per message; the producer as it ships takes [\d.]+ µs/);
    assert.match(r.stdout, /How our synchronous producer waits/);
    for (const wait of SYNC_WAITS) assert.ok(r.stdout.includes(wait), `"${wait}" in the table`);
    const file = fs
      .readdirSync(reports)
      .filter((f) => /^bench-.*\.json$/.test(f))
      .sort()
      .at(-1)!;
    const report = JSON.parse(fs.readFileSync(path.join(reports, file), "utf8")) as BenchReport;
    assert.equal(report.ladder?.steps.length, RUNGS.length);
    assert.ok(report.ladder!.steps.every((s) => s.rates.length === 2 && s.median > 0));
    assert.equal(report.syncWaits?.rows.length, SYNC_WAITS.length);
    assert.ok(SYNC_WAITS.includes(report.syncWaits!.fastest));
  },
);
