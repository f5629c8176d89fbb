/** A tiny real run of every producer `npm run bench` knows (the Python peers too), on the embedded broker, with its CPU. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { PRODUCER_IDS, runOne, validateWorkload } from "../../lib/bench";
import { ensureBroker } from "../../lib/broker";
import { loadConnection } from "../../lib/config";

const connection = loadConnection({});
let brokerPid: number | undefined;
before(async () => {
  brokerPid = (await ensureBroker()).status.pid;
});

for (const producer of PRODUCER_IDS) {
  test(`${producer}: a tiny real run delivers every record`, { timeout: 120_000 }, async () => {
    const workload = validateWorkload({ records: producer === "ours-sync" ? 200 : 2000, warmupRecords: 100, partitions: 2, lingerMs: 1 });
    const events: string[] = [];
    const r = await runOne(producer, { connection, workload, onProgress: (e) => events.push(e.phase), brokerPid });
    assert.equal(r.unsupported, undefined);
    const f = r.figures;
    assert.equal(f.failed, 0, r.errorSamples.join("; "));
    assert.equal(f.delivered, workload.records);
    assert.ok(f.wall_s > 0 && f.msgs_per_s > 0 && f.mb_per_s > 0);
    assert.ok(Math.abs(f.mb_per_s - (f.msgs_per_s * workload.recordSize) / 1e6) < 1e-9, "MB = 10^6 bytes for every producer");
    if (producer === "ours-async-aggregate") {
      // No report per record: no latency, and the count checked against the topic instead.
      assert.equal(f.latency.count, 0);
      assert.equal(r.extra.watermark_check, "delivered = watermark growth");
    } else
      assert.ok(
        f.latency.p50_ms >= 0 && f.latency.p99_ms >= f.latency.p50_ms && f.latency.max_ms >= f.latency.p99_ms,
        JSON.stringify(f.latency),
      );
    if (producer !== "perf-tool" && producer !== "ours-async-aggregate") {
      assert.equal(f.latency.count, workload.records);
      assert.ok(events.includes("done"));
    }
    if (producer === "ours-sync") assert.ok(Number(r.extra.rtt_requests) > 0, "librdkafka's rtt was sampled");
    const cpu = r.cpu!;
    assert.ok(cpu, "CPU over the measured part");
    assert.ok(cpu.client_s > 0 && cpu.window_s > 0 && cpu.broker_s >= 0, JSON.stringify(cpu));
    assert.ok(cpu.records >= workload.records);
    if (producer.startsWith("py-")) {
      assert.ok(cpu.main_s > 0 && cpu.main_s <= cpu.client_s + 0.01, "the interpreter's thread is part of its process");
      assert.match(r.client, /Python 3\.\d+/);
    }
  });
}

test(
  "keyed, gzip and idempotent runs work; KafkaJS and kafka-python report a codec they lack instead of failing",
  { timeout: 120_000 },
  async () => {
    const w = validateWorkload({ records: 500, warmupRecords: 0, keyed: true, compression: "gzip", idempotence: true, partitions: 2 });
    for (const p of ["ours-async", "confluent-kafkajs", "kafkajs", "py-confluent-async", "py-kafka-python"] as const) {
      const r = await runOne(p, { connection, workload: w });
      assert.equal(r.figures.delivered, 500, `${p}: ${r.errorSamples.join("; ")}`);
    }
    const z = await runOne("kafkajs", { connection, workload: { ...w, compression: "zstd" } });
    assert.match(z.unsupported ?? "", /^KafkaJS: .*not implemented.*ships only GZIP/i);
    const kp = await runOne("py-kafka-python", { connection, workload: { ...w, compression: "zstd" } });
    assert.match(kp.unsupported ?? "", /^kafka-python: .*zstd/i);
  },
);
