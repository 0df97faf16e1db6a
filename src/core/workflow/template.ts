/**
 * Fills templates: plain text, or a shell command whose values are checked and quoted for its shell
 * (`shellTemplateAnalysis.ts` says where each placeholder may go), and the metadata that lets a
 * terminal fill a command again for the shell it actually runs.
 */
import type { JsonObject } from '../model/json';
import { quoteForShell, ShellQuoteError, type ShellDialect } from './shellQuote';
import { analyseShellTemplate, type ShellPlaceholder } from './shellTemplateAnalysis';
import { describePlaceholder, replacePlaceholders } from './templatePlaceholders';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface RenderOptions {
  /**
   * When set, the template is a shell command for this shell: it is checked (a refused
   * placeholder throws a `TemplateError`), each value in an argument is quoted for it, and a value
   * in a quoted here-document goes in as it is, provided it does not end the here-document.
   */
  readonly quoteFor?: ShellDialect;
}

/** Replaces each placeholder with `lookup(path)`; `lookup` throws a `TemplateError` for unknown paths. */
export function renderTemplate(template: string, lookup: (path: string) => string, options: RenderOptions = {}): string {
  if (options.quoteFor === undefined) {
    return replacePlaceholders(template, lookup);
  }
  return renderShellTemplate(template, lookup, options.quoteFor);
}

function renderShellTemplate(template: string, lookup: (path: string) => string, dialect: ShellDialect): string {
  const analysis = analyseShellTemplate(template, dialect);
  if (analysis.problems.length > 0) {
    throw new TemplateError(analysis.problems.map((problem) => problem.message).join('; '));
  }
  let output = '';
  let copied = 0;
  const inHeredocs: { placeholder: ShellPlaceholder; start: number; end: number }[] = [];
  for (const placeholder of analysis.placeholders) {
    output += template.slice(copied, placeholder.start);
    const value = lookup(placeholder.path);
    if (placeholder.context === 'heredoc') {
      inHeredocs.push({ placeholder, start: output.length, end: output.length + value.length });
      output += value;
    } else {
      try {
        output += quoteForShell(value, dialect);
      } catch (error) {
        if (error instanceof ShellQuoteError) throw new TemplateError(`${describePlaceholder(placeholder)}: ${error.message}`);
        throw error;
      }
    }
    copied = placeholder.end;
  }
  output += template.slice(copied);
  if (inHeredocs.length > 0) {
    // Proof by reading the result again: each value must still lie inside its own here-document.
    const bodies = analyseShellTemplate(output, dialect, []).heredocs;
    for (const { placeholder, start, end } of inHeredocs) {
      const body = bodies[placeholder.heredoc?.ordinal ?? -1];
      if (body === undefined || body.delimiter !== placeholder.heredoc?.delimiter || start < body.start || end > body.end) {
        throw new TemplateError(
          `the value of ${describePlaceholder(placeholder)} contains the line "${placeholder.heredoc?.delimiter}", which would end its here-document early and run what follows; ` +
            'choose a delimiter the value cannot contain, or pass the value as an argument',
        );
      }
    }
  }
  return output;
}

/** Where a workflow shell command keeps its template and values, so a terminal can quote them for its own shell. */
const SHELL_TEMPLATE_KEY = 'shellTemplate';

/** Metadata for a shell command rendered from `template` with these `values` (by placeholder path). */
export function shellTemplateMetadata(template: string, values: Readonly<Record<string, string>>): JsonObject {
  return { [SHELL_TEMPLATE_KEY]: { template, values: { ...values } } };
}

/** The values a shell command was filled with (empty when it has no template). */
export function shellTemplateValues(metadata: JsonObject): string[] {
  const stored = metadata[SHELL_TEMPLATE_KEY];
  const values =
    stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as { values?: unknown }).values : undefined;
  return values !== null && typeof values === 'object'
    ? Object.values(values).filter((value): value is string => typeof value === 'string')
    : [];
}

/**
 * The command line of a shell command for `dialect` (`undefined`: a shell whose quoting is not
 * known): re-rendered from its template when it has one (so each value is quoted for the shell that
 * runs it), otherwise the command as it is.
 * Throws a `TemplateError` when the template cannot be filled safely for that shell.
 */
export function shellCommandFor(command: string, metadata: JsonObject, dialect: ShellDialect | undefined): string {
  const stored = metadata[SHELL_TEMPLATE_KEY];
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) {
    return command;
  }
  const { template, values } = stored as { template?: unknown; values?: unknown };
  if (typeof template !== 'string' || values === null || typeof values !== 'object' || Array.isArray(values)) {
    return command;
  }
  if (dialect === undefined) {
    throw new TemplateError(
      "Session Ledger does not know how this shell quotes values, so it cannot put the step's values into its command safely.",
    );
  }
  const known = values as Record<string, unknown>;
  return renderTemplate(
    template,
    (path) => {
      const value = Object.hasOwn(known, path) ? known[path] : undefined;
      if (typeof value !== 'string') throw new TemplateError(`no value was recorded for {{${path}}}`);
      return value;
    },
    { quoteFor: dialect },
  );
}
