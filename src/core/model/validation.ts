import type { z } from 'zod';
import { ValidationError } from '../../protocol/validationError';

export { ValidationError };

/** Parses `value` with `schema`, throwing a {@link ValidationError} that names the bad fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(subject, result.error.issues);
  }
  return result.data;
}
