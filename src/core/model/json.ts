import { z } from 'zod';

/** Any JSON value (what a JSON column can hold). */
export const JsonValueSchema = z.json();
export type JsonValue = z.infer<typeof JsonValueSchema>;

/** A JSON object (workflow state, command metadata, result data). */
export const JsonObjectSchema = z.record(z.string(), JsonValueSchema);
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** Milliseconds since the Unix epoch, as stored in every `*_at` column except `command_at`. */
export const EpochMillisSchema = z.number().int().nonnegative();

/** Store-generated identifiers are `crypto.randomUUID()` values. */
export const UuidSchema = z.uuid();

/** Caller-supplied identifiers (event ids) only need to be non-empty and reasonably short. */
export const ExternalIdSchema = z.string().min(1).max(200);
