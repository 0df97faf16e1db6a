import type { z } from 'zod';
import { ValidationError } from './validationError';

/**
 * Bounds on a message from a webview, checked before zod sees it: zod reports every bad item, so a
 * message with a million invalid items would take seconds to check and produce a huge error.
 * Webview messages are small (the largest is a `log` line), so the bounds are generous.
 */
export interface MessageBounds {
  /** Values in the message, counting every array item, object property and nested value. */
  readonly maxValues: number;
  readonly maxDepth: number;
  /** Characters of any one string (a property name included). */
  readonly maxStringLength: number;
}

export const WEBVIEW_MESSAGE_BOUNDS: MessageBounds = { maxValues: 10_000, maxDepth: 16, maxStringLength: 100_000 };

/** Longest error text a refused message produces (the log line and the webview's answer). */
export const MAX_ERROR_CHARS = 500;

/** Why `value` exceeds `bounds` (with the path of the first place it does), or undefined. Stops at the first excess. */
export function exceedsBounds(
  value: unknown,
  bounds: MessageBounds = WEBVIEW_MESSAGE_BOUNDS,
): { path: string[]; message: string } | undefined {
  let budget = bounds.maxValues;
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (--budget < 0) return { path, message: `more than ${bounds.maxValues} values in one message` };
    if (typeof current === 'string') {
      if (current.length > bounds.maxStringLength)
        return { path, message: `a string of ${current.length} characters (at most ${bounds.maxStringLength})` };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= bounds.maxDepth) return { path, message: `nested deeper than ${bounds.maxDepth} levels` };
    if (Array.isArray(current)) {
      // Checked on the length first: a huge array is refused without looking at its items.
      if (current.length > budget)
        return { path, message: `an array of ${current.length} items (at most ${bounds.maxValues} values in one message)` };
      for (let index = 0; index < current.length; index++) pending.push({ value: current[index], path: [...path, String(index)] });
      continue;
    }
    let keys = 0;
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue;
      if (++keys > budget) return { path, message: `an object with more than ${budget} properties` };
      if (key.length > bounds.maxStringLength) return { path, message: `a property name of ${key.length} characters` };
      pending.push({ value: (current as Record<string, unknown>)[key], path: [...path, key.slice(0, 100)] });
    }
  }
  return undefined;
}

function capped(error: ValidationError, problems: number): ValidationError {
  const more = problems > error.issues.length ? ` (${problems} problems in all)` : '';
  if (error.message.length + more.length > MAX_ERROR_CHARS) {
    error.message = `${error.message.slice(0, MAX_ERROR_CHARS - more.length - 1)}…`;
  }
  error.message += more;
  return error;
}

/**
 * Parses a message from a webview: bounds first (fast, whatever the message holds), then the
 * schema. A refusal is a `ValidationError` whose text names the field and stays under
 * {@link MAX_ERROR_CHARS} characters.
 */
export function parseUntrusted<S extends z.ZodType>(
  schema: S,
  value: unknown,
  subject: string,
  bounds: MessageBounds = WEBVIEW_MESSAGE_BOUNDS,
): z.output<S> {
  const excess = exceedsBounds(value, bounds);
  if (excess !== undefined) {
    const issue = { code: 'custom', path: excess.path, message: `too large: ${excess.message}`, input: undefined } as z.core.$ZodIssue;
    throw capped(new ValidationError(subject, [issue]), 1);
  }
  return parseCapped(schema, value, subject);
}

/** Parses with `schema`; a refusal's text is capped (its first problems are kept). */
export function parseCapped<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw capped(new ValidationError(subject, result.error.issues.slice(0, 5)), result.error.issues.length);
  }
  return result.data;
}
