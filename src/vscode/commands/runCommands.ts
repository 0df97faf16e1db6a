import * as vscode from 'vscode';
import type { SessionTypeInfo } from '../../core/workflow/SessionTypeRegistry';
import type { JsonObject } from '../../core/model/json';
import type { SessionEngine } from '../../core/engine/SessionEngine';
import { reviewGateOf } from '../../core/engine/reviewGate';
import type { CommandDeps } from './types';
import { UserFacingError } from '../userFacingError';
import { sessionFromArgument } from './sessionArgument';
import { CommandId } from '../commandIds';
import { API_KEY_SECRET, sessionTree, type BackgroundRunner } from '../BackgroundRunner';
import { isTerminalSessionStatus } from '../../core/model/sessionStatus';
import type { ExecutionMode, Session } from '../../core/model/session';
import { ensureTrusted } from '../workspaceTrust';
import { detectTestCommand, readProjectTestFiles } from '../../core/workflow/detectTestCommand';
import { sessionActionStatuses, type SessionAction } from '../../protocol/sessionActions';
import { askList } from '../listInput';
import { askPlan, isPrefillObject, NewSessionPrefillSchema, resolvePick, type NewSessionPrefill } from './newSessionPrefill';
import { parseWith } from '../../core/model/validation';

/** Commands that start, advance and stop sessions. */

export interface RunDeps extends CommandDeps {
  readonly engine: SessionEngine;
  readonly background: BackgroundRunner;
  readonly secrets: vscode.SecretStorage;
}

async function askMode(typeLabel: string, suggested?: ExecutionMode): Promise<ExecutionMode | undefined> {
  const modes = [
    {
      label: vscode.l10n.t('Manual'),
      description: 'manual',
      detail: vscode.l10n.t('Each step runs in the terminal when you run Next Step; you watch and advance.'),
      mode: 'manual' as const,
    },
    {
      label: vscode.l10n.t('Agentic'),
      description: 'agentic',
      detail: vscode.l10n.t('The extension runs the steps in the background until the session completes, within the budgets in Settings.'),
      mode: 'agentic' as const,
    },
  ];
  // A suggested mode (a follow-up's, the previous session's) comes first, so Enter keeps it.
  const picked = await vscode.window.showQuickPick(suggested === 'agentic' ? [...modes].reverse() : modes, {
    title: vscode.l10n.t('New {0} Session (2/5): mode', typeLabel),
    placeHolder: vscode.l10n.t('Who runs the steps?'),
    ignoreFocusOut: true,
  });
  return picked?.mode;
}

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

async function askTypeOptions(deps: RunDeps, type: SessionTypeInfo): Promise<JsonObject | undefined> {
  if (type.id === 'test-fix' && !deps.config.value.testCommand) {
    // A suggestion from the project's own files (package.json, Makefile, pyproject.toml), never run unasked.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const detected = folder ? detectTestCommand(await readProjectTestFiles(folder)) : undefined;
    const testCommand = await vscode.window.showInputBox({
      title: vscode.l10n.t('New Session: test command'),
      prompt: detected
        ? vscode.l10n.t('The command that runs the tests (found in {0}; no "sessionLedger.testCommand" setting is set).', detected.source)
        : vscode.l10n.t('The command that runs the tests (no "sessionLedger.testCommand" setting is set).'),
      value: detected?.command,
      placeHolder: 'npm test',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A test-fix session needs a test command.')),
    });
    return testCommand === undefined ? undefined : { testCommand: testCommand.trim() };
  }
  if (type.id === 'component-design') {
    const components = await vscode.window.showInputBox({
      title: vscode.l10n.t('New Session: components (optional)'),
      prompt: vscode.l10n.t('Components to build, separated by ";" (leave empty to have Claude design them first).'),
      ignoreFocusOut: true,
    });
    if (components === undefined) return undefined;
    const names = splitList(components);
    return names.length ? { components: names.map((name) => ({ name, description: name })) } : {};
  }
  return {};
}

/**
 * New Session (and Plan Session, Start Follow-up Session): type, mode, title, goal, success
 * criteria, then what the type needs. `preset` is a type id, or a {@link NewSessionPrefill} whose
 * answers are offered in the prompts (a template's or workflow's defaults fill in the same way);
 * with `plan: true` it asks when and how long, and plans the session instead of starting it.
 */
export async function newSession(deps: RunDeps, preset?: unknown): Promise<string | undefined> {
  // A type alone is what the walkthrough's button passes. Each prompt, once answered, hands focus back
  // to where it was: the walkthrough's button, over which the Enter is then released; the walkthrough
  // re-selects its step and focuses it a quarter of a second later (its animation), taking focus out
  // of the next prompt, so what the person types next went to the walkthrough. From the Sessions view
  // — where the session appears and where the walkthrough says to run Next Step — it cannot.
  if (typeof preset === 'string') await vscode.commands.executeCommand('sessionLedger.sessions.focus');
  const prefill: NewSessionPrefill =
    typeof preset === 'string'
      ? { type: preset }
      : isPrefillObject(preset)
        ? parseWith(NewSessionPrefillSchema, preset, 'New Session')
        : {};
  const types = deps.engine.listTypes();
  const presetType = prefill.type !== undefined ? types.find((t) => t.id === prefill.type) : undefined;
  const picked =
    presetType ??
    (
      await vscode.window.showQuickPick(
        types.map((t) => ({
          label: t.label,
          description: t.id,
          detail: `${
            t.baseType !== undefined
              ? `$(file-code) ${vscode.l10n.t('template of {0}', t.baseType)} · `
              : t.source === 'workflow'
                ? `$(file-code) ${vscode.l10n.t('workspace workflow')} · `
                : ''
          }${t.description}`,
          type: t,
        })),
        {
          title: prefill.plan ? vscode.l10n.t('Plan Session (1/7): session type') : vscode.l10n.t('New Session (1/5): session type'),
          placeHolder: vscode.l10n.t('What kind of session?'),
          matchOnDescription: true,
          matchOnDetail: true,
          ignoreFocusOut: true,
        },
      )
    )?.type;
  if (!picked) return undefined;
  const { type, answers } = resolvePick(types, picked, prefill);
  const mode = await askMode(type.label, answers.executionMode);
  if (mode === undefined) return undefined;
  if (mode === 'agentic' && !ensureTrusted(vscode.l10n.t('Agentic mode'))) return undefined;
  const title = await vscode.window.showInputBox({
    title: vscode.l10n.t('New {0} Session (3/5): title', type.label),
    placeHolder: vscode.l10n.t('Fix the flaky login test'),
    value: answers.title,
    ignoreFocusOut: true,
    validateInput: (v) =>
      v.trim()
        ? v.length > 500
          ? vscode.l10n.t('A title has at most 500 characters.')
          : undefined
        : vscode.l10n.t('A session needs a title.'),
  });
  if (title === undefined) return undefined;
  const intention = await vscode.window.showInputBox({
    title: vscode.l10n.t('New {0} Session (4/5): goal', type.label),
    prompt: vscode.l10n.t('What should this session achieve? Every Claude step sees it.'),
    value: answers.intention?.trim() || title.trim(),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A session needs a goal.')),
  });
  if (intention === undefined) return undefined;
  // One criterion per entry (Enter on an empty box skips or finishes); the old "a; b | constraint" line still works.
  // Completion criteria, constraints and procedure notes: Edit Goal.
  let constraints: string[] = [...(answers.constraints ?? [])];
  const successCriteria = await askList({
    initial: answers.successCriteria,
    title: vscode.l10n.t('New {0} Session (5/5): success criteria (optional)', type.label),
    itemName: vscode.l10n.t('success criterion'),
    onLegacyTail: (tail) => (constraints = [...constraints, ...tail]),
  });
  if (successCriteria === undefined) return undefined;
  const options = (answers.options as JsonObject | undefined) ?? (await askTypeOptions(deps, type));
  if (options === undefined) return undefined;
  const planned = prefill.plan ? await askPlan(type.label, answers) : undefined;
  if (prefill.plan && planned === undefined) return undefined;
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
  const input = {
    type: type.id,
    title: title.trim(),
    intention: intention.trim(),
    successCriteria,
    completionCriteria: answers.completionCriteria,
    constraints,
    procedureNotes: answers.procedureNotes,
    tags: answers.tags,
    followsSessionId: answers.followsSessionId,
    expectedMinutes: planned ? planned.expectedMinutes : answers.expectedMinutes,
    options,
    executionMode: mode,
    provider: deps.config.value.provider,
    workingDir: workspaceFolder,
    workspaceFolder,
  };
  if (planned) {
    const plannedSession = await deps.engine.plan({ ...input, scheduledAt: planned.scheduledAt });
    void vscode.window.setStatusBarMessage(
      `$(calendar) ${vscode.l10n.t('"{0}" is planned. Start it from the Sessions view when it is time.', plannedSession.title)}`,
      6000,
    );
    return plannedSession.id;
  }
  return announceStarted(deps, await deps.engine.start(input));
}

/** A session just became active (New Session, Start of a planned one): it becomes the active session and gets going. */
export async function announceStarted(deps: RunDeps, session: Session): Promise<string> {
  await deps.active.set(session.id);
  if (session.executionMode === 'agentic') {
    void deps.background.start(session.id);
    void vscode.window.setStatusBarMessage(`$(sync~spin) ${vscode.l10n.t('"{0}" runs in the background.', session.title)}`, 5000);
    return session.id;
  }
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t('Session "{0}" started. Run "Next Step" to run its first command.', session.title),
      vscode.l10n.t('Next Step'),
    )
    .then((c) => c && vscode.commands.executeCommand(CommandId.nextStep, session.id));
  return session.id;
}

export async function nextStep(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Next Step'), statuses: sessionActionStatuses.nextStep });
  if (!session) return;
  await deps.active.set(session.id);
  if (session.executionMode === 'agentic') {
    if (deps.background.isRunning(session.id)) {
      void vscode.window.setStatusBarMessage(vscode.l10n.t('"{0}" is already running in the background.', session.title), 5000);
    } else {
      void deps.background.start(deps.background.rootOf(session.id));
    }
    return;
  }
  const run = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('{0}: running the next step in its terminal', session.title),
      cancellable: true,
    },
    (_progress, token) => {
      // Cancel interrupts the command (Ctrl+C); its exit code is recorded like any other.
      const cancel = token.onCancellationRequested(() => deps.runner.interrupt(session.id));
      return deps.runner
        .nextStep(session.id, (message) =>
          vscode.window.showInputBox({ title: vscode.l10n.t('{0}: next prompt', session.title), prompt: message, ignoreFocusOut: true }),
        )
        .finally(() => cancel.dispose());
    },
  );
  if (run.kind === 'spawned') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        '"{0}" is waiting for its {1} child session(s); run them from the Sessions view. It goes on when they end.',
        session.title,
        run.children,
      ),
    );
  } else if (run.kind === 'ran') {
    const s = run.session;
    const seq = run.interaction.seq;
    const outcome =
      run.result.status === 'ok'
        ? vscode.l10n.t('Step {0} succeeded.', seq)
        : run.result.exitCode != null
          ? vscode.l10n.t('Step {0} failed (exit code {1}).', seq, run.result.exitCode)
          : vscode.l10n.t('Step {0} failed.', seq);
    const what = s.status === 'active' ? vscode.l10n.t('Run Next Step to go on.') : vscode.l10n.t('The session is {0}.', s.status);
    void vscode.window.setStatusBarMessage(`$(check) ${outcome} ${what}`, 8000);
  }
}

/** Pause stops the session's run and its children's; the children that were active are paused with it. */
export async function pauseSession(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Pause Session'), statuses: sessionActionStatuses.pause });
  if (!session) return;
  await deps.background.stopTree(session.id);
  if (deps.engine.getSession(session.id).status === 'active') await deps.engine.pause(session.id);
}

/** Resume restarts the session (and the children paused with it); agentic ones get their loop back. */
export async function resumeSession(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Resume Session'), statuses: sessionActionStatuses.resume });
  if (!session) return;
  if (!sessionActionStatuses.resume.includes(session.status)) {
    throw new UserFacingError(
      vscode.l10n.t('"{0}" is {1}; only paused or interrupted sessions can be resumed.', session.title, session.status),
    );
  }
  const agentic = sessionTree(deps.store, session.id).some((s) => s.executionMode === 'agentic' && !isTerminalSessionStatus(s.status));
  if (agentic && !ensureTrusted(vscode.l10n.t('Agentic mode'))) return;
  await deps.engine.resume(session.id);
  await deps.active.set(session.id);
  deps.background.startTree(session.id);
}

/** How code (never a menu) may call Cancel Session without the confirmation dialog. */
export interface CancelSessionOptions {
  /** The caller has already confirmed: `executeCommand(CommandId.cancelSession, id, { confirmed: true })`. */
  readonly confirmed: true;
}

function isConfirmed(options: unknown): options is CancelSessionOptions {
  // A menu passes the selected tree items (an array) as the second argument: never a confirmation.
  return (
    typeof options === 'object' && options !== null && !Array.isArray(options) && (options as { confirmed?: unknown }).confirmed === true
  );
}

/**
 * Cancel asks first (a modal), then stops the session's run and its children's and cancels it;
 * its unfinished children are cancelled with it. Programmatic callers that have confirmed
 * already pass {@link CancelSessionOptions}.
 */
export async function cancelSession(deps: RunDeps, arg?: unknown, options?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Cancel Session'), statuses: sessionActionStatuses.cancel });
  if (!session) return;
  if (!isConfirmed(options)) {
    const children = deps.store.sessions.children(session.id).filter((c) => !isTerminalSessionStatus(c.status)).length;
    const cancel = vscode.l10n.t('Cancel Session');
    const choice = await vscode.window.showWarningMessage(
      children
        ? vscode.l10n.t('Cancel "{0}" and its {1} unfinished child session(s)?', session.title, children)
        : vscode.l10n.t('Cancel "{0}"?', session.title),
      { modal: true, detail: vscode.l10n.t('It stops for good; its history is kept.') },
      cancel,
    );
    if (choice !== cancel) return;
  }
  await deps.background.stopTree(session.id);
  if (!isTerminalSessionStatus(deps.engine.getSession(session.id).status)) await deps.engine.cancel(session.id);
}

/** The status bar's menu: the actions that apply to the active session now. */
export async function sessionActions(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Session Actions') });
  if (!session) return;
  const running = deps.running.isRunning(session.id);
  const applies = (action: SessionAction): boolean => sessionActionStatuses[action].includes(session.status);
  const atReview = reviewGateOf(session) !== undefined && !isTerminalSessionStatus(session.status);
  const actions: { label: string; command: string; when: boolean }[] = [
    { label: `$(pass) ${vscode.l10n.t('Approve Review')}`, command: CommandId.approveReview, when: atReview },
    { label: `$(comment) ${vscode.l10n.t('Request Changes…')}`, command: CommandId.requestReviewChanges, when: atReview },
    {
      label: `$(debug-continue) ${vscode.l10n.t('Next Step')}`,
      command: CommandId.nextStep,
      when: applies('nextStep') && !running && !atReview,
    },
    { label: `$(debug-pause) ${vscode.l10n.t('Pause')}`, command: CommandId.pauseSession, when: applies('pause') },
    { label: `$(debug-start) ${vscode.l10n.t('Resume')}`, command: CommandId.resumeSession, when: applies('resume') },
    { label: `$(pass) ${vscode.l10n.t('Complete…')}`, command: CommandId.completeSession, when: applies('complete') },
    { label: `$(debug-stop) ${vscode.l10n.t('Cancel')}`, command: CommandId.cancelSession, when: applies('cancel') },
    { label: `$(play) ${vscode.l10n.t('Start')}`, command: CommandId.startPlannedSession, when: applies('start') },
    {
      label: `$(arrow-right) ${vscode.l10n.t('Start Follow-up Session')}`,
      command: CommandId.startFollowUpSession,
      when: applies('followUp'),
    },
    { label: `$(tag) ${vscode.l10n.t('Edit Tags')}`, command: CommandId.editTags, when: true },
    { label: `$(list-flat) ${vscode.l10n.t('Open Timeline')}`, command: CommandId.openTimeline, when: true },
    { label: `$(note) ${vscode.l10n.t('Add Note')}`, command: CommandId.addNote, when: true },
    { label: `$(target) ${vscode.l10n.t('Edit Goal')}`, command: CommandId.editGoal, when: true },
    {
      label: `$(checklist) ${vscode.l10n.t('Check Progress…')}`,
      command: CommandId.checkProgress,
      when: session.successCriteria.length + session.completionCriteria.length > 0,
    },
    {
      label: `$(copy) ${vscode.l10n.t('Copy Conversation Id')}`,
      command: CommandId.copyConversationId,
      when: session.externalConversationId !== null,
    },
    { label: `$(target) ${vscode.l10n.t('Switch Active Session…')}`, command: CommandId.setActiveSession, when: true },
  ];
  const picked = await vscode.window.showQuickPick(
    actions.filter((a) => a.when).map((a) => ({ label: a.label, command: a.command })),
    { title: `${session.title} — ${session.status}${session.phase ? ` · ${session.phase}` : ''}` },
  );
  if (!picked) return;
  await vscode.commands.executeCommand(picked.command, picked.command === CommandId.setActiveSession ? undefined : session.id);
}

/** Stores the Anthropic API key in SecretStorage (never settings); an empty key removes it. */
export async function setApiKey(deps: RunDeps, value?: unknown): Promise<void> {
  const key =
    typeof value === 'string'
      ? value
      : await vscode.window.showInputBox({
          title: vscode.l10n.t('Set Anthropic API Key'),
          prompt: vscode.l10n.t(
            'Kept in VS Code’s secret storage, never in settings, the session store, logs or exports. Leave empty to remove it.',
          ),
          password: true,
          ignoreFocusOut: true,
        });
  if (key === undefined) return;
  if (key.trim()) {
    await deps.secrets.store(API_KEY_SECRET, key.trim());
    void vscode.window.setStatusBarMessage(`$(key) ${vscode.l10n.t('Anthropic API key stored.')}`, 4000);
  } else {
    await deps.secrets.delete(API_KEY_SECRET);
    void vscode.window.setStatusBarMessage(`$(key) ${vscode.l10n.t('Anthropic API key removed.')}`, 4000);
  }
}
