/**
 * The sentences the tuning and client notebooks show, generated from the run's numbers. Where a
 * sentence makes a claim (e.g. "acks=all costs nothing on one broker"), the claim is checked here
 * and the text says so when this run disagrees.
 */
import { fmt, fmtPct, mdTable } from "../core/format";
import {
  API_LABELS,
  API_RUNNER,
  CLIENT_APIS,
  type BackpressureResult,
  type ClientApi,
  type CodecCell,
  type IdempotenceCell,
  type SendOneResult,
} from "./clients";
import type { ForgotPollResult } from "./pitfalls";
import { PLACEMENT_LABELS } from "./placement";
import { fastestTypeScript, type BenchRow } from "./results";
import { bestOf, compareSpread, KNOB_LABELS, type Knob, type PointResult } from "./tuning";

/** Highest vs lowest point of a sweep, with the best value and whether it is beyond noise. */
export function sweepSentence(knob: Knob, points: PointResult[]): string {
  const ok = points.filter((p) => Number.isFinite(p.msgs_per_s));
  if (!ok.length) return `**${KNOB_LABELS[knob]}**: no point finished.`;
  const lo = ok.reduce((a, b) => (b.msgs_per_s < a.msgs_per_s ? b : a));
  const best = bestOf(points);
  const unsupported = points.filter((p) => p.unsupported).map((p) => `${p.value}: ${p.unsupported}`);
  return (
    `**${KNOB_LABELS[knob]}**: best ${best.text}; slowest ${lo.value} at ${fmt(lo.msgs_per_s)} msgs/s ` +
    `(${fmt(best.msgs_per_s / lo.msgs_per_s, 2)}× apart); p99 latency from ${fmt(Math.min(...ok.map((p) => p.p99_ms)), 2)} to ` +
    `${fmt(Math.max(...ok.map((p) => p.p99_ms)), 2)} ms.` +
    (unsupported.length ? ` Not measured: ${unsupported.join("; ")}.` : "") +
    (points.some((p) => p.failed > 0)
      ? ` ⚠️ Some runs had failed deliveries: ${points
          .filter((p) => p.failed > 0)
          .map((p) => `${p.value} (${p.failed})`)
          .join(", ")}.`
      : "")
  );
}

export function onePartitionText(partitions: PointResult[]): string {
  const one = partitions.find((p) => Number(p.value) === 1);
  const best = bestOf(partitions);
  if (!one) return "The partitions sweep did not include 1 partition.";
  const ratio = best.msgs_per_s / one.msgs_per_s;
  const top = partitions.find((p) => p.value === best.best);
  // More partitions "won" only if the best point's slowest repeat beat one partition's fastest.
  const claim = Number(best.best) !== 1 && top !== undefined && compareSpread(top, one) === "higher";
  return (
    `**One partition**: ${fmt(one.msgs_per_s)} msgs/s on 1 partition vs ${fmt(best.msgs_per_s)} on ${best.best} (${fmt(ratio, 2)}×). ` +
    (claim
      ? "In this run more partitions were faster beyond the noise: with one partition all batches go to one leader, one log and, on the consumer " +
        "side, at most one consumer per group."
      : "In this run one partition was **not** clearly slower for one producer on one local broker (the ranges overlap or 1 won): the cost of a " +
        "single partition shows with several brokers (one leader does all the work) and with consumers (at most one per group can read it), which " +
        "this single-machine run does not exercise.")
  );
}

export function forgotPollText(r: ForgotPollResult): string {
  return (
    `**Forgetting to poll**: a callback-API producer with no poll (no \`setPollInBackground\`, no \`poll()\`) queued ${fmt(r.produced)} records, ` +
    `then ${fmt(r.queueFullErrors)} more \`produce()\` calls failed with *Local: Queue full* (its queue holds ${fmt(r.queueLimit)}). ` +
    `In ${fmt(r.waitMs)} ms it received **${fmt(r.reportsWithoutPoll)}** delivery reports; after polling, ${fmt(r.reportsAfterPoll)}. ` +
    (r.reportsWithoutPoll === 0 && r.queueFullErrors > 0
      ? "Without polling the program never learns what was delivered and its queue never frees: it stalls. Our producers poll from JavaScript " +
        "(while sending, while waiting and between sends); the promisified APIs poll for you."
      : "⚠️ This run did not show the stall as expected; see the numbers above.")
  );
}

export function lingerText(points: PointResult[]): string {
  const parts = points.map((p) => `linger.ms=${p.value}: median ${fmt(p.p50_ms, 2)} ms per record (${fmt(p.msgs_per_s)} msgs/s)`);
  const lo = points[0];
  const hi = points[points.length - 1];
  const grows = hi && lo && hi.p50_ms > lo.p50_ms + 0.5 * (Number(hi.value) - Number(lo.value));
  return (
    `**Too-high linger**: a producer that waits for each record: ${parts.join("; ")}. ` +
    (grows
      ? `Each record waited about linger.ms for company that never came: linger buys batching only when many records are in flight (see the linger ` +
        `sweep for the asynchronous producer).`
      : "⚠️ In this run the latency did not grow with linger.ms as expected.")
  );
}

/** acks=all vs acks=1 on one broker (costs nothing, protects nothing more) and on three (costs, protects). */
export function acksText(single: PointResult[], cluster?: PointResult[], clusterReason?: string): string {
  const get = (ps: PointResult[] | undefined, v: string) => ps?.find((p) => String(p.value) === v);
  const s1 = get(single, "1");
  const sAll = get(single, "all");
  const out: string[] = [];
  if (s1 && sAll) {
    const r = sAll.msgs_per_s / s1.msgs_per_s;
    const v = compareSpread(sAll, s1);
    out.push(
      `**acks=all on a single broker**: ${fmt(sAll.msgs_per_s)} msgs/s with acks=all vs ${fmt(s1.msgs_per_s)} with acks=1 (${fmt(r, 2)}×; p99 ` +
        `${fmt(sAll.p99_ms, 2)} vs ${fmt(s1.p99_ms, 2)} ms) — ` +
        (v === "overlap"
          ? 'the same within this run\'s noise, because with one replica "all in-sync replicas" is just the leader: acks=all buys no extra durability ' +
            "there, and a single broker is a single point of failure whatever acks says."
          : v === "unknown"
            ? 'one run each, so this run cannot tell a difference from noise. With one replica "all in-sync replicas" is just the leader: acks=all ' +
              "waits for the same single write and buys no extra durability."
            : "⚠️ in this run the two differ beyond the noise, which one replica does not explain (both wait for the same single write); re-run on a quiet machine."),
    );
  }
  if (cluster) {
    const c1 = get(cluster, "1");
    const cAll = get(cluster, "all");
    if (c1 && cAll) {
      const v = compareSpread(cAll, c1);
      out.push(
        `On the **three-node cluster, replication factor 3**: ${fmt(cAll.msgs_per_s)} msgs/s with acks=all vs ${fmt(c1.msgs_per_s)} with acks=1 ` +
          `(${fmt(cAll.msgs_per_s / c1.msgs_per_s, 2)}×), p50 ${fmt(cAll.p50_ms, 2)} vs ${fmt(c1.p50_ms, 2)} ms, p99 ${fmt(cAll.p99_ms, 2)} vs ${fmt(c1.p99_ms, 2)} ms. ` +
          (v === "lower"
            ? "acks=all was slower in every repeat: that is the price of waiting for the followers, and what buys surviving the loss of a broker."
            : v === "higher"
              ? "⚠️ acks=all was *faster* in every repeat here, which waiting for followers does not explain: a sign of this machine's noise (three " +
                "brokers and the producer share two cores); re-run on a quiet machine."
              : v === "unknown"
                ? "One run each: no spread to tell a difference from noise (set TUNING_REPEATS ≥ 2)."
                : "The ranges overlap: in this run acks=all cost no measurable throughput. With many batches in flight, the wait for followers (on " +
                  "this host, a local fetch) overlaps with sending the next batches; it shows in a single record's latency, and more on a real network.") +
          " All three nodes share this machine's cores, so none of this is a real cluster's number.",
      );
    }
  } else {
    out.push(`Three-node cluster: not measured (${clusterReason ?? "not run"}).`);
  }
  return out.join("\n\n");
}

/** The client comparison in words: each producer's median with its interval, per placement, and the fastest TypeScript one. */
export function clientsText(rows: BenchRow[]): string {
  const out: string[] = [];
  for (const placement of [...new Set(rows.map((r) => r.placement))]) {
    const here = rows.filter((r) => r.placement === placement && !r.note);
    const ref = here.find((r) => r.producer === "perf-tool");
    out.push(`**${PLACEMENT_LABELS[placement]}**:`);
    for (const r of here)
      out.push(
        `- ${r.label}: ${fmt(r.msgs_per_s)} msgs/s (${r.repeats} run${r.repeats > 1 ? "s" : ""}` +
          (r.repeats > 1 ? `, ${fmtPct(r.ci_confidence, 1)} CI ${fmt(r.msgs_per_s_ci_lo)}–${fmt(r.msgs_per_s_ci_hi)}` : "") +
          `), p50 ${fmt(r.latency_p50_ms, 3)} ms, p99 ${fmt(r.latency_p99_ms, 2)} ms, client CPU ${fmt(r.cpu_client_s_per_M, 2)} s per million messages` +
          `${ref && r !== ref ? `, ${fmt(r.vs_perf_tool, 2)}× ProducerPerformance` : ""}.`,
      );
    const fastest = fastestTypeScript(here);
    if (fastest) out.push("", `Fastest TypeScript producer here: **${fastest.label}**.`, "");
  }
  return out.join("\n");
}

/**
 * The framework's suggested "best settings" (section I) set against this run's measured best:
 * the table says for each whether this run agrees. Nothing here is copied into the result.
 */
export function frameworkCheck(sweeps: Partial<Record<Knob, PointResult[]>>): string {
  const suggested: [Knob, string, (v: string) => boolean][] = [
    ["lingerMs", "10–20 ms", (v) => Number(v) >= 10 && Number(v) <= 20],
    ["batchSize", "131,072–262,144 B", (v) => Number(v) >= 131_072 && Number(v) <= 262_144],
    ["compression", "zstd", (v) => v === "zstd"],
    ["acks", "1 or all", (v) => v === "1" || v === "all"],
  ];
  const rows = [["knob", "framework suggests", "this run's best (messages/s)", "agrees?"]];
  for (const [knob, text, ok] of suggested) {
    const pts = sweeps[knob];
    if (!pts) continue;
    const b = bestOf(pts);
    const verdict = ok(String(b.best)) ? "yes" : b.clear ? "**no**" : "no, but within noise";
    rows.push([KNOB_LABELS[knob], text, `${b.best} (${fmt(b.msgs_per_s)}${b.clear ? "" : ", not beyond noise"})`, verdict]);
  }
  return mdTable(rows);
}

export interface ClientEvidence {
  sendOne: SendOneResult[];
  forgotPoll?: { reportsWithoutPoll: number; produced: number };
  backpressure: BackpressureResult[];
  idempotence: IdempotenceCell[];
  codecs: CodecCell[];
  rows: BenchRow[];
  settings: Partial<Record<ClientApi, Record<string, string | number | boolean>>>;
}

/** The framework's side-by-side table for our three APIs, every cell from the evidence measured above. */
export function sideBySideMarkdown(e: ClientEvidence): string {
  const per = <T extends { api: ClientApi }>(xs: T[], api: ClientApi) => xs.find((x) => x.api === api);
  const row = (aspect: string, f: (api: ClientApi) => string) => [aspect, ...CLIENT_APIS.map(f)];
  const throughput = (api: ClientApi) => e.rows.find((r) => r.producer === API_RUNNER[api]);
  const ref = e.rows.find((r) => r.producer === "perf-tool");
  return mdTable([
    ["aspect", ...CLIENT_APIS.map((a) => API_LABELS[a])],
    row("Send API", (a) => `\`${per(e.sendOne, a)?.call ?? "n/a"}\``),
    row("I/O and callbacks", (a) =>
      a === "callback"
        ? `librdkafka threads; delivery reports only when polled (without polling: ` +
          `${e.forgotPoll ? `${e.forgotPoll.reportsWithoutPoll} of ${e.forgotPoll.produced} reports` : "see 04-tuning"}); we poll from JavaScript`
        : a === "compat"
          ? "librdkafka threads; the wrapper polls in the background and resolves send() from the delivery reports"
          : "pure JavaScript on Node's event loop; no polling, send() resolves from the broker's response",
    ),
    row("Backpressure", (a) => per(e.backpressure, a)?.behaviour ?? "n/a"),
    row("Idempotent produce", (a) => {
      const i = per(e.idempotence, a);
      return i ? `${i.setting}: ${fmt(i.delivered)} delivered, ${i.failed} failed (${fmt(i.msgsPerSec)} msgs/s)` : "n/a";
    }),
    row("Throughput (this run)", (a) => {
      const t = throughput(a);
      return t
        ? `${fmt(t.msgs_per_s)} msgs/s, p99 ${fmt(t.latency_p99_ms, 1)} ms${ref ? ` (${fmt(t.vs_perf_tool, 2)}× Java's ProducerPerformance at ${fmt(ref.msgs_per_s)})` : ""}`
        : "not run";
    }),
    row("Compression codecs", (a) => {
      const cs = e.codecs.filter((c) => c.api === a);
      const ok = cs.filter((c) => c.ok).map((c) => c.codec);
      const no = cs.filter((c) => !c.ok).map((c) => c.codec);
      return `${ok.join(", ") || "none"}${no.length ? `; not: ${no.join(", ")}` : ""}`;
    }),
    row("Common tunables", (a) =>
      a === "kafkajs"
        ? "acks, compression, timeout per send(); idempotent, maxInFlightRequests; no linger.ms or batch.size (a batch is one send())"
        : `every librdkafka property (${
            Object.keys(e.settings[a] ?? {})
              .filter((k) => /linger|batch|compression|acks|idempot/.test(k))
              .join(", ") || "linger.ms, batch.size, …"
          } used here)`,
    ),
    row("Delivery status", (a) => {
      const s = per(e.sendOne, a);
      return s ? `${a === "callback" ? "report in the callback" : "send() resolves to"} ${s.deliveryStatus.slice(0, 160)}` : "n/a";
    }),
  ]);
}
