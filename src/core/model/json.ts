import { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** True when `value` survives a JSON round trip unchanged in meaning (no undefined, functions, NaN, cycles…). */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth > 64 || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) {
    if (!isJsonValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Any JSON value (what a JSON column can hold). A hand-written check rather than `z.json()`:
 * event payloads are validated on every append and `z.json()` cost ~100 µs per 500-byte payload.
 */
export const JsonValueSchema = z.custom<JsonValue>((value) => isJsonValue(value), {
  message: 'Expected a JSON value (no undefined, functions, NaN or class instances)',
});

/** A JSON object (workflow state, command metadata, result data). */
export const JsonObjectSchema = z.record(z.string(), JsonValueSchema);
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** Milliseconds since the Unix epoch, as stored in every `*_at` column except `command_at`. */
export const EpochMillisSchema = z.number().int().nonnegative();

/** Store-generated identifiers are `crypto.randomUUID()` values. */
export const UuidSchema = z.uuid();

/** Caller-supplied identifiers (event ids) only need to be non-empty and reasonably short. */
export const ExternalIdSchema = z.string().min(1).max(200);
