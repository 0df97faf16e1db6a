import type { ClaudeCliProviderOptions } from '../core/agent/claudeCliProvider';
import { quoteForShell, quoteOnOneLine, type ShellDialect } from '../core/workflow/shellQuote';
import type { LedgerConfig } from './configSchema';

/**
 * The Claude Code CLI of agentic runs, from the settings. Headless `claude -p` cannot ask for
 * permission, so the permission mode setting is always passed (without one a `full` session could
 * not write its files). No `vscode` import: unit-tested against the fake CLI.
 */
export function agenticClaudeCliOptions(
  settings: Pick<LedgerConfig, 'claudePath' | 'model' | 'claudeCodePermissionMode'>,
): ClaudeCliProviderOptions {
  return { executable: settings.claudePath, model: settings.model, permissionMode: settings.claudeCodePermissionMode };
}

/**
 * How a Claude step is invoked in the terminal: `--session-id` the first time, `--resume` after,
 * `--model` when the workflow step names one.
 * Every value is quoted for the terminal's shell; for cmd (or a shell whose quoting is unknown)
 * this throws a `ShellQuoteError`.
 */
export function claudeCommandLine(
  claudePath: string,
  conversationId: string,
  resume: boolean,
  prompt: string,
  system?: string,
  dialect: ShellDialect = 'posix',
  options: { readonly model?: string; readonly shell?: string } = {},
): string {
  const quote = (value: string): string => quoteForShell(value, dialect);
  // The prompts on one line where the shell allows (a newline in the command line can cost the step its end: see quoteOnOneLine).
  const quoteText = (value: string): string => quoteOnOneLine(value, dialect, options.shell);
  // PowerShell runs a quoted program name only through the call operator.
  const args = [
    dialect === 'powershell' ? `& ${quote(claudePath)}` : quote(claudePath),
    resume ? '--resume' : '--session-id',
    quote(conversationId),
  ];
  // A workflow step's model. (`--max-turns` is for headless runs only: not passed to the interactive CLI.)
  if (options.model) args.push('--model', quote(options.model));
  if (system) args.push('--append-system-prompt', quoteText(system));
  args.push(quoteText(prompt));
  return args.join(' ');
}
