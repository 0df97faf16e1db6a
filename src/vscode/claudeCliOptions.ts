import type { ClaudeCliProviderOptions } from '../core/agent/claudeCliProvider';
import type { LedgerConfig } from './configSchema';

/**
 * The Claude Code CLI of agentic runs, from the settings. Headless `claude -p` cannot ask for
 * permission, so the permission mode setting is always passed (without one a `full` session could
 * not write its files). No `vscode` import: unit-tested against the fake CLI.
 */
export function agenticClaudeCliOptions(settings: Pick<LedgerConfig, 'claudePath' | 'model' | 'claudeCodePermissionMode'>): ClaudeCliProviderOptions {
  return { executable: settings.claudePath, model: settings.model, permissionMode: settings.claudeCodePermissionMode };
}
