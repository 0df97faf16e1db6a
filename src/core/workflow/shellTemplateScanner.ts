/**
 * Reads a shell command template as the shell will, keeping a stack of the contexts it is in
 * (quotes, substitutions, comments, evaluated text…), and records where each placeholder sits. It
 * follows each dialect's own escapes (fish's `\'` inside single quotes, PowerShell's backtick and
 * typographic quotes) and here-documents. It judges nothing: `shellTemplateAnalysis.ts` does.
 * It always moves forward; a placeholder it steps over unrecorded is refused by the analysis.
 */
import { findHeredocEnd, readHeredocOperator, WORD_BREAK, type HeredocBody, type HeredocOperator } from './shellHeredoc';
import type { ShellDialect } from './shellQuote';
import type { TemplatePlaceholder } from './templatePlaceholders';

/** Shell code: the top level, or a `$(…)` nested in something else (`depth` counts inner parentheses). */
type CodeContext = { readonly kind: 'code'; readonly nested: boolean; depth: number };

/** `${…}`, `$((…))`, `((…))`, `[[…]]`: the shell evaluates the text (arithmetic, patterns, expansions). */
type EvaluatedContext = {
  readonly kind: 'evaluated';
  readonly what: string;
  readonly closer: '}' | '))' | ']]';
  depth: number;
  /** PowerShell `${name}`: everything up to `}` is a variable name (only the backtick escapes). */
  readonly literal?: boolean;
};

export type ShellContext =
  | CodeContext
  | EvaluatedContext
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
  | { readonly kind: 'stopParsing' };

/** The first thing met that shells read differently: every placeholder after it is refused. */
export interface LostThread {
  readonly index: number;
  readonly what: string;
}

/** A placeholder where the scanner met it, with what is needed to judge it. */
export type PlaceholderSighting =
  /** In the text of the command; `context` is the outermost context that is not code, or code. */
  | {
      readonly kind: 'code';
      readonly placeholder: TemplatePlaceholder;
      readonly context: ShellContext;
      readonly lost: LostThread | undefined;
    }
  | { readonly kind: 'heredocDelimiter'; readonly placeholder: TemplatePlaceholder }
  | {
      readonly kind: 'heredocBody';
      readonly placeholder: TemplatePlaceholder;
      readonly body: HeredocBody;
      /** The placeholder runs into the delimiter line. */
      readonly crossesEnd: boolean;
      readonly lost: LostThread | undefined;
    };

export interface ShellTemplateScan {
  readonly sightings: readonly PlaceholderSighting[];
  readonly heredocs: readonly HeredocBody[];
}

/** Scans `template`; `placeholders` are the ones to record (none, to read only its here-documents). */
export function scanShellTemplate(
  template: string,
  dialect: ShellDialect,
  placeholders: readonly TemplatePlaceholder[],
): ShellTemplateScan {
  return new ShellTemplateScanner(template, dialect, placeholders).scan();
}

const POWERSHELL_WORD_BREAK = new Set([...WORD_BREAK, '{', '}', ',', '=']);
const POWERSHELL_SINGLE = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
const POWERSHELL_DOUBLE = new Set(['"', '\u201C', '\u201D', '\u201E']);

/** In fish and PowerShell, where the checker's idea of a comment is less exact, a comment holding these loses the thread. */
const COMMENT_HAZARDS = /['"`\\$(){}<>\u2018-\u201E]/;

class ShellTemplateScanner {
  private index = 0;
  /** The contexts the scanner is in, innermost last; the bottom code context is never popped. */
  private readonly stack: ShellContext[] = [{ kind: 'code', nested: false, depth: 0 }];
  /** Here-documents opened on the current line, whose bodies start after it. */
  private readonly pending: HeredocOperator[] = [];
  private lost: LostThread | undefined;
  private readonly sightings: PlaceholderSighting[] = [];
  private readonly heredocs: HeredocBody[] = [];
  private readonly byStart: ReadonlyMap<number, TemplatePlaceholder>;
  private readonly escape: string;

  constructor(
    private readonly text: string,
    private readonly dialect: ShellDialect,
    private readonly placeholders: readonly TemplatePlaceholder[],
  ) {
    this.byStart = new Map(placeholders.map((placeholder) => [placeholder.start, placeholder]));
    this.escape = dialect === 'powershell' ? '`' : '\\';
  }

  scan(): ShellTemplateScan {
    while (this.index < this.text.length) {
      const placeholder = this.byStart.get(this.index);
      if (placeholder === undefined) {
        this.step();
      } else {
        const context = this.stack.find((candidate) => candidate.kind !== 'code') ?? this.top();
        this.sightings.push({ kind: 'code', placeholder, context, lost: this.lost });
        this.index = placeholder.end;
      }
    }
    return { sightings: this.sightings, heredocs: this.heredocs };
  }

  /** Reads the character at the index, as the innermost context reads it. */
  private step(): void {
    const context = this.top();
    switch (context.kind) {
      case 'comment':
      case 'stopParsing':
        if (this.char() !== '\n') return this.advance(1);
        this.stack.pop();
        return this.stepInCode(); // the line break ends the comment and is read as code
      case 'blockComment':
        return this.char() === '#' && this.peek(1) === '>' ? this.pop(2) : this.advance(1);
      case 'hereString':
        return this.char() === '\n' && this.text.startsWith(context.closer, this.index + 1)
          ? this.pop(1 + context.closer.length)
          : this.advance(1);
      case 'single':
        return this.stepInSingleQuotes();
      case 'backtick':
        return this.stepToCloser('\\', '`');
      case 'double':
        return this.stepInDoubleQuotes();
      case 'evaluated':
        return context.literal ? this.stepToCloser(this.escape, '}') : this.stepInCode();
      case 'code':
        return this.stepInCode();
    }
  }

  private stepInSingleQuotes(): void {
    const char = this.char();
    if (this.dialect === 'fish' && char === '\\' && (this.peek(1) === '\\' || this.peek(1) === "'")) this.skipEscaped();
    else if (this.isSingleQuote(char)) this.pop(1);
    else this.advance(1);
  }

  /** Inside backticks or a PowerShell `${name}`: only `escape` and `closer` mean anything. */
  private stepToCloser(escape: string, closer: string): void {
    const char = this.char();
    if (char === escape) this.skipEscaped();
    else if (char === closer) this.pop(1);
    else this.advance(1);
  }

  private stepInDoubleQuotes(): void {
    const char = this.char();
    if (char === this.escape) this.skipEscaped();
    else if (this.isDoubleQuote(char)) this.pop(1);
    else if (!this.openSubstitution()) this.advance(1);
  }

  /** Shell code, plain or evaluated: substitutions, escapes, quotes and comments open alike in both. */
  private stepInCode(): void {
    const context = this.top();
    // Only code or evaluated text gets here (a comment opens in them, and returns to them).
    if (context.kind !== 'code' && context.kind !== 'evaluated') return this.advance(1);
    if (this.openSubstitution() || this.openQuoteOrComment()) return;
    if (context.kind === 'evaluated') this.stepInEvaluated(context);
    else this.stepInPlainCode(context);
  }

  /** `$((…))`, `$(…)`, `${…}` and POSIX backticks: they open in code and in double quotes alike. */
  private openSubstitution(): boolean {
    const char = this.char();
    const next = this.peek(1);
    if (char === '$' && next === '(' && this.peek(2) === '(') this.push({ kind: 'evaluated', what: '$((…))', closer: '))', depth: 0 }, 3);
    else if (char === '$' && next === '(') this.push({ kind: 'code', nested: true, depth: 0 }, 2);
    else if (char === '$' && next === '{' && !this.byStart.has(this.index + 1)) {
      this.push({ kind: 'evaluated', what: '${…}', closer: '}', depth: 0, literal: this.dialect === 'powershell' }, 2);
    } else if (char === '`' && this.dialect === 'posix') this.push({ kind: 'backtick' }, 1);
    else return false;
    return true;
  }

  /** In code: an escape, `$'…'`, quotes, comments, and PowerShell's here-strings and `--%`. */
  private openQuoteOrComment(): boolean {
    const char = this.char();
    const next = this.peek(1);
    const powershell = this.dialect === 'powershell';
    if (char === this.escape) this.skipEscaped();
    else if (char === '$' && next === "'" && this.dialect === 'posix') this.loseThread("$'…'", 1);
    else if (this.isSingleQuote(char)) this.push({ kind: 'single' }, 1);
    else if (this.isDoubleQuote(char)) this.push({ kind: 'double' }, 1);
    else if (powershell && char === '@' && (this.isSingleQuote(next) || this.isDoubleQuote(next))) {
      this.push({ kind: 'hereString', closer: `${this.isSingleQuote(next) ? "'" : '"'}@` }, 2);
    } else if (powershell && char === '<' && next === '#') this.push({ kind: 'blockComment' }, 2);
    else if (char === '#' && this.atWordStart()) this.openComment();
    else if (powershell && this.atWordStart() && this.text.startsWith('--%', this.index)) this.push({ kind: 'stopParsing' }, 3);
    else return false;
    return true;
  }

  private openComment(): void {
    if (this.dialect !== 'posix') {
      const lineEnd = this.text.indexOf('\n', this.index);
      if (COMMENT_HAZARDS.test(this.text.slice(this.index, lineEnd === -1 ? undefined : lineEnd))) {
        this.loseThread('a comment with quotes or brackets in it', 0);
      }
    }
    this.push({ kind: 'comment' }, 1);
  }

  /** Evaluated text: looks for its closer, counting the brackets opened inside it. */
  private stepInEvaluated(context: EvaluatedContext): void {
    const char = this.char();
    const next = this.peek(1);
    if (context.closer === '}') {
      if (char === '{') context.depth++;
      else if (char === '}' && context.depth-- === 0) this.stack.pop();
    } else if (context.closer === '))') {
      if (char === '(') context.depth++;
      else if (char === ')' && context.depth > 0) context.depth--;
      else if (char === ')') {
        this.stack.pop();
        if (next === ')') this.index++;
      }
    } else if (char === ']' && next === ']' && this.atWordStart() && WORD_BREAK.has(this.peek(2))) {
      this.stack.pop();
      this.index++;
    }
    this.index++;
  }

  /** Plain code: arithmetic and tests, parentheses (the end of a `$(…)`), here-documents. */
  private stepInPlainCode(context: CodeContext): void {
    const char = this.char();
    const next = this.peek(1);
    const wordStart = this.atWordStart();
    if (wordStart && char === '(' && next === '(') return this.push({ kind: 'evaluated', what: '((…))', closer: '))', depth: 0 }, 2);
    if (wordStart && char === '[' && next === '[' && WORD_BREAK.has(this.peek(2))) {
      return this.push({ kind: 'evaluated', what: '[[…]]', closer: ']]', depth: 0 }, 2);
    }
    if (context.nested && wordStart && this.text.startsWith('case', this.index) && WORD_BREAK.has(this.peek(4))) {
      // `case … in a)` puts unmatched `)` inside $(…): its end can no longer be found reliably.
      this.loseThread('case inside $(…)', 0);
    }
    if (char === '(') context.depth++;
    if (char === ')' && context.nested) {
      if (context.depth === 0) this.stack.pop();
      else context.depth--;
    }
    if (char === '<' && next === '<' && this.peek(2) !== '<' && this.peek(-1) !== '<') {
      // fish and PowerShell have no here-documents: what follows is theirs to misread.
      if (this.dialect !== 'posix') this.loseThread('a here-document (<<), which only POSIX shells have', 0);
      return this.readHeredocOperator();
    }
    if (char === '\n' && this.pending.length > 0) return this.readHeredocBodies();
    this.index++;
  }

  /** Reads `<<[-] word` (the index at `<<`): its body is read after the line. */
  private readHeredocOperator(): void {
    const operator = readHeredocOperator(this.text, this.index + 2, this.placeholders, this.byStart);
    for (const placeholder of operator.placeholders) this.sightings.push({ kind: 'heredocDelimiter', placeholder });
    this.pending.push(operator);
    this.index = operator.end;
  }

  /** Reads the bodies of the pending here-documents (the index at the line break before them). */
  private readHeredocBodies(): void {
    this.index++;
    for (const operator of this.pending.splice(0)) {
      const start = this.index;
      const { end, next } = findHeredocEnd(this.text, start, operator);
      const body: HeredocBody = { ordinal: this.heredocs.length, delimiter: operator.delimiter, quoted: operator.quoted, start, end };
      this.heredocs.push(body);
      for (const placeholder of this.placeholders) {
        if (placeholder.start >= start && placeholder.start < next) {
          this.sightings.push({ kind: 'heredocBody', placeholder, body, crossesEnd: placeholder.end > end, lost: this.lost });
        }
      }
      this.index = next;
    }
  }

  /** Whether the index starts a word: the character before is an unescaped break (or there is none). */
  private atWordStart(): boolean {
    if (!(this.dialect === 'powershell' ? POWERSHELL_WORD_BREAK : WORD_BREAK).has(this.peek(-1))) return false;
    let escapes = 0;
    for (let at = this.index - 2; at >= 0 && this.text[at] === this.escape; at--) escapes++;
    return escapes % 2 === 0;
  }

  private isSingleQuote(char: string | undefined): boolean {
    return char === "'" || (this.dialect === 'powershell' && char !== undefined && POWERSHELL_SINGLE.has(char));
  }

  private isDoubleQuote(char: string | undefined): boolean {
    return char === '"' || (this.dialect === 'powershell' && char !== undefined && POWERSHELL_DOUBLE.has(char));
  }

  /** Remembers the first place the thread was lost, then steps `length` characters on. */
  private loseThread(what: string, length: number): void {
    this.lost ??= { index: this.index, what };
    this.index += length;
  }

  /** Steps over an escape and what it escapes, but never into a placeholder: that is judged itself. */
  private skipEscaped(): void {
    this.index += this.byStart.has(this.index + 1) ? 1 : 2;
  }

  private push(context: ShellContext, length: number): void {
    this.stack.push(context);
    this.index += length;
  }

  private pop(length: number): void {
    this.stack.pop();
    this.index += length;
  }

  private advance(length: number): void {
    this.index += length;
  }

  private top(): ShellContext {
    return this.stack[this.stack.length - 1]!;
  }

  private char(): string {
    return this.text.charAt(this.index);
  }

  /** The character `offset` from the index (`undefined` beyond either end). */
  private peek(offset: number): string | undefined {
    return this.text[this.index + offset];
  }
}
