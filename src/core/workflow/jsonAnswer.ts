import type { z } from 'zod';

export type JsonAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Reads a JSON document out of a model's answer — a ```json fence if there is one, else the text
 * from the first `{` to the last `}` — and validates it. The error names the bad fields so it can
 * be sent back to the model.
 */
export function parseJsonAnswer<S extends z.ZodType>(answer: string, schema: S): JsonAnswer<z.output<S>> {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/.exec(answer);
  const candidate = fenced?.[1] ?? answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1);
  if (candidate.trim() === '') {
    return { ok: false, error: 'the answer contains no JSON object' };
  }
  let json: unknown;
  try {
    json = JSON.parse(candidate);
  } catch (error) {
    return { ok: false, error: `the JSON does not parse: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    return { ok: false, error: problems.join('; ') };
  }
  return { ok: true, value: parsed.data };
}
