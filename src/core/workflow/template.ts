import type { JsonObject } from '../model/json';
import { quoteForShell, ShellQuoteError, type ShellDialect } from './shellQuote';

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
    found.push({ path: match[1]!, start: match.index, end: match.index + match[0].length });
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

export interface HeredocBody {
  readonly ordinal: number;
  readonly delimiter: string;
  readonly quoted: boolean;
  /** The body's text range (without the delimiter line). */
  readonly start: number;
  readonly end: number;
}

export interface ShellTemplateAnalysis {
  /** Placeholders proven safe, in order. */
  readonly placeholders: readonly ShellPlaceholder[];
  readonly problems: readonly ShellTemplateProblem[];
  readonly heredocs: readonly HeredocBody[];
}

type Frame =
  /** Shell code: the top level, or a `$(…)` nested in something else (`depth` counts inner parentheses). */
  | { readonly kind: 'code'; readonly nested: boolean; depth: number }
  | { readonly kind: 'single' }
  | { readonly kind: 'double' }
  /** POSIX `` `…` ``: the text is read twice, so no quoting of a value inside can be proven. */
  | { readonly kind: 'backtick' }
  | { readonly kind: 'comment' }
  /** PowerShell `<# … #>`. */
  | { readonly kind: 'blockComment' }
  /** PowerShell `@'…'@` / `@"…"@`. */
  | { readonly kind: 'hereString'; readonly closer: string }
  /** PowerShell `--%`: the rest of the line goes to the program unparsed. */
  | { readonly kind: 'stopParsing' }
  /** `${…}`, `$((…))`, `((…))`, `[[…]]`: the shell evaluates the text (arithmetic, patterns, expansions). */
  | {
      readonly kind: 'evaluated';
      readonly what: string;
      readonly closer: '}' | '))' | ']]';
      depth: number;
      /** PowerShell `${name}`: everything up to `}` is a variable name (only the backtick escapes). */
      readonly literal?: boolean;
    };

const WORD_BREAK = new Set([undefined, ' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '<', '>']);
const POWERSHELL_SINGLE = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
const POWERSHELL_DOUBLE = new Set(['"', '\u201C', '\u201D', '\u201E']);

function describe(placeholder: TemplatePlaceholder): string {
  return `{{${placeholder.path}}}`;
}

const POWERSHELL_WORD_BREAK = new Set([...WORD_BREAK, '{', '}', ',', '=']);

/** Whether `index` starts a word: the character before is an unescaped break (or there is none). */
function isAtWordStart(text: string, index: number, dialect: ShellDialect): boolean {
  if (!(dialect === 'powershell' ? POWERSHELL_WORD_BREAK : WORD_BREAK).has(text[index - 1])) return false;
  const escape = dialect === 'powershell' ? '`' : '\\';
  let escapes = 0;
  for (let at = index - 2; at >= 0 && text[at] === escape; at--) escapes++;
  return escapes % 2 === 0;
}

/** In fish and PowerShell, where the checker's idea of a comment is less exact, a comment holding these loses the thread. */
const COMMENT_HAZARDS = /['"`\\$(){}<>\u2018-\u201E]/;

function whyRefused(frame: Frame): string | undefined {
  switch (frame.kind) {
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
      return `is inside ${frame.what}, where the shell evaluates text instead of reading a quoted value as one word; pass it in an argument or a variable instead`;
  }
}

/**
 * Reads a shell command template as the shell will and says, for each placeholder, whether its
 * value can be quoted into it safely. It follows quotes (with each dialect's own escapes: fish's
 * `\'` inside single quotes, PowerShell's backtick and typographic quotes), backslashes,
 * comments, command substitutions, here-documents and the constructs where the shell evaluates
 * text (`${…}`, `$((…))`, `((…))`, `[[…]]`). Anything it cannot follow refuses the placeholders
 * after it rather than guess. The scanner always moves forward, so every placeholder is judged.
 */
export function analyseShellTemplate(
  template: string,
  dialect: ShellDialect = 'posix',
  placeholders: readonly TemplatePlaceholder[] = findPlaceholders(template),
): ShellTemplateAnalysis {
  const safe: ShellPlaceholder[] = [];
  const problems: ShellTemplateProblem[] = [];
  const heredocs: HeredocBody[] = [];
  const byStart = new Map(placeholders.map((placeholder) => [placeholder.start, placeholder]));
  const judged = new Set<TemplatePlaceholder>();
  const refuse = (placeholder: TemplatePlaceholder, why: string): void => {
    judged.add(placeholder);
    problems.push({ placeholder, message: `${describe(placeholder)} ${why}` });
  };
  const escapeChar = dialect === 'powershell' ? '`' : '\\';
  const stack: Frame[] = [{ kind: 'code', nested: false, depth: 0 }];
  const pending: { delimiter: string; quoted: boolean; stripTabs: boolean }[] = [];
  /** Set when the scanner meets something shells disagree on: every later placeholder is refused. */
  let lostAt: { index: number; what: string } | undefined;
  const top = (): Frame => stack[stack.length - 1]!; // the bottom 'code' frame is never popped

  const judge = (placeholder: TemplatePlaceholder): void => {
    const before = template[placeholder.start - 1];
    if (lostAt !== undefined) {
      refuse(
        placeholder,
        `comes after ${lostAt.what} (character ${lostAt.index}), which shells read differently, so its quoting cannot be proven; move the value before it or into an argument`,
      );
    } else if (before === '\\' || (dialect === 'powershell' && before === '`')) {
      refuse(
        placeholder,
        `follows a ${before === '\\' ? 'backslash' : 'backtick'}, which would escape the quote its value is put in; remove the ${before === '\\' ? 'backslash' : 'backtick'}`,
      );
    } else if (before === '$' || (dialect === 'powershell' && before === '@')) {
      refuse(
        placeholder,
        `follows ${before}, which would change how the shell reads its quoted value ($'…' makes backslashes escapes); separate them`,
      );
    } else if (template.slice(placeholder.start, placeholder.end).includes('\n')) {
      refuse(placeholder, 'spans a line break; write it on one line');
    } else {
      const frame = stack.find((candidate) => candidate.kind !== 'code') ?? top();
      const why = whyRefused(frame);
      if (why !== undefined) {
        refuse(placeholder, why);
      } else {
        judged.add(placeholder);
        safe.push({ ...placeholder, context: 'argument' });
      }
    }
  };

  /** Reads `<<[-] word` at `index` (just after `<<`); returns where the word ends. */
  const readHeredocOperator = (index: number): number => {
    let at = index;
    let stripTabs = false;
    if (template[at] === '-') {
      stripTabs = true;
      at++;
    }
    while (template[at] === ' ' || template[at] === '\t') at++;
    let delimiter = '';
    let quoted = false;
    while (at < template.length && !WORD_BREAK.has(template[at])) {
      const placeholder = byStart.get(at);
      if (placeholder !== undefined) {
        refuse(placeholder, 'is in a here-document delimiter; write the delimiter literally');
        delimiter += template.slice(at, placeholder.end);
        at = placeholder.end;
        continue;
      }
      const char = template[at];
      if (char === '\\') {
        quoted = true;
        delimiter += template[at + 1] ?? '';
        at += 2;
      } else if (char === "'" || char === '"') {
        quoted = true;
        const close = template.indexOf(char, at + 1);
        const end = close === -1 ? template.length : close;
        for (const inner of placeholders) {
          if (inner.start > at && inner.start < end) refuse(inner, 'is in a here-document delimiter; write the delimiter literally');
        }
        delimiter += template.slice(at + 1, end);
        at = end + 1;
      } else {
        delimiter += char;
        at++;
      }
    }
    pending.push({ delimiter, quoted, stripTabs });
    return at;
  };

  /** Reads the bodies of the pending here-documents, starting at `index` (just after a newline). */
  const readHeredocBodies = (index: number): number => {
    let at = index;
    for (const heredoc of pending.splice(0)) {
      const start = at;
      let end = template.length;
      let next = template.length;
      while (at < template.length) {
        const newline = template.indexOf('\n', at);
        const lineEnd = newline === -1 ? template.length : newline;
        const line = template.slice(at, lineEnd);
        if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) {
          end = at;
          next = newline === -1 ? template.length : newline + 1;
          break;
        }
        at = newline === -1 ? template.length : newline + 1;
      }
      if (end === template.length) at = template.length;
      else at = next;
      const body: HeredocBody = { ordinal: heredocs.length, delimiter: heredoc.delimiter, quoted: heredoc.quoted, start, end };
      heredocs.push(body);
      for (const placeholder of placeholders) {
        if (placeholder.start < start || placeholder.start >= next) continue;
        if (placeholder.end > end) {
          refuse(placeholder, 'crosses the end of a here-document; keep it on its own lines inside the body');
        } else if (lostAt !== undefined) {
          judge(placeholder);
        } else if (dialect !== 'posix') {
          refuse(placeholder, `is in a here-document, which only POSIX shells (sh, bash, zsh) have; run the step in one of them`);
        } else if (!heredoc.quoted) {
          refuse(
            placeholder,
            `is in a here-document whose delimiter is not quoted, so the shell runs $(…) and backticks in its value; quote the delimiter (<<'${heredoc.delimiter}') or pass the value as an argument`,
          );
        } else {
          judged.add(placeholder);
          safe.push({ ...placeholder, context: 'heredoc', heredoc: { ordinal: body.ordinal, delimiter: heredoc.delimiter } });
        }
      }
    }
    return at;
  };

  for (let index = 0; index < template.length;) {
    const placeholder = byStart.get(index);
    if (placeholder !== undefined) {
      judge(placeholder);
      index = placeholder.end;
      continue;
    }
    const frame = top();
    const char = template.charAt(index);
    const nextChar = template.charAt(index + 1);
    // An escape never swallows the start of a placeholder: the placeholder is judged (and refused) itself.
    const skipEscaped = (): number => (byStart.has(index + 1) ? index + 1 : index + 2);
    switch (frame.kind) {
      case 'comment':
      case 'stopParsing':
        if (char === '\n') stack.pop();
        else {
          index++;
          continue;
        }
        break;
      case 'blockComment':
        if (char === '#' && nextChar === '>') {
          stack.pop();
          index += 2;
        } else index++;
        continue;
      case 'hereString':
        if (char === '\n' && template.startsWith(frame.closer, index + 1)) {
          stack.pop();
          index += 1 + frame.closer.length;
        } else index++;
        continue;
      case 'single':
        if (dialect === 'fish' && char === '\\' && (nextChar === '\\' || nextChar === "'")) {
          index = skipEscaped();
        } else if (char === "'" || (dialect === 'powershell' && POWERSHELL_SINGLE.has(char))) {
          stack.pop();
          index++;
        } else index++;
        continue;
      case 'backtick':
        if (char === '\\') index = skipEscaped();
        else {
          if (char === '`') stack.pop();
          index++;
        }
        continue;
      case 'double':
        if (char === escapeChar) {
          index = skipEscaped();
          continue;
        }
        if (char === '"' || (dialect === 'powershell' && POWERSHELL_DOUBLE.has(char))) {
          stack.pop();
          index++;
          continue;
        }
        break;
      case 'evaluated':
        if (frame.literal) {
          if (char === escapeChar) index = skipEscaped();
          else {
            if (char === '}') stack.pop();
            index++;
          }
          continue;
        }
        break;
      case 'code':
        break;
    }
    const current = top();
    if (current.kind !== 'code' && current.kind !== 'evaluated' && current.kind !== 'double') {
      index++;
      continue;
    }
    const inCode = current.kind !== 'double';
    // Substitutions and evaluated constructs open in code and in double quotes alike.
    if (char === '$' && nextChar === '(' && template[index + 2] === '(') {
      stack.push({ kind: 'evaluated', what: '$((…))', closer: '))', depth: 0 });
      index += 3;
      continue;
    }
    if (char === '$' && nextChar === '(') {
      stack.push({ kind: 'code', nested: true, depth: 0 });
      index += 2;
      continue;
    }
    if (char === '$' && nextChar === '{' && !byStart.has(index + 1)) {
      stack.push({ kind: 'evaluated', what: '${…}', closer: '}', depth: 0, literal: dialect === 'powershell' });
      index += 2;
      continue;
    }
    if (char === '`' && dialect === 'posix') {
      stack.push({ kind: 'backtick' });
      index++;
      continue;
    }
    if (!inCode) {
      index++;
      continue;
    }
    // Code (plain or evaluated): escapes, quotes, comments, here-documents, closers.
    if (char === escapeChar) {
      index = skipEscaped();
      continue;
    }
    if (char === '$' && nextChar === "'" && dialect === 'posix') {
      lostAt ??= { index, what: "$'…'" };
      index++;
      continue;
    }
    if (char === "'" || (dialect === 'powershell' && POWERSHELL_SINGLE.has(char))) {
      stack.push({ kind: 'single' });
      index++;
      continue;
    }
    if (char === '"' || (dialect === 'powershell' && POWERSHELL_DOUBLE.has(char))) {
      stack.push({ kind: 'double' });
      index++;
      continue;
    }
    if (dialect === 'powershell' && char === '@' && (POWERSHELL_SINGLE.has(nextChar) || POWERSHELL_DOUBLE.has(nextChar))) {
      stack.push({ kind: 'hereString', closer: `${POWERSHELL_SINGLE.has(nextChar) ? "'" : '"'}@` });
      index += 2;
      continue;
    }
    if (dialect === 'powershell' && char === '<' && nextChar === '#') {
      stack.push({ kind: 'blockComment' });
      index += 2;
      continue;
    }
    const wordStart = isAtWordStart(template, index, dialect);
    if (char === '#' && wordStart) {
      const lineEnd = template.indexOf('\n', index);
      if (dialect !== 'posix' && COMMENT_HAZARDS.test(template.slice(index, lineEnd === -1 ? undefined : lineEnd))) {
        lostAt ??= { index, what: 'a comment with quotes or brackets in it' };
      }
      stack.push({ kind: 'comment' });
      index++;
      continue;
    }
    if (dialect === 'powershell' && wordStart && template.startsWith('--%', index)) {
      stack.push({ kind: 'stopParsing' });
      index += 3;
      continue;
    }
    if (current.kind === 'evaluated') {
      if (current.closer === '}') {
        if (char === '{') current.depth++;
        else if (char === '}' && current.depth-- === 0) stack.pop();
      } else if (current.closer === '))') {
        if (char === '(') current.depth++;
        else if (char === ')') {
          if (current.depth > 0) current.depth--;
          else {
            stack.pop();
            if (nextChar === ')') index++;
          }
        }
      } else if (char === ']' && nextChar === ']' && wordStart && WORD_BREAK.has(template[index + 2])) {
        stack.pop();
        index++;
      }
      index++;
      continue;
    }
    // Plain code from here on.
    if (wordStart && char === '(' && nextChar === '(') {
      stack.push({ kind: 'evaluated', what: '((…))', closer: '))', depth: 0 });
      index += 2;
      continue;
    }
    if (wordStart && char === '[' && nextChar === '[' && WORD_BREAK.has(template[index + 2])) {
      stack.push({ kind: 'evaluated', what: '[[…]]', closer: ']]', depth: 0 });
      index += 2;
      continue;
    }
    if (current.nested && wordStart && template.startsWith('case', index) && WORD_BREAK.has(template[index + 4])) {
      // `case … in a)` puts unmatched `)` inside $(…): its end can no longer be found reliably.
      lostAt ??= { index, what: 'case inside $(…)' };
    }
    if (char === '(') current.depth++;
    if (char === ')' && current.nested) {
      if (current.depth === 0) stack.pop();
      else current.depth--;
    }
    if (char === '<' && nextChar === '<' && template[index + 2] !== '<' && template[index - 1] !== '<') {
      // fish and PowerShell have no here-documents: what follows is theirs to misread.
      if (dialect !== 'posix') lostAt ??= { index, what: 'a here-document (<<), which only POSIX shells have' };
      index = readHeredocOperator(index + 2);
      continue;
    }
    if (char === '\n' && pending.length > 0) {
      index = readHeredocBodies(index + 1);
      continue;
    }
    index++;
  }
  for (const placeholder of placeholders) {
    if (!judged.has(placeholder)) refuse(placeholder, 'could not be read by the template checker; move it elsewhere in the command');
  }
  problems.sort((a, b) => a.placeholder.start - b.placeholder.start);
  safe.sort((a, b) => a.start - b.start);
  return { placeholders: safe, problems, heredocs };
}

/** The placeholders of a shell command template that the checker refuses, with why (for validation). */
export function findUnsafeShellPlaceholders(template: string, dialect: ShellDialect = 'posix'): ShellTemplateProblem[] {
  return [...analyseShellTemplate(template, dialect).problems];
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
    return template.replace(PLACEHOLDER, (_whole, path: string) => lookup(path));
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
        if (error instanceof ShellQuoteError) throw new TemplateError(`${describe(placeholder)}: ${error.message}`);
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
          `the value of ${describe(placeholder)} contains the line "${placeholder.heredoc?.delimiter}", which would end its here-document early and run what follows; ` +
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
