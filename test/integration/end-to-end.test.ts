/**
 * The end-to-end study on the real broker: every record read back once, both processes measured,
 * Java's consumer beside ours; bad input and an interrupt leave nothing behind (no child process,
 * no consumer group, no topic).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBroker } from "../../lib/broker";
import { loadConnection, paths } from "../../lib/config";
import { EXIT_CODES, KppError } from "../../lib/core";
import { loadE2eParams, runEndToEnd } from "../../lib/end-to-end";
import { consumeJob } from "../../lib/end-to-end/consumer-child";
import { listGroupIds } from "../../lib/kafka";
import { Kafka } from "../../lib/kafka";

const connection = loadConnection({});

before(async () => {
  await ensureBroker();
});

/** Topics and groups this study made that still exist. */
async function leftovers(): Promise<{ groups: string[]; topics: string[] }> {
  const groups = (await listGroupIds(connection)).filter((g) => g.startsWith("e2e-"));
  const admin = Kafka.AdminClient.create({ "bootstrap.servers": connection.bootstrapServers });
  try {
    const topics = await new Promise<string[]>((resolve, reject) =>
      admin.listTopics({ timeout: 10_000 }, (err, t) => (err ? reject(err) : resolve(t))),
    );
    return { groups, topics: topics.filter((t) => t.startsWith("e2e-")) };
  } finally {
    admin.disconnect();
  }
}

/** The study's child processes still running (none should outlive a run). */
function childProcesses(): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).stdout;
  return ps.split("\n").filter((l) => /end-to-end\/(producer|consumer)-child\.js/.test(l));
}

test(
  "20,000 records end to end: every one read back once, both sides measured, Java's consumer beside ours",
  { timeout: 180_000 },
  async () => {
    const params = loadE2eParams({ records: 20_000, batchSize: 2_000, partitions: 2 }, {});
    const r = await runEndToEnd({ connection, params });
    assert.equal(r.partial, false, r.stopReason);
    assert.deepEqual(r.check, { delivered: 20_000, distinct: 20_000, lost: 0, duplicates: 0 });
    const p = r.producer!;
    const c = r.consumer!;
    assert.equal(p.batches.length, 10);
    assert.equal(c.batches.length, 10);
    assert.equal(
      c.batches.reduce((s, b) => s + b.messages, 0),
      20_000,
    );
    assert.ok(
      c.batches.every(
        (b) => b.words > 0 && b.unique_words > 0 && b.unique_words <= b.words && b.batch_ms > 0 && b.cpu_pct >= 0 && b.rss_mib > 0,
      ),
    );
    assert.equal(c.latency.count, 20_000, "an end-to-end latency for every record");
    assert.ok(c.latency.p50_ms >= 0 && c.latency.p99_ms >= c.latency.p50_ms);
    assert.ok(
      p.peakRssMiB > 0 && p.peakRssMiB < 300 && c.peakRssMiB > 0 && c.peakRssMiB < 300,
      `peak RSS ${p.peakRssMiB} / ${c.peakRssMiB} MiB`,
    );
    assert.ok(c.lag.length >= 1);
    assert.ok(r.java && r.java.records === 20_000 && r.java.fetch_msgs_per_s > 0, JSON.stringify(r.java ?? r.javaSkipped));
    console.log(
      `# e2e: producer ${Math.round(p.figures.msgs_per_s)} msgs/s, consumer ${Math.round(c.msgs_per_s)} msgs/s, e2e p50 ${c.latency.p50_ms} ms, Java ` +
        `${Math.round(r.java.fetch_msgs_per_s)} msgs/s`,
    );
    assert.deepEqual(await leftovers(), { groups: [], topics: [] }, "the consumer groups and the topic are deleted");
    assert.deepEqual(childProcesses(), []);
  },
);

test("an interrupt stops both sides, keeps what they measured, and leaves no process, group or topic", { timeout: 180_000 }, async () => {
  const params = loadE2eParams({ records: 3_000_000, batchSize: 10_000, javaTool: false }, {});
  const abort = new AbortController();
  let seen = false;
  const r = await runEndToEnd({
    connection,
    params,
    signal: abort.signal,
    onProgress: (side, line) => {
      if (side === "consumer" && !seen && /: [1-9][\d,]*\//.test(line)) {
        seen = true;
        setTimeout(() => abort.abort(), 500);
      }
    },
  });
  assert.equal(r.partial, true);
  assert.equal(r.stopReason, "interrupted");
  assert.ok(r.producer && r.consumer, "both sides reported what they measured");
  assert.ok(r.producer.figures.sent > 0 && r.producer.figures.sent < 3_000_000, `sent ${r.producer.figures.sent}`);
  assert.equal(r.producer.figures.sent, r.producer.figures.delivered + r.producer.figures.failed, "every record sent is accounted for");
  assert.ok(r.consumer.distinct > 0 && r.consumer.duplicates === 0);
  assert.deepEqual(await leftovers(), { groups: [], topics: [] });
  assert.deepEqual(childProcesses(), []);
});

test("a consumer asked for a topic that does not exist says so, naming it", { timeout: 60_000 }, async () => {
  const job = {
    target: { bootstrap: connection.bootstrapServers, embedded: true },
    topic: "e2e-no-such-topic-x",
    groupId: "e2e-missing-topic-test",
    records: 10,
    batchSize: 10,
    idleMs: 1_000,
  };
  await assert.rejects(
    consumeJob(
      job,
      new AbortController().signal,
      () => undefined,
      () => undefined,
    ),
    (e: unknown) =>
      e instanceof KppError && e.kind === "config" && /topic 'e2e-no-such-topic-x' does not exist on 127\.0\.0\.1:9092/.test(e.message),
  );
});

/** `npm run e2e` with options and environment; its exit code and output. */
function e2eCommand(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-e2e-cli-"));
  const r = spawnSync(process.execPath, [path.join(paths.root, "dist", "scripts", "e2e.js"), ...args], {
    cwd: paths.root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, REPORTS_DIR: reports, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  fs.rmSync(reports, { recursive: true, force: true });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("npm run e2e prints its one-screen summary; bad input is a clear error with the documented exit code", { timeout: 240_000 }, () => {
  const ok = e2eCommand(["--records", "10000", "--batch-size", "1000", "--method-repeats", "1"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /10,000 records from reviews\.csv in batches of 1,000/);
  assert.match(ok.stdout, /read back exactly once/);
  assert.match(ok.stdout, /One acknowledgement at a time \(the seed's older method\)/);
  const noColumn = e2eCommand(["--records", "100", "--batch-size", "10", "--csv", "data/purchases.csv"]);
  assert.equal(noColumn.code, EXIT_CODES.config);
  assert.match(
    noColumn.stderr,
    /^Error: CSV_PATH: data\/purchases\.csv: line 1: no 'text' column \(columns: user_id, product, quantity\)/m,
  );
  const zero = e2eCommand(["--records", "0"]);
  assert.equal(zero.code, EXIT_CODES.config);
  assert.match(zero.stderr, /RECORDS: '0' is not allowed; use a whole number greater than 0/);
  const unreachable = e2eCommand(["--records", "100", "--batch-size", "10"], { KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1" });
  assert.equal(unreachable.code, EXIT_CODES.connection);
  assert.match(unreachable.stderr, /127\.0\.0\.1:1 \(KAFKA_BOOTSTRAP_SERVERS\) cannot be reached/);
});
