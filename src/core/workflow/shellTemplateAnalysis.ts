import type { ShellDialect } from './shellQuote';
import type { HeredocBody } from './shellHeredoc';
import { scanShellTemplate, type LostThread, type PlaceholderSighting, type ShellContext } from './shellTemplateScanner';
import { describePlaceholder, findPlaceholders, type TemplatePlaceholder } from './templatePlaceholders';

/**
 * Where a placeholder of a shell command sits, once proven safe:
 * - `argument`: in plain shell code, where the quoted value is one literal word;
 * - `heredoc`: in the body of a here-document whose delimiter is quoted (`<<'EOF'`), where the
 *   shell reads nothing in the body, so the value goes in as it is (and must not end the body).
 */
export type ShellPlaceholderContext = 'argument' | 'heredoc';

export interface ShellPlaceholder extends TemplatePlaceholder {
  readonly context: ShellPlaceholderContext;
  /** For `heredoc`: which here-document of the command (0-based) and its delimiter. */
  readonly heredoc?: { readonly ordinal: number; readonly delimiter: string };
}

/** A placeholder the checker refuses, and why (the message says what to write instead). */
export interface ShellTemplateProblem {
  readonly placeholder: TemplatePlaceholder;
  readonly message: string;
}

export interface ShellTemplateAnalysis {
  /** Placeholders proven safe, in order. */
  readonly placeholders: readonly ShellPlaceholder[];
  readonly problems: readonly ShellTemplateProblem[];
  readonly heredocs: readonly HeredocBody[];
}

/**
 * Says, for each placeholder of a shell command template, whether its value can be quoted into it
 * safely, from where the scanner (`shellTemplateScanner.ts`) met it: anything the scanner could not
 * follow refuses the placeholders after it rather than guess.
 */
export function analyseShellTemplate(
  template: string,
  dialect: ShellDialect = 'posix',
  placeholders: readonly TemplatePlaceholder[] = findPlaceholders(template),
): ShellTemplateAnalysis {
  const scan = scanShellTemplate(template, dialect, placeholders);
  const safe: ShellPlaceholder[] = [];
  const problems: ShellTemplateProblem[] = [];
  const refuse = (placeholder: TemplatePlaceholder, why: string): void => {
    problems.push({ placeholder, message: `${describePlaceholder(placeholder)} ${why}` });
  };
  for (const sighting of scan.sightings) {
    const verdict = judge(template, dialect, sighting);
    if (typeof verdict === 'string') refuse(sighting.placeholder, verdict);
    else safe.push(verdict);
  }
  const seen = new Set(scan.sightings.map((sighting) => sighting.placeholder));
  for (const placeholder of placeholders) {
    if (!seen.has(placeholder)) refuse(placeholder, 'could not be read by the template checker; move it elsewhere in the command');
  }
  problems.sort((a, b) => a.placeholder.start - b.placeholder.start);
  safe.sort((a, b) => a.start - b.start);
  return { placeholders: safe, problems, heredocs: scan.heredocs };
}

/** The placeholders of a shell command template that the checker refuses, with why (for validation). */
export function findUnsafeShellPlaceholders(template: string, dialect: ShellDialect = 'posix'): ShellTemplateProblem[] {
  return [...analyseShellTemplate(template, dialect).problems];
}

/** The placeholder, proven safe where it is, or why it is refused. */
function judge(template: string, dialect: ShellDialect, sighting: PlaceholderSighting): ShellPlaceholder | string {
  switch (sighting.kind) {
    case 'heredocDelimiter':
      return 'is in a here-document delimiter; write the delimiter literally';
    case 'heredocBody':
      return judgeInHeredoc(dialect, sighting);
    case 'code':
      return judgeInCode(template, dialect, sighting);
  }
}

function judgeInCode(
  template: string,
  dialect: ShellDialect,
  { placeholder, context, lost }: Extract<PlaceholderSighting, { kind: 'code' }>,
): ShellPlaceholder | string {
  if (lost !== undefined) return afterLostThread(lost);
  const before = template[placeholder.start - 1];
  if (before === '\\' || (dialect === 'powershell' && before === '`')) {
    const escape = before === '\\' ? 'backslash' : 'backtick';
    return `follows a ${escape}, which would escape the quote its value is put in; remove the ${escape}`;
  }
  if (before === '$' || (dialect === 'powershell' && before === '@')) {
    return `follows ${before}, which would change how the shell reads its quoted value ($'…' makes backslashes escapes); separate them`;
  }
  if (template.slice(placeholder.start, placeholder.end).includes('\n')) return 'spans a line break; write it on one line';
  return whyRefusedIn(context) ?? { ...placeholder, context: 'argument' };
}

function judgeInHeredoc(
  dialect: ShellDialect,
  { placeholder, body, crossesEnd, lost }: Extract<PlaceholderSighting, { kind: 'heredocBody' }>,
): ShellPlaceholder | string {
  if (crossesEnd) return 'crosses the end of a here-document; keep it on its own lines inside the body';
  if (lost !== undefined) return afterLostThread(lost);
  if (dialect !== 'posix') return 'is in a here-document, which only POSIX shells (sh, bash, zsh) have; run the step in one of them';
  if (!body.quoted) {
    return `is in a here-document whose delimiter is not quoted, so the shell runs $(…) and backticks in its value; quote the delimiter (<<'${body.delimiter}') or pass the value as an argument`;
  }
  return { ...placeholder, context: 'heredoc', heredoc: { ordinal: body.ordinal, delimiter: body.delimiter } };
}

function afterLostThread(lost: LostThread): string {
  return `comes after ${lost.what} (character ${lost.index}), which shells read differently, so its quoting cannot be proven; move the value before it or into an argument`;
}

function whyRefusedIn(context: ShellContext): string | undefined {
  switch (context.kind) {
    case 'code':
      return undefined;
    case 'single':
    case 'double':
      return 'is inside quotes; values are shell-quoted automatically, so remove the quotes around it';
    case 'backtick':
      return 'is inside backticks, where a quoted value is read a second time; use $(…) instead of backticks';
    case 'comment':
    case 'blockComment':
      return 'is inside a comment, where a value with a line break would end the comment and run its next line; move it out of the comment';
    case 'hereString':
      return 'is inside a PowerShell here-string, which a value could end; pass the value as an argument instead';
    case 'stopParsing':
      return 'comes after --%, which makes PowerShell pass the rest of the line unquoted; remove --%';
    case 'evaluated':
      return `is inside ${context.what}, where the shell evaluates text instead of reading a quoted value as one word; pass it in an argument or a variable instead`;
  }
}
