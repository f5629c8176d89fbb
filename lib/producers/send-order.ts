/**
 * Matching delivery reports to records without a per-message opaque.
 *
 * Passing each record's sequence number as the report's `opaque` costs the binding a persistent
 * V8 handle per message (made in produce(), freed when its report is delivered): 20-25% of the
 * asynchronous producer's throughput. librdkafka delivers the reports of one partition in the
 * order the messages were produced (absent retries of requests, see below), so when the producer
 * chooses each message's partition itself, a first-in-first-out queue of sequence numbers per
 * partition names the record of every report exactly.
 *
 * The partition is chosen as librdkafka's default partitioner would (consistent_random): a keyed
 * message goes to crc32(key) mod partitions; a message without a key goes to a random partition
 * that is kept for sticky.partitioning.linger.ms (10 ms by default) and then changes. Where the
 * choice cannot be made the same way (another partitioner configured, partition count unknown),
 * the producer falls back to the opaque.
 *
 * The one case where the order can break is a request retried without idempotence: a later batch
 * may be acknowledged before the retried one. The producer counts librdkafka's retries and the
 * reports whose offsets go backwards, and says so with its figures.
 */
import { crc32 } from "node:zlib";
import type { Metadata } from "@confluentinc/kafka-javascript";
import type { Settings } from "../kafka/client";

/**
 * How a delivery report is matched to its record: by per-partition send order, by the opaque, or
 * not at all (a producer that is told of failures only).
 */
export type Attribution = "send order" | "opaque" | "none";

/** A growable ring buffer of sequence numbers: push at the tail, shift from the head. */
export class SeqQueue {
  private buf: Int32Array;
  private head = 0;
  private size = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Int32Array(Math.max(2, initialCapacity));
  }

  get length(): number {
    return this.size;
  }

  push(seq: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) % this.buf.length] = seq;
    this.size++;
  }

  /** The oldest sequence number, or -1 when empty. */
  shift(): number {
    if (this.size === 0) return -1;
    const seq = this.buf[this.head];
    this.head = (this.head + 1) % this.buf.length;
    this.size--;
    return seq;
  }

  private grow(): void {
    const next = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}

/** librdkafka's consistent_random partitioner, for a producer that chooses partitions itself. */
export class DefaultPartitioner {
  private sticky = -1;
  private stickySince = -Infinity;

  constructor(
    readonly partitions: number,
    /** sticky.partitioning.linger.ms: how long a key-less message's partition is kept (0: random per message). */
    private readonly stickyMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The partition for a message with this key, sent at `atMs` (performance.now()). */
  partitionFor(key: string | Buffer | null, atMs: number): number {
    if (key !== null && key.length > 0) return crc32(key) % this.partitions;
    if (this.sticky < 0 || atMs - this.stickySince >= this.stickyMs) {
      this.sticky = Math.floor(this.random() * this.partitions);
      this.stickySince = atMs;
    }
    return this.sticky;
  }
}

/** The topic's partition count in a metadata response, or 0 when it is not there. */
export function partitionCount(metadata: Metadata | undefined, topic: string): number {
  return metadata?.topics?.find((t) => t.name === topic)?.partitions?.length ?? 0;
}

/**
 * A partitioner matching librdkafka's for these settings and partition count, or undefined when
 * the producer must leave the choice to librdkafka (and match reports by opaque).
 */
export function defaultPartitioner(settings: Settings, partitions: number): DefaultPartitioner | undefined {
  const configured = settings.partitioner ?? settings["topic.partitioner"];
  if (configured !== undefined && configured !== "consistent_random") return undefined;
  if (partitions < 1) return undefined;
  const sticky = Number(settings["sticky.partitioning.linger.ms"] ?? 10);
  return new DefaultPartitioner(partitions, Number.isFinite(sticky) ? sticky : 10);
}
