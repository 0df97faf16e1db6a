import * as vscode from 'vscode';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PINNED_TAG } from '../../core/ledger/retention';
import type { JsonObject } from '../../core/model/json';
import type { Session } from '../../core/model/session';
import { parseWith } from '../../core/model/validation';
import { freeTemplateFileName, templateFromSession } from '../../core/workflow/sessionTemplate';
import { WORKFLOWS_DIRECTORY } from '../../core/workflow/workflowFileSystem';
import { ensureTrusted } from '../workspaceTrust';
import { isPrefillObject, NewSessionPrefillSchema, type NewSessionPrefill } from './newSessionPrefill';
import { announceStarted, newSession, type RunDeps } from './runCommands';
import { sessionFromArgument } from './sessionArgument';
import { UserFacingError } from '../userFacingError';

/** Plan Session, Start (a planned session), Start Follow-up Session and Save as Template. */

/**
 * Plan Session: New Session's questions, then when (optional) and how long (optional); the session
 * is recorded as planned and runs nothing until Start. Code may pass the whole plan (no prompts):
 * `{ type, title, intention, scheduledAt?, expectedMinutes?, … }`.
 */
export async function planSession(deps: RunDeps, arg?: unknown): Promise<string | undefined> {
  if (isPrefillObject(arg) && typeof arg.title === 'string') {
    const plan = parseWith(NewSessionPrefillSchema, arg, 'Plan Session argument');
    return (await deps.engine.plan(inputFrom(deps, plan))).id;
  }
  return newSession(deps, {
    ...(isPrefillObject(arg) ? parseWith(NewSessionPrefillSchema, arg, 'Plan Session argument') : {}),
    plan: true,
  });
}

/** Start: a planned session becomes active (and the active session); its actual duration counts from now. */
export async function startPlannedSession(deps: RunDeps, arg?: unknown): Promise<string | undefined> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Start Planned Session'), statuses: ['planned'] });
  if (!session) return undefined;
  if (session.status !== 'planned') {
    throw new UserFacingError(vscode.l10n.t('"{0}" is {1}; only a planned session can be started.', session.title, session.status));
  }
  if (session.executionMode === 'agentic' && !ensureTrusted(vscode.l10n.t('Agentic mode'))) return undefined;
  return announceStarted(deps, await deps.engine.startPlanned(session.id));
}

/**
 * What a follow-up of `previous` starts with: its suggested next session as title and goal (else
 * its follow-up notes, else its own goal), and its type, mode, criteria, constraints, procedure
 * notes and tags.
 */
export function followUpPrefill(previous: Session): NewSessionPrefill {
  const suggestion = previous.outcome?.nextSessionSuggestion.trim() ?? '';
  const notes = previous.outcome?.followUpNotes.trim() ?? '';
  const firstLine = suggestion.split('\n')[0]?.trim() ?? '';
  const title = firstLine ? firstLine.slice(0, 120) : vscode.l10n.t('Follow-up: {0}', previous.title).slice(0, 500);
  const tags = previous.tags.filter((tag) => tag !== PINNED_TAG);
  return {
    type: previous.type,
    executionMode: previous.executionMode,
    title,
    intention: suggestion || notes || previous.intention,
    successCriteria: [...previous.successCriteria],
    completionCriteria: [...previous.completionCriteria],
    constraints: [...previous.constraints],
    procedureNotes: previous.procedureNotes,
    ...(tags.length ? { tags } : {}),
    followsSessionId: previous.id,
  };
}

/**
 * Start Follow-up Session: New Session, prefilled from the session's suggested next session, and
 * linked to it (previous → next; not a child). Code may pass answers to use without prompts
 * (`{ title?, intention?, executionMode?, … }` over the prefill); it returns the new session's id.
 */
export async function startFollowUpSession(deps: RunDeps, arg?: unknown, answers?: unknown): Promise<string | undefined> {
  const previous = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Start Follow-up Session'), preferActive: true });
  if (!previous) return undefined;
  const prefill = followUpPrefill(previous);
  if (deps.engine.listTypes().every((t) => t.id !== prefill.type)) delete prefill.type; // its workflow file is gone: pick a type
  if (isPrefillObject(answers)) {
    const given = parseWith(
      NewSessionPrefillSchema,
      { ...prefill, ...answers, followsSessionId: previous.id },
      'Start Follow-up Session argument',
    );
    const session = await deps.engine.start(inputFrom(deps, given));
    return announceStarted(deps, session);
  }
  return newSession(deps, prefill);
}

function inputFrom(deps: RunDeps, answers: NewSessionPrefill) {
  if (answers.type === undefined || answers.title === undefined) {
    throw new UserFacingError(vscode.l10n.t('A session needs a type and a title.'));
  }
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
  return {
    type: answers.type,
    title: answers.title,
    intention: answers.intention?.trim() || answers.title,
    successCriteria: answers.successCriteria,
    completionCriteria: answers.completionCriteria,
    constraints: answers.constraints,
    procedureNotes: answers.procedureNotes,
    tags: answers.tags,
    followsSessionId: answers.followsSessionId,
    expectedMinutes: answers.expectedMinutes,
    scheduledAt: answers.scheduledAt,
    options: answers.options as JsonObject | undefined,
    executionMode: answers.executionMode ?? 'manual',
    provider: deps.config.value.provider,
    workingDir: workspaceFolder,
    workspaceFolder,
  };
}

/**
 * Save as Template: writes a workflow file from the session into the workspace's workflows folder
 * (never over another file) and opens it. A session of a built-in type gives a template that
 * `extends` it; a workflow session a copy of its workflow. Its goal fields, tags and duration become
 * the `defaults` New Session fills in. Code may pass `{ label }` (no prompt); returns the file.
 */
export async function saveAsTemplate(deps: RunDeps, arg?: unknown, options?: unknown): Promise<string | undefined> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Save as Template'), preferActive: true });
  if (!session) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) {
    throw new UserFacingError(vscode.l10n.t('Save as Template needs a folder open: templates live in its {0}.', WORKFLOWS_DIRECTORY));
  }
  const given = isPrefillObject(options) && typeof options.label === 'string' ? options.label : undefined;
  const label =
    given ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Save as Template'),
      prompt: vscode.l10n.t('The template’s name in New Session.'),
      value: vscode.l10n.t('{0} (template)', session.title),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A template needs a name.')),
    }));
  if (label === undefined) return undefined;
  const types = deps.engine.listTypes();
  const template = templateFromSession(session, {
    label,
    takenIds: new Set(types.map((t) => t.id)),
    builtinIds: new Set(types.filter((t) => t.source === 'builtin').map((t) => t.id)),
  });
  const directory = join(folder, WORKFLOWS_DIRECTORY);
  mkdirSync(directory, { recursive: true });
  const file = join(
    directory,
    freeTemplateFileName(template.id, (name) => existsSync(join(directory, name))),
  );
  writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`, { flag: 'wx' });
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  void vscode.window.setStatusBarMessage(
    `$(file-code) ${vscode.l10n.t('Template "{0}" saved; New Session lists it.', template.label)}`,
    6000,
  );
  return file;
}
