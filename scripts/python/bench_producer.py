#!/usr/bin/env python
"""One Python producer's run for `npm run bench` (lib/bench/drivers/python.ts starts it from .venv).

    bench_producer.py --client confluent-kafka|kafka-python --mode sync|async --topic T
                      --records N --warmup W --record-size B [--keyed] --config JSON

The producers, each done the way its users write it:
  confluent-kafka async   produce() + poll(0) per record, flush() at the end (the assignment's way);
                          a full local queue (BufferError) is served with poll() and retried
  confluent-kafka sync    produce() + flush() per record (the assignment's way)
  kafka-python async      send() per record (a future; callbacks on the I/O thread), flush() at the end

The connection (bootstrap servers, security protocol, SASL user and password, CA file) comes as
JSON in librdkafka's names in the environment variable KPP_KAFKA_CONNECTION, so no password is
ever on a command line. --config holds the workload's producer settings, already in the client's
own names (lib/bench/workload.ts maps them), and the topic exists.

What is measured, like the TypeScript drivers: warm-up records are sent and flushed first, on
the same producer, into their own recorder; then, with time.perf_counter (monotonic), record i's
send time just before its first produce()/send() attempt and its acknowledgement time when its
delivery callback runs. Wall time: first measured send to the last acknowledgement. CPU over the
same part: the whole process (getrusage), its main thread (time.thread_time) and librdkafka's
threads (names "rdk:*", from /proc/self/task).

stdout is JSON lines: {"event": "start"} just before the first measured send, {"event":
"progress", "acknowledged": n} about once a second, {"event": "end"} once every measured record is
acknowledged or failed, then one {"event": "result", ...}. A problem the user can fix is
{"event": "error", "kind": "config" | "connection", "message": ...} with exit code 2 or 3.
"""
import argparse
import base64
import json
import os
import platform
import resource
import sys
import time
from array import array
from functools import partial

perf_counter = time.perf_counter
FLUSH_TIMEOUT_S = 300
ERRORS_KEPT = 3


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}, separators=(",", ":")), flush=True)


def fail(kind, message, code):
    emit("error", kind=kind, message=message)
    sys.exit(code)


def seeded_random(seed):
    """mulberry32, as lib/core/random.ts: the same record values as the TypeScript producers send."""
    state = seed & 0xFFFFFFFF

    def next_float():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_float


def payloads(records, size, seed=1):
    """Random upper-case letters, a pool reused cyclically (lib/bench/workload.ts makePayloads)."""
    rand = seeded_random(seed)
    count = max(1, min(records, 4096, 64_000_000 // size))
    return [bytes(65 + int(rand() * 26) for _ in range(size)) for _ in range(count)]


class Recorder:
    """Send and acknowledgement times of records 0..n-1, counts, and the first distinct errors."""

    __slots__ = ("sent", "acked", "delivered", "failed", "errors", "last_ack")

    def __init__(self, n):
        self.sent = array("d", bytes(8 * n))
        self.acked = array("d", bytes(8 * n))
        self.delivered = 0
        self.failed = 0
        self.errors = []
        self.last_ack = float("nan")

    def ok(self, i, *_):
        t = perf_counter()
        self.acked[i] = t
        self.last_ack = t
        self.delivered += 1

    def error(self, i, err):
        self.failed += 1
        text = str(err)
        if len(self.errors) < ERRORS_KEPT and text not in self.errors:
            self.errors.append(text)

    def on_delivery(self, i, err, _msg):
        """confluent-kafka's delivery callback (bound to the record's index with partial)."""
        if err is None:
            self.ok(i)
        else:
            self.error(i, err)

    @property
    def acknowledged(self):
        return self.delivered + self.failed


def librdkafka_thread_seconds():
    """CPU seconds of each live thread named rdk:* (librdkafka's), by thread id: its schedstat run
    time (ns) where the kernel keeps it, else its stat ticks (as lib/core/cpu.ts reads them)."""
    out = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if not name.startswith("rdk:"):
            continue
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                out[tid] = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError):
            fields = stat[stat.rindex(")") + 2 :].split(" ")
            out[tid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def cpu_snapshot():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"process": ru.ru_utime + ru.ru_stime, "main": time.thread_time(), "rdk": librdkafka_thread_seconds(), "t": perf_counter()}


def cpu_window(a, b):
    rdk = None  # no librdkafka threads (kafka-python), or no /proc
    if a["rdk"] is not None and b["rdk"] is not None and (a["rdk"] or b["rdk"]):
        rdk = sum(s - a["rdk"].get(tid, 0.0) for tid, s in b["rdk"].items())
    return {"window_s": b["t"] - a["t"], "process_s": b["process"] - a["process"], "main_s": b["main"] - a["main"], "librdkafka_s": rdk}


class Progress:
    """A progress line at most once a second, checked every 8,192 records."""

    def __init__(self):
        self.last = perf_counter()

    def __call__(self, rec):
        t = perf_counter()
        if t - self.last >= 1.0:
            self.last = t
            emit("progress", acknowledged=rec.acknowledged)


def confluent_producer(connection, config):
    try:
        import confluent_kafka
    except ImportError:
        fail("config", "confluent-kafka is not installed in .venv: run `npm run setup` (it installs requirements.txt)", 2)
    version = f"confluent-kafka {confluent_kafka.__version__} (librdkafka {confluent_kafka.libversion()[0]})"
    return confluent_kafka.Producer({**connection, **config}), version


def kafka_python_producer(connection, config):
    try:
        import kafka
        from kafka import codec
        from kafka.errors import KafkaError
    except ImportError:
        fail("config", "kafka-python is not installed in .venv: run `npm run setup` (it installs requirements.txt)", 2)
    compression = config.get("compression_type")
    available = {"gzip": codec.has_gzip, "snappy": codec.has_snappy, "lz4": codec.has_lz4, "zstd": codec.has_zstd}
    if compression and not available.get(compression, lambda: False)():
        # A codec whose Python library is not installed: a row saying why, not a failed bench.
        emit("result", unsupported=f"kafka-python: compression {compression} needs a Python library that is not installed in .venv")
        sys.exit(0)
    conf = {"bootstrap_servers": connection["bootstrap.servers"].split(","), "security_protocol": connection["security.protocol"].upper()}
    names = {"sasl.mechanisms": "sasl_mechanism", "sasl.username": "sasl_plain_username", "sasl.password": "sasl_plain_password", "ssl.ca.location": "ssl_cafile"}
    conf.update({names[k]: v for k, v in connection.items() if k in names})
    try:
        producer = kafka.KafkaProducer(**conf, **config)
    except KafkaError as e:
        fail("connection", f"kafka-python could not connect to {connection['bootstrap.servers']}: {e}", 3)
    return producer, f"kafka-python {kafka.__version__}"


def confluent_async(producer, topic, n, message, rec, progress):
    produce, poll, cb, sent = producer.produce, producer.poll, rec.on_delivery, rec.sent
    for i in range(n):
        key, value = message(i)
        sent[i] = perf_counter()
        while True:
            try:
                produce(topic, value, key, on_delivery=partial(cb, i))
                break
            except BufferError:
                poll(0.05)  # the local queue is full: serve delivery reports, then retry
        poll(0)
        if not i & 0x1FFF:
            progress(rec)
    producer.flush(FLUSH_TIMEOUT_S)
    return n


def confluent_sync(producer, topic, n, message, rec, progress):
    produce, flush, cb, sent = producer.produce, producer.flush, rec.on_delivery, rec.sent
    for i in range(n):
        key, value = message(i)
        sent[i] = perf_counter()
        produce(topic, value, key, on_delivery=partial(cb, i))
        flush(FLUSH_TIMEOUT_S)  # returns once this record's delivery report has been served
        if not i & 0x1FFF:
            progress(rec)
    return n


def kafka_python_async(producer, topic, n, message, rec, progress):
    send, ok, error, sent = producer.send, rec.ok, rec.error, rec.sent
    for i in range(n):
        key, value = message(i)
        sent[i] = perf_counter()
        future = send(topic, value=value, key=key)
        future.add_callback(ok, i)
        future.add_errback(error, i)
        if not i & 0x1FFF:
            progress(rec)
    producer.flush(FLUSH_TIMEOUT_S)
    return n


SENDERS = {("confluent-kafka", "async"): confluent_async, ("confluent-kafka", "sync"): confluent_sync, ("kafka-python", "async"): kafka_python_async}


def latencies_b64(rec, n):
    """Latencies of the delivered records in whole µs, uint32 little-endian, base64."""
    out = array("I")
    sent, acked = rec.sent, rec.acked
    for i in range(n):
        if acked[i] > 0.0:
            out.append(max(0, round((acked[i] - sent[i]) * 1e6)))
    if sys.byteorder != "little":
        out.byteswap()
    return base64.b64encode(out.tobytes()).decode("ascii")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--client", required=True, choices=["confluent-kafka", "kafka-python"])
    parser.add_argument("--mode", required=True, choices=["sync", "async"])
    parser.add_argument("--topic", required=True)
    parser.add_argument("--records", required=True, type=int)
    parser.add_argument("--warmup", default=0, type=int)
    parser.add_argument("--record-size", required=True, type=int)
    parser.add_argument("--keyed", action="store_true")
    parser.add_argument("--config", default="{}")
    args = parser.parse_args()
    sender = SENDERS.get((args.client, args.mode))
    if sender is None:
        fail("config", f"no {args.mode} producer for {args.client}", 2)
    if args.records < 1 or args.record_size < 1 or args.warmup < 0:
        fail("config", "--records and --record-size must be at least 1, --warmup at least 0", 2)
    try:
        connection = json.loads(os.environ["KPP_KAFKA_CONNECTION"])
    except (KeyError, ValueError):
        fail("config", "KPP_KAFKA_CONNECTION must hold the connection as JSON (librdkafka's names)", 2)
    config = json.loads(args.config)

    pool = payloads(args.records, args.record_size)
    keys = [f"key-{i}".encode() for i in range(1000)] if args.keyed else None
    npool = len(pool)

    def message(i):
        return (keys[i % 1000] if keys else None), pool[i % npool]

    make = confluent_producer if args.client == "confluent-kafka" else kafka_python_producer
    producer, version = make(connection, config)
    progress = Progress()
    warm = Recorder(args.warmup)
    if args.warmup:
        sender(producer, args.topic, args.warmup, message, warm, progress)
    rec = Recorder(args.records)
    emit("start")
    cpu0 = cpu_snapshot()
    t0 = perf_counter()
    sent = sender(producer, args.topic, args.records, message, rec, progress)
    cpu1 = cpu_snapshot()
    emit("end")
    if args.client == "kafka-python":
        producer.close(timeout=10)
    unacknowledged = max(0, sent - rec.acknowledged)
    if unacknowledged:
        rec.errors.append(f"{unacknowledged} messages still unacknowledged when the run stopped")
    emit(
        "result",
        client=f"{version}, Python {platform.python_version()}",
        records=args.records,
        sent=sent,
        delivered=rec.delivered,
        failed=rec.failed + unacknowledged,
        errors=rec.errors[:ERRORS_KEPT],
        wall_s=(rec.last_ack - t0) if rec.delivered else 0.0,
        latencies_us=latencies_b64(rec, sent),
        cpu=cpu_window(cpu0, cpu1),
    )


if __name__ == "__main__":
    main()
