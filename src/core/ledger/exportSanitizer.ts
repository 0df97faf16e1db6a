/**
 * Redaction and path rewriting of exported records: what leaves the machine is redacted first
 * (./redaction.ts: API keys, tokens, `KEY=value` secrets, …) and absolute paths under the
 * workspace folder become workspace-relative (the home directory becomes `~` elsewhere) unless
 * `absolutePaths` is asked for.
 */
import { homedir } from 'node:os';
import { Redactor } from './redaction';
import type { ExportOptions } from './exportFormat';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites absolute paths in text: under `folder` → relative to it (the folder itself → `.`),
 * under `home` → `~/…`. A path only matches whole (`/a/proj` is not a prefix of `/a/project2`).
 */
export function pathRewriter(folder: string | null | undefined, home: string | null | undefined): (text: string) => string {
  const rules: { dir: string; pattern: RegExp; replace: (match: string, separator: string | undefined) => string }[] = [];
  const trimmed = (dir: string | null | undefined) => (dir ? dir.replace(/[\\/]+$/, '') : '');
  const add = (dir: string, whole: string, prefix: string) => {
    // A root or a drive alone would rewrite every path.
    if (dir.length < 2 || /^[A-Za-z]:$/.test(dir)) return;
    const pattern = new RegExp(`(?<![\\w.\\\\/-])${escapeRegExp(dir)}(?:([\\\\/])|(?![\\w.\\\\/-]))`, 'g');
    rules.push({ dir, pattern, replace: (_match, separator) => (separator ? `${prefix}${prefix ? separator : ''}` : whole) });
  };
  add(trimmed(folder), '.', '');
  add(trimmed(home), '~', '~');
  return (text) => {
    let out = text;
    for (const rule of rules) if (out.includes(rule.dir)) out = out.replace(rule.pattern, rule.replace);
    return out;
  };
}

/** Redaction and path rewriting of one session's records for export (and for comparing records on import). */
export class ExportSanitizer {
  private readonly redactor: Redactor;
  /** One rewriter per workspace folder. */
  private readonly rewriters = new Map<string | null, (text: string) => string>();

  constructor(private readonly options: ExportOptions) {
    this.redactor = new Redactor(options.redaction);
  }

  private pathsOf(workspaceFolder: string | null): (text: string) => string {
    if (this.options.absolutePaths) return (text) => text;
    let rewriter = this.rewriters.get(workspaceFolder);
    if (!rewriter) {
      const home = this.options.homeDir === undefined ? homedir() : this.options.homeDir;
      rewriter = pathRewriter(workspaceFolder ?? this.options.workspaceFolder, home);
      this.rewriters.set(workspaceFolder, rewriter);
    }
    return rewriter;
  }

  /** A copy of `value` (any record of the session) with secrets redacted and paths rewritten. */
  sanitize<T>(value: T, workspaceFolder: string | null): T {
    return this.redactor.redactJson(value, this.pathsOf(workspaceFolder));
  }

  redactText(text: string): string {
    return this.redactor.redactText(text);
  }
}
