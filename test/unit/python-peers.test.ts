/** The Python peers without a broker: their output lines parsed, their latencies decoded, their figures computed, their arguments. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeLatencies,
  parsePythonLine,
  PRODUCER_IDS,
  pythonArgs,
  pythonBenchRun,
  PythonPeerError,
  settingsMapping,
  validateWorkload,
  type PythonResult,
} from "../../lib/bench";

/** uint32 little-endian µs, base64, as bench_producer.py writes them. */
function encode(us: number[]): string {
  const b = Buffer.alloc(4 * us.length);
  us.forEach((v, i) => b.writeUInt32LE(v, 4 * i));
  return b.toString("base64");
}

const RESULT = {
  event: "result",
  client: "confluent-kafka 2.16.1 (librdkafka 2.16.0), Python 3.11.7",
  records: 4,
  sent: 4,
  delivered: 4,
  failed: 0,
  errors: [],
  wall_s: 0.002,
  latencies_us: encode([1000, 2000, 3000, 4000]),
  cpu: { window_s: 0.002, process_s: 0.004, main_s: 0.003, librdkafka_s: null },
};

test("the Python peers are producers of the bench, after the existing ones; the aggregate-acknowledgement mode last, apart", () => {
  assert.deepEqual(PRODUCER_IDS.slice(-4), ["py-confluent-async", "py-confluent-sync", "py-kafka-python", "ours-async-aggregate"]);
});

test("parses the script's event lines and ignores anything else", () => {
  assert.deepEqual(parsePythonLine('{"event":"start"}'), { event: "start" });
  assert.deepEqual(parsePythonLine('{"event":"end"}'), { event: "end" });
  assert.deepEqual(parsePythonLine('{"event":"progress","acknowledged":8192}'), { event: "progress", acknowledged: 8192 });
  assert.deepEqual(parsePythonLine('{"event":"error","kind":"config","message":"kafka-python is not installed"}'), {
    event: "error",
    kind: "config",
    message: "kafka-python is not installed",
  });
  assert.deepEqual(parsePythonLine('{"event":"result","unsupported":"kafka-python: snappy"}'), {
    event: "result",
    unsupported: "kafka-python: snappy",
  });
  for (const other of ["", "WARNING kafka.conn something", "[1,2]", '{"event":"progress"}', "null"])
    assert.equal(parsePythonLine(other), undefined, other);
});

test("a result line: counts, wall time, CPU, and the latencies back in ms", () => {
  const e = parsePythonLine(JSON.stringify(RESULT));
  assert.ok(e && e.event === "result" && !("unsupported" in e));
  const r = e as PythonResult;
  assert.deepEqual([r.records, r.sent, r.delivered, r.failed, r.wall_s], [4, 4, 4, 0, 0.002]);
  assert.deepEqual([...r.latenciesMs], [1, 2, 3, 4]);
  assert.deepEqual(r.cpu, { window_s: 0.002, process_s: 0.004, main_s: 0.003, librdkafka_s: null });
});

test("a result line without its counts or latencies is an error naming what is missing", () => {
  const { delivered: _d, latencies_us: _l, ...broken } = RESULT;
  assert.throws(
    () => parsePythonLine(JSON.stringify(broken)),
    (e: unknown) => e instanceof PythonPeerError && /lacks delivered, latencies_us/.test((e as Error).message),
  );
  assert.throws(() => decodeLatencies(Buffer.from([1, 2, 3]).toString("base64")), PythonPeerError);
});

test("a peer's BenchRun: throughput in MB = 10^6 bytes, the one HDR latency summary, CPU per run", () => {
  const w = validateWorkload({ records: 4, recordSize: 100, warmupRecords: 10 });
  const r = pythonBenchRun("py-confluent-async", w, "t", parsePythonLine(JSON.stringify(RESULT)) as PythonResult, 0.001);
  assert.equal(r.producer, "py-confluent-async");
  assert.equal(r.figures.msgs_per_s, 2000);
  assert.equal(r.figures.mb_per_s, 0.2);
  assert.equal(r.figures.latency.count, 4);
  assert.equal(r.figures.latency.p50_ms, 2);
  assert.equal(r.figures.latency.max_ms, 4);
  assert.deepEqual([r.cpu!.client_s, r.cpu!.main_s, r.cpu!.broker_s, r.cpu!.records], [0.004, 0.003, 0.001, 4]);
  assert.ok(Number.isNaN(r.cpu!.librdkafka_s), "no librdkafka threads reported: NaN, not 0");
  assert.equal(r.settings["linger.ms"], 5);
});

test("the script's arguments: the workload and the client's own setting names, never the connection", () => {
  const w = validateWorkload({ records: 1000, warmupRecords: 5000, keyed: true, compression: "gzip" });
  const sync = pythonArgs("py-confluent-sync", w, "topic-a");
  assert.deepEqual(sync.slice(1, 13), [
    "--client",
    "confluent-kafka",
    "--mode",
    "sync",
    "--topic",
    "topic-a",
    "--records",
    "1000",
    "--warmup",
    "1000",
    "--record-size",
    "100",
  ]);
  assert.ok(sync.includes("--keyed"));
  assert.equal(JSON.parse(sync[sync.length - 1])["linger.ms"], 0, "the synchronous one does not linger, as ours");
  const kp = JSON.parse(pythonArgs("py-kafka-python", w, "t").at(-1)!);
  assert.deepEqual(kp, {
    acks: "all",
    linger_ms: 5,
    batch_size: 65536,
    compression_type: "gzip",
    enable_idempotence: false,
    delivery_timeout_ms: 60000,
  });
  for (const a of [...sync, ...pythonArgs("py-kafka-python", w, "t")]) assert.doesNotMatch(a, /bootstrap|sasl|password|9092/);
});

test("the settings mapping names how each Python client was told the workload", () => {
  const m = settingsMapping(validateWorkload({}));
  assert.match(m["confluent-kafka (Python)"], /^acks=all linger\.ms=5 batch\.size=65536 .*linger\.ms=0, as ours$/);
  assert.match(
    m["kafka-python"],
    /^acks=all linger_ms=5 batch_size=65536 enable_idempotence=false delivery_timeout_ms=60000 \(compression_type left at None/,
  );
  // Our producers' own settings beside them: the window, linger.ms=0 for the synchronous one, the aggregate mode's queue depth.
  assert.match(m["our asynchronous producer"], /at most 10,000 messages ahead of the reports/);
  assert.match(m["our synchronous producer"], /linger\.ms=0/);
  assert.match(m["our aggregate-acknowledgement producer"], /delivery\.report\.only\.error=true, queue\.buffering\.max\.messages=5000 /);
});
