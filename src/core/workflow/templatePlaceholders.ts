/** One `{{ path }}` in a template: `path` is dot-separated, e.g. `steps.lint.output`. */
export interface TemplatePlaceholder {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}/g;

export function findPlaceholders(template: string): TemplatePlaceholder[] {
  const found: TemplatePlaceholder[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    found.push({ path: match[1]!, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

/** Replaces each placeholder with `value(path)`, in one pass (a value is never read for placeholders). */
export function replacePlaceholders(template: string, value: (path: string) => string): string {
  return template.replace(PLACEHOLDER, (_whole, path: string) => value(path));
}

/**
 * A `{{` that does not open a well-formed placeholder is almost always a typo; callers report it
 * rather than send the braces to a shell or a model.
 */
export function findMalformedPlaceholder(template: string): number | undefined {
  const withoutPlaceholders = template.replace(PLACEHOLDER, (whole) => ' '.repeat(whole.length));
  const index = withoutPlaceholders.indexOf('{{');
  return index === -1 ? undefined : index;
}

/** How messages name a placeholder: `{{steps.lint.output}}`. */
export function describePlaceholder(placeholder: TemplatePlaceholder): string {
  return `{{${placeholder.path}}}`;
}
