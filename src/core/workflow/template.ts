import { quoteForShell, type ShellDialect } from './shellQuote';

/** One `{{ path }}` in a template: `path` is dot-separated, e.g. `steps.lint.output`. */
export interface TemplatePlaceholder {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}/g;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function findPlaceholders(template: string): TemplatePlaceholder[] {
  const found: TemplatePlaceholder[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    found.push({ path: match[1], start: match.index, end: match.index + match[0].length });
  }
  return found;
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

/**
 * Placeholders that sit inside quotes or backticks of a shell command. Values are quoted when
 * they are interpolated, so a placeholder inside `"…"` would let `$()` and backticks in the value
 * run, and one inside `'…'` would end up unquoted: both are refused.
 */
export function findPlaceholdersInsideShellQuotes(template: string): TemplatePlaceholder[] {
  const placeholders = findPlaceholders(template);
  const quoted: TemplatePlaceholder[] = [];
  let quote: "'" | '"' | '`' | undefined;
  let next = 0;
  for (let index = 0; index < template.length; index++) {
    const placeholder = placeholders[next];
    if (placeholder !== undefined && index === placeholder.start) {
      if (quote !== undefined) {
        quoted.push(placeholder);
      }
      next++;
      index = placeholder.end - 1;
      continue;
    }
    const char = template[index];
    if (char === '\\' && quote !== "'") {
      index++;
    } else if (quote === undefined && (char === "'" || char === '"' || char === '`')) {
      quote = char;
    } else if (char === quote) {
      quote = undefined;
    }
  }
  return quoted;
}

export interface RenderOptions {
  /** When set, every interpolated value is quoted for this shell. */
  readonly quoteFor?: ShellDialect;
}

/** Replaces each placeholder with `lookup(path)`; `lookup` throws a `TemplateError` for unknown paths. */
export function renderTemplate(
  template: string,
  lookup: (path: string) => string,
  options: RenderOptions = {},
): string {
  return template.replace(PLACEHOLDER, (_whole, path: string) => {
    const value = lookup(path);
    return options.quoteFor === undefined ? value : quoteForShell(value, options.quoteFor);
  });
}
