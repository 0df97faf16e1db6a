import * as vscode from 'vscode';
import type { SessionTypeInfo } from '../../core/workflow/SessionTypeRegistry';
import type { JsonObject } from '../../core/model/json';
import type { SessionEngine } from '../../core/engine/SessionEngine';
import type { CommandDeps } from './types';
import { UserFacingError } from './types';
import { sessionFromArgument } from './sessionArgument';
import { CommandId } from '../commandIds';
import { API_KEY_SECRET, sessionTree, type BackgroundRunner } from '../BackgroundRunner';
import { isTerminalSessionStatus } from '../../core/model/sessionStatus';
import type { ExecutionMode } from '../../core/model/session';
import { ensureTrusted } from '../workspaceTrust';
import { detectTestCommand, readProjectTestFiles } from '../../core/workflow/detectTestCommand';
import { sessionActionStatuses, type SessionAction } from '../../protocol/sessionActions';
import { askList } from '../listInput';

/** Commands that start, advance and stop sessions. */

export interface RunDeps extends CommandDeps {
  readonly engine: SessionEngine;
  readonly background: BackgroundRunner;
  readonly secrets: vscode.SecretStorage;
}

async function askMode(typeLabel: string): Promise<ExecutionMode | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: 'Manual',
        description: 'manual',
        detail: 'Each step runs in the terminal when you run Next Step; you watch and advance.',
        mode: 'manual' as const,
      },
      {
        label: 'Agentic',
        description: 'agentic',
        detail: 'The extension runs the steps in the background until the session completes, within the budgets in Settings.',
        mode: 'agentic' as const,
      },
    ],
    { title: `New ${typeLabel} Session (2/5): mode`, placeHolder: 'Who runs the steps?', ignoreFocusOut: true },
  );
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
      title: 'New Session: test command',
      prompt: detected
        ? `The command that runs the tests (found in ${detected.source}; no "sessionLedger.testCommand" setting is set).`
        : 'The command that runs the tests (no "sessionLedger.testCommand" setting is set).',
      value: detected?.command,
      placeHolder: 'npm test',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A test-fix session needs a test command.'),
    });
    return testCommand === undefined ? undefined : { testCommand: testCommand.trim() };
  }
  if (type.id === 'component-design') {
    const components = await vscode.window.showInputBox({
      title: 'New Session: components (optional)',
      prompt: 'Components to build, separated by ";" (leave empty to have Claude design them first).',
      ignoreFocusOut: true,
    });
    if (components === undefined) return undefined;
    const names = splitList(components);
    return names.length ? { components: names.map((name) => ({ name, description: name })) } : {};
  }
  return {};
}

export async function newSession(deps: RunDeps, preset?: unknown): Promise<string | undefined> {
  const types = deps.engine.listTypes();
  const presetType = typeof preset === 'string' ? types.find((t) => t.id === preset) : undefined;
  const type =
    presetType ??
    (
      await vscode.window.showQuickPick(
        types.map((t) => ({
          label: t.label,
          description: t.id,
          detail: `${t.source === 'workflow' ? '$(file-code) workspace workflow · ' : ''}${t.description}`,
          type: t,
        })),
        {
          title: 'New Session (1/5): session type',
          placeHolder: 'What kind of session?',
          matchOnDescription: true,
          matchOnDetail: true,
          ignoreFocusOut: true,
        },
      )
    )?.type;
  if (!type) return undefined;
  const mode = await askMode(type.label);
  if (mode === undefined) return undefined;
  if (mode === 'agentic' && !ensureTrusted('Agentic mode')) return undefined;
  const title = await vscode.window.showInputBox({
    title: `New ${type.label} Session (3/5): title`,
    placeHolder: 'Fix the flaky login test',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? (v.length > 500 ? 'A title has at most 500 characters.' : undefined) : 'A session needs a title.'),
  });
  if (title === undefined) return undefined;
  const intention = await vscode.window.showInputBox({
    title: `New ${type.label} Session (4/5): goal`,
    prompt: 'What should this session achieve? Every Claude step sees it.',
    value: title.trim(),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'A session needs a goal.'),
  });
  if (intention === undefined) return undefined;
  // One criterion per entry (Enter on an empty box skips or finishes); the old "a; b | constraint" line still works.
  // Completion criteria, constraints and procedure notes: Edit Goal.
  let constraints: string[] = [];
  const successCriteria = await askList({
    title: `New ${type.label} Session (5/5): success criteria (optional)`,
    itemName: 'success criterion',
    onLegacyTail: (tail) => (constraints = [...constraints, ...tail]),
  });
  if (successCriteria === undefined) return undefined;
  const options = await askTypeOptions(deps, type);
  if (options === undefined) return undefined;
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
  const session = await deps.engine.start({
    type: type.id,
    title: title.trim(),
    intention: intention.trim(),
    successCriteria,
    constraints,
    options,
    executionMode: mode,
    provider: deps.config.value.provider,
    workingDir: workspaceFolder,
    workspaceFolder,
  });
  await deps.active.set(session.id);
  if (mode === 'agentic') {
    void deps.background.start(session.id);
    void vscode.window.setStatusBarMessage(`$(sync~spin) "${session.title}" runs in the background.`, 5000);
    return session.id;
  }
  void vscode.window
    .showInformationMessage(`Session "${session.title}" started. Run "Next Step" to run its first command.`, 'Next Step')
    .then((c) => c && vscode.commands.executeCommand(CommandId.nextStep, session.id));
  return session.id;
}

export async function nextStep(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Next Step', statuses: sessionActionStatuses.nextStep });
  if (!session) return;
  await deps.active.set(session.id);
  if (session.executionMode === 'agentic') {
    if (deps.background.isRunning(session.id)) {
      void vscode.window.setStatusBarMessage(`"${session.title}" is already running in the background.`, 5000);
    } else {
      void deps.background.start(deps.background.rootOf(session.id));
    }
    return;
  }
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${session.title}: running the next step in its terminal`, cancellable: true },
    (_progress, token) => {
      // Cancel interrupts the command (Ctrl+C); its exit code is recorded like any other.
      const cancel = token.onCancellationRequested(() => deps.runner.interrupt(session.id));
      return deps.runner
        .nextStep(session.id, (message) =>
          vscode.window.showInputBox({ title: `${session.title}: next prompt`, prompt: message, ignoreFocusOut: true }),
        )
        .finally(() => cancel.dispose());
    },
  );
  if (run.kind === 'spawned') {
    void vscode.window.showInformationMessage(
      `"${session.title}" is waiting for its ${run.children} child session(s); run them from the Sessions view. It goes on when they end.`,
    );
  } else if (run.kind === 'ran') {
    const s = run.session;
    const outcome =
      run.result.status === 'ok' ? 'succeeded' : `failed${run.result.exitCode != null ? ` (exit code ${run.result.exitCode})` : ''}`;
    const what = s.status === 'active' ? 'Run Next Step to go on.' : `The session is ${s.status}.`;
    void vscode.window.setStatusBarMessage(`$(check) Step ${run.interaction.seq} ${outcome}. ${what}`, 8000);
  }
}

/** Pause stops the session's run and its children's; the children that were active are paused with it. */
export async function pauseSession(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Pause Session', statuses: sessionActionStatuses.pause });
  if (!session) return;
  await deps.background.stopTree(session.id);
  if (deps.engine.getSession(session.id).status === 'active') await deps.engine.pause(session.id);
}

/** Resume restarts the session (and the children paused with it); agentic ones get their loop back. */
export async function resumeSession(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Resume Session', statuses: sessionActionStatuses.resume });
  if (!session) return;
  if (!sessionActionStatuses.resume.includes(session.status)) {
    throw new UserFacingError(`"${session.title}" is ${session.status}; only paused or interrupted sessions can be resumed.`);
  }
  const agentic = sessionTree(deps.store, session.id).some((s) => s.executionMode === 'agentic' && !isTerminalSessionStatus(s.status));
  if (agentic && !ensureTrusted('Agentic mode')) return;
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
  const session = await sessionFromArgument(deps, arg, { title: 'Cancel Session', statuses: sessionActionStatuses.cancel });
  if (!session) return;
  if (!isConfirmed(options)) {
    const children = deps.store.sessions.children(session.id).filter((c) => !isTerminalSessionStatus(c.status)).length;
    const choice = await vscode.window.showWarningMessage(
      `Cancel "${session.title}"${children ? ` and its ${children} unfinished child session(s)` : ''}?`,
      { modal: true, detail: 'It stops for good; its history is kept.' },
      'Cancel Session',
    );
    if (choice !== 'Cancel Session') return;
  }
  await deps.background.stopTree(session.id);
  if (!isTerminalSessionStatus(deps.engine.getSession(session.id).status)) await deps.engine.cancel(session.id);
}

/** The status bar's menu: the actions that apply to the active session now. */
export async function sessionActions(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Session Actions' });
  if (!session) return;
  const running = deps.runner.isRunning(session.id);
  const applies = (action: SessionAction): boolean => sessionActionStatuses[action].includes(session.status);
  const actions: { label: string; command: string; when: boolean }[] = [
    { label: '$(debug-continue) Next Step', command: CommandId.nextStep, when: applies('nextStep') && !running },
    { label: '$(debug-pause) Pause', command: CommandId.pauseSession, when: applies('pause') },
    { label: '$(debug-start) Resume', command: CommandId.resumeSession, when: applies('resume') },
    { label: '$(pass) Complete…', command: CommandId.completeSession, when: applies('complete') },
    { label: '$(debug-stop) Cancel', command: CommandId.cancelSession, when: applies('cancel') },
    { label: '$(list-flat) Open Timeline', command: CommandId.openTimeline, when: true },
    { label: '$(note) Add Note', command: CommandId.addNote, when: true },
    { label: '$(target) Edit Goal', command: CommandId.editGoal, when: true },
    { label: '$(copy) Copy Conversation Id', command: CommandId.copyConversationId, when: session.externalConversationId !== null },
    { label: '$(target) Switch Active Session…', command: CommandId.setActiveSession, when: true },
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
          title: 'Set Anthropic API Key',
          prompt: 'Kept in VS Code\u2019s secret storage, never in settings, the session store, logs or exports. Leave empty to remove it.',
          password: true,
          ignoreFocusOut: true,
        });
  if (key === undefined) return;
  if (key.trim()) {
    await deps.secrets.store(API_KEY_SECRET, key.trim());
    void vscode.window.setStatusBarMessage('$(key) Anthropic API key stored.', 4000);
  } else {
    await deps.secrets.delete(API_KEY_SECRET);
    void vscode.window.setStatusBarMessage('$(key) Anthropic API key removed.', 4000);
  }
}
