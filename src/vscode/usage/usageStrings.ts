// Written by scripts/webview-strings.mjs (npm run l10n:export) from src/protocol/webviewStrings.ts: do not edit by hand.
import * as vscode from 'vscode';
import type { UsageStrings } from '../../protocol/webviewStrings';

/**
 * The usage page's strings (USAGE_STRINGS), translated: sent in the `init` message that answers the page's `ready`. A
 * function, so the strings are translated when a page opens (not when the module loads). Each value is
 * `vscode.l10n.t` of its own key, which `npm run l10n:export` extracts into l10n/bundle.l10n.json.
 */
export function usageStrings(): UsageStrings {
  return {
    Usage: vscode.l10n.t('Usage'),
    Refresh: vscode.l10n.t('Refresh'),
    'Build the report again (all workspaces: read the other ledgers again)': vscode.l10n.t(
      'Build the report again (all workspaces: read the other ledgers again)',
    ),
    'Export CSV…': vscode.l10n.t('Export CSV…'),
    'Show the usage of': vscode.l10n.t('Show the usage of'),
    'This workspace': vscode.l10n.t('This workspace'),
    'All workspaces on this machine': vscode.l10n.t('All workspaces on this machine'),
    'Reading the ledgers of all workspaces on this machine (read-only)…': vscode.l10n.t(
      'Reading the ledgers of all workspaces on this machine (read-only)…',
    ),
    'Cost by day, last {0} day(s) with usage': vscode.l10n.t('Cost by day, last {0} day(s) with usage'),
    '{0}: {1}, {2} tokens, {3} request(s)': vscode.l10n.t('{0}: {1}, {2} tokens, {3} request(s)'),
    Cost: vscode.l10n.t('Cost'),
    Input: vscode.l10n.t('Input'),
    Output: vscode.l10n.t('Output'),
    'Cache write 5m': vscode.l10n.t('Cache write 5m'),
    'Cache write 1h': vscode.l10n.t('Cache write 1h'),
    'Cache read': vscode.l10n.t('Cache read'),
    Requests: vscode.l10n.t('Requests'),
    'No usage recorded yet.': vscode.l10n.t('No usage recorded yet.'),
    ' (this workspace)': vscode.l10n.t(' (this workspace)'),
    ' · {0} ledgers': vscode.l10n.t(' · {0} ledgers'),
    'By project': vscode.l10n.t('By project'),
    Project: vscode.l10n.t('Project'),
    'Not counted: {0} ledger(s) could not be read': vscode.l10n.t('Not counted: {0} ledger(s) could not be read'),
    'A session of another workspace: open that folder to see its timeline': vscode.l10n.t(
      'A session of another workspace: open that folder to see its timeline',
    ),
    'Open the timeline of "{0}"': vscode.l10n.t('Open the timeline of "{0}"'),
    "All workspaces on this machine: {0} ledger(s) counted, each once; the other workspaces' ledgers were read (read-only) at {1} — Refresh reads them again.":
      vscode.l10n.t(
        "All workspaces on this machine: {0} ledger(s) counted, each once; the other workspaces' ledgers were read (read-only) at {1} — Refresh reads them again.",
      ),
    '{0} · {1} tokens ({2} in, {3} out, {4} cache write ({5} of it 1-hour), {6} cache read) · {7} request(s)': vscode.l10n.t(
      '{0} · {1} tokens ({2} in, {3} out, {4} cache write ({5} of it 1-hour), {6} cache read) · {7} request(s)',
    ),
    'Cost is computed from the pricing table; unpriced models count tokens only. Generated {0}.': vscode.l10n.t(
      'Cost is computed from the pricing table; unpriced models count tokens only. Generated {0}.',
    ),
    'Cost is computed from the pricing table; unpriced models count tokens only ({0} request(s) here have no price, so "≥" costs are lower bounds: add the model to sessionLedger.pricingOverrides). Generated {1}.':
      vscode.l10n.t(
        'Cost is computed from the pricing table; unpriced models count tokens only ({0} request(s) here have no price, so "≥" costs are lower bounds: add the model to sessionLedger.pricingOverrides). Generated {1}.',
      ),
    'Costs are as recorded. After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".':
      vscode.l10n.t(
        'Costs are as recorded. After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".',
      ),
    'Costs are as recorded; prices of {0} ({1}). After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".':
      vscode.l10n.t(
        'Costs are as recorded; prices of {0} ({1}). After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".',
      ),
    'Cost by day': vscode.l10n.t('Cost by day'),
    'By model': vscode.l10n.t('By model'),
    Model: vscode.l10n.t('Model'),
    'By session type': vscode.l10n.t('By session type'),
    'Session type': vscode.l10n.t('Session type'),
    'Top sessions': vscode.l10n.t('Top sessions'),
    Session: vscode.l10n.t('Session'),
    'By day': vscode.l10n.t('By day'),
    'Day (UTC)': vscode.l10n.t('Day (UTC)'),
    'By phase': vscode.l10n.t('By phase'),
    Phase: vscode.l10n.t('Phase'),
    'Team (by person and project)': vscode.l10n.t('Team (by person and project)'),
    'Counting the team’s usage…': vscode.l10n.t('Counting the team’s usage…'),
    'This ledger holds your sessions and {0} session(s) pulled from the team ledger (the pull scope and age bound are settings: sessionLedger.teamLedger.*).':
      vscode.l10n.t(
        'This ledger holds your sessions and {0} session(s) pulled from the team ledger (the pull scope and age bound are settings: sessionLedger.teamLedger.*).',
      ),
    'No team ledger is syncing in this window: only your own sessions are counted. Run "Session Ledger: Connect Team Ledger…" to see your team’s.':
      vscode.l10n.t(
        'No team ledger is syncing in this window: only your own sessions are counted. Run "Session Ledger: Connect Team Ledger…" to see your team’s.',
      ),
    ' · {0} session(s)': vscode.l10n.t(' · {0} session(s)'),
    'By person': vscode.l10n.t('By person'),
    Person: vscode.l10n.t('Person'),
    ' (you)': vscode.l10n.t(' (you)'),
  };
}
