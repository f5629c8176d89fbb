/**
 * Validating values that come from people (environment, .env, command-line options, notebook
 * parameters): every bad value is a ConfigError naming the key and what is allowed.
 */
import { ConfigError } from "./errors";

export type RawValue = string | number | boolean | undefined | null;

export interface Range {
  min: number;
  max?: number;
}

/** "a whole number from 1 to 1,000", "a whole number, 0 or more", "a whole number greater than 0". */
export function describeRange({ min, max }: Range): string {
  const n = (x: number) => x.toLocaleString("en-US");
  if (max !== undefined) return `a whole number from ${n(min)} to ${n(max)}`;
  return min === 0 ? "a whole number, 0 or more" : `a whole number greater than ${n(min - 1)}`;
}

/** A whole number in range ("20_000" allowed); a ConfigError naming key otherwise. */
export function wholeNumber(key: string, raw: RawValue, range: Range): number {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  const n = typeof raw === "number" ? raw : Number(text.replace(/_/g, ""));
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (text === "" || !Number.isSafeInteger(n) || n < range.min || n > max) {
    throw new ConfigError(key, `'${String(raw ?? "")}' is not allowed; use ${describeRange(range)}.`);
  }
  return n;
}

/** One of the allowed words, case-insensitive; aliases map other spellings onto them. */
export function oneOf<T extends string>(key: string, raw: RawValue, allowed: readonly T[], aliases: Record<string, T> = {}): T {
  const v = String(raw ?? "").trim();
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase()) ?? aliases[v.toLowerCase()];
  if (!hit) throw new ConfigError(key, `'${v}' is not allowed; use one of ${allowed.join(", ")}.`);
  return hit;
}

/** true/false, yes/no, 1/0. */
export function flag(key: string, raw: RawValue): boolean {
  if (typeof raw === "boolean") return raw;
  const v = String(raw ?? "")
    .trim()
    .toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no"].includes(v)) return false;
  throw new ConfigError(key, `'${String(raw ?? "")}' is not allowed; use true or false.`);
}

/** A value that may be missing: undefined, null and blank strings read as "not given". */
export function given(raw: RawValue): boolean {
  return raw !== undefined && raw !== null && String(raw).trim() !== "";
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** A Kafka topic name: 1 to 249 letters, digits, '.', '_' and '-', and not "." or ".."; a ConfigError naming key otherwise. */
export function topicName(key: string, raw: RawValue): string {
  const name = String(raw ?? "");
  if (!TOPIC_NAME.test(name) || name === "." || name === "..") {
    throw new ConfigError(key, `'${name}' is not a valid Kafka topic name; use letters, digits, '.', '_' and '-' (at most 249).`);
  }
  return name;
}
