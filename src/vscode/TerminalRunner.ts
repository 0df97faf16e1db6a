import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Interaction, InteractionResultInput } from '../core/model/interaction';
import type { Session } from '../core/model/session';
import { OutputTail } from '../core/exec/outputTail';
import { terminalTextToPlain } from '../core/exec/terminalText';
import {
  shellDialectOf,
  ShellQuoteError,
  shellToQuoteFor,
  windowsNativeArgumentProblem,
  type ShellDialect,
} from '../core/workflow/shellQuote';
import { claudeCommandLine } from './claudeCliOptions';
import { stepOptionsOf } from '../core/engine/stepOptions';
import { shellCommandFor, shellTemplateValues, TemplateError } from '../core/workflow/template';
import type { Config } from './config';
import { DisposableOwner } from './lifecycle';
import type { Logger } from './logger';

/** The command line a shell reported is the one sent, but for surrounding whitespace. */
function sameCommandLine(reported: string, sent: string): boolean {
  return reported.trim() === sent.trim();
}

/** Output kept per terminal step (the tail: the end of a log matters most). */
const OUTPUT_CAP_BYTES = 256 * 1024;

export class ClaudeNotInstalledError extends Error {
  constructor(claudePath: string) {
    super(
      vscode.l10n.t(
        'The Claude Code CLI ("{0}") was not found on PATH. Install it (npm install -g @anthropic-ai/claude-code) or set "sessionLedger.claudePath" to its full path, then run Next Step again.',
        claudePath,
      ),
    );
    this.name = 'ClaudeNotInstalledError';
  }
}

/** The shell a new terminal without a shell path starts: the default profile's (read when it is created: the profile may change later). */
function defaultShell(): string | undefined {
  return vscode.env.shell || defaultProfileShell();
}

/** VS Code's detected shell type: that of the terminal's foreground program, from its title (`node`, `python`, `sh`…). */
function detectedShell(terminal: vscode.Terminal): string | undefined {
  // `state.shell` arrived after VS Code 1.93 (the engine this extension supports): read it when present.
  const detected = (terminal.state as { readonly shell?: unknown }).shell;
  return typeof detected === 'string' && detected !== '' ? detected : undefined;
}

function defaultProfileShell(): string | undefined {
  const platform = process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'osx' : 'linux';
  const settings = vscode.workspace.getConfiguration('terminal.integrated');
  const name = settings.get<string>(`defaultProfile.${platform}`);
  const profile = name
    ? settings.get<Record<string, { path?: string | string[]; source?: string }>>(`profiles.${platform}`)?.[name]
    : undefined;
  const path = Array.isArray(profile?.path) ? profile.path[0] : profile?.path;
  return path ?? (profile?.source === 'PowerShell' ? 'powershell' : profile?.source === 'Git Bash' ? 'bash' : name);
}

/** PowerShell on Windows: refuses values a native program would not receive intact. */
function checkWindowsNativeArguments(dialect: ShellDialect | undefined, values: readonly string[]): void {
  if (dialect !== 'powershell' || process.platform !== 'win32') return;
  for (const value of values) {
    const problem = windowsNativeArgumentProblem(value);
    if (problem !== undefined) throw new ShellQuoteError(problem);
  }
}

function unknownShell(): never {
  throw new ShellQuoteError(
    vscode.l10n.t('Session Ledger does not know how this shell quotes values, so it cannot pass the prompt to claude safely.'),
  );
}

function findOnPath(executable: string): string | undefined {
  const candidates =
    isAbsolute(executable) || executable.includes('/')
      ? [executable]
      : (process.env.PATH ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, executable));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What a terminal step needs to know beyond the interaction. */
export interface TerminalStep {
  session: Session;
  interaction: Interaction;
  /** Whether an earlier Claude step of this session already started the conversation. */
  conversationStarted: boolean;
  /** Called before a Claude step runs, with the conversation id to record on the session. */
  ensureConversationId(id: string): Promise<void>;
}

/**
 * Manual mode: runs a step's command in a terminal named after the session, while the person
 * watches. With shell integration the output (tail-capped, escape codes removed) and exit
 * code are captured; without it (none after a few seconds) the command is sent as text and
 * the person says how it went.
 */
export class TerminalRunner extends DisposableOwner {
  private readonly terminals = new Map<string, vscode.Terminal>();
  /** The shell each terminal this runner created was started with (see shellToQuoteFor). */
  private readonly launchedShells = new WeakMap<vscode.Terminal, string | undefined>();
  private readonly running = new Set<string>();
  private readonly _onDidChangeRunning = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeRunning = this._onDidChangeRunning.event;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    super();
    this.register(
      vscode.window.onDidCloseTerminal((t) => {
        for (const [id, terminal] of this.terminals) if (terminal === t) this.terminals.delete(id);
      }),
    );
  }

  isRunning(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /** Interrupts the session's running command (Ctrl+C in its terminal); its exit code is recorded as usual. */
  interrupt(sessionId: string): void {
    if (this.running.has(sessionId)) this.terminals.get(sessionId)?.sendText('\u0003', false);
  }

  async run(step: TerminalStep): Promise<InteractionResultInput> {
    const { session, interaction } = step;
    if (this.running.has(session.id)) {
      throw new Error(`A step of "${session.title}" is already running in its terminal; wait for it to finish.`);
    }
    const { command } = interaction;
    // A workflow step's model and timeoutSeconds (maxTurns is for headless runs only).
    const stepOptions = stepOptionsOf(command.metadata);
    let commandLineFor: (dialect: ShellDialect | undefined, shell: string | undefined) => string;
    if (command.kind === 'claude') {
      const claudePath = this.config.value.claudePath;
      if (!findOnPath(claudePath)) throw new ClaudeNotInstalledError(claudePath);
      const conversationId = session.externalConversationId ?? randomUUID();
      if (!session.externalConversationId) await step.ensureConversationId(conversationId);
      const system = typeof command.metadata.system === 'string' ? command.metadata.system : undefined;
      commandLineFor = (dialect, shell) => {
        checkWindowsNativeArguments(dialect, [command.command, system ?? '']);
        return claudeCommandLine(claudePath, conversationId, step.conversationStarted, command.command, system, dialect ?? unknownShell(), {
          model: stepOptions.model,
          shell,
        });
      };
    } else if (command.kind === 'shell') {
      commandLineFor = (dialect) => {
        checkWindowsNativeArguments(dialect, shellTemplateValues(command.metadata));
        return shellCommandFor(command.command, command.metadata, dialect);
      };
    } else {
      throw new Error(`A "${command.kind}" step does not run in a terminal.`);
    }
    this.running.add(session.id);
    this._onDidChangeRunning.fire(session.id);
    try {
      let terminal = this.terminalFor(session);
      terminal.show(true);
      let shellIntegration = await this.waitForShellIntegration(terminal);
      let commandLine: string;
      try {
        const shell = this.terminalShell(terminal);
        commandLine = commandLineFor(shellDialectOf(shell), shell);
      } catch (error) {
        if (!(error instanceof ShellQuoteError || error instanceof TemplateError)) throw error;
        terminal = await this.posixTerminalInstead(
          session,
          terminal,
          `The terminal's shell (${this.terminalShell(terminal) ?? 'unknown'}) cannot run this step safely: ${error.message}`,
        );
        terminal.show(true);
        shellIntegration = await this.waitForShellIntegration(terminal);
        commandLine = commandLineFor('posix', this.terminalShell(terminal));
      }
      const stopAfter = stepOptions.timeoutMs;
      let timedOut = false;
      const timer =
        stopAfter === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              this.log.info(
                `step "${command.step}" of ${session.id} ran longer than its timeoutSeconds (${stopAfter / 1000} s): interrupting it`,
              );
              terminal.sendText('\u0003', false);
            }, stopAfter);
      let result: InteractionResultInput;
      try {
        if (!shellIntegration) {
          this.log.info(`no shell integration in "${terminal.name}" after ${this.config.value.shellIntegrationTimeoutMs} ms: sending text`);
          result = await this.runWithoutShellIntegration(terminal, commandLine, Date.now());
        } else {
          result = await this.runWithShellIntegration(terminal, shellIntegration, commandLine, Date.now());
        }
      } finally {
        clearTimeout(timer);
      }
      if (!timedOut) return result;
      return {
        ...result,
        status: 'error',
        errorMessage: `Stopped after ${stopAfter! / 1000} s, the timeoutSeconds of workflow step "${command.step}". Raise timeoutSeconds in the workflow file if the step needs longer.`,
      };
    } finally {
      this.running.delete(session.id);
      this._onDidChangeRunning.fire(session.id);
    }
  }

  /**
   * The shell a step's command line is quoted for (see shellToQuoteFor): the one the terminal was
   * started with (every terminal a step runs in is created here), else the shell type VS Code detected.
   */
  private terminalShell(terminal: vscode.Terminal): string | undefined {
    return shellToQuoteFor(this.launchedShells.get(terminal), detectedShell(terminal));
  }

  private terminalFor(session: Session): vscode.Terminal {
    const existing = this.terminals.get(session.id);
    if (existing && existing.exitStatus === undefined) return existing;
    const cwd = session.workingDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const shell = defaultShell();
    const terminal = vscode.window.createTerminal({
      name: vscode.l10n.t('Session: {0}', session.title),
      cwd,
      iconPath: new vscode.ThemeIcon('notebook'),
      isTransient: true,
    });
    this.launchedShells.set(terminal, shell);
    this.terminals.set(session.id, terminal);
    return terminal;
  }

  /**
   * When the terminal's shell cannot be given the step's values safely, offers to run the step in
   * a new terminal with a POSIX shell instead; throws (the reason) when there is none or the person declines.
   */
  private async posixTerminalInstead(session: Session, current: vscode.Terminal, reason: string): Promise<vscode.Terminal> {
    const windows = process.platform === 'win32';
    const shellPath = findOnPath(windows ? 'bash.exe' : 'bash') ?? findOnPath(windows ? 'sh.exe' : 'sh');
    if (shellPath === undefined) {
      throw new Error(
        vscode.l10n.t('{0} No POSIX shell (bash or sh) was found on PATH to run it in instead; install Git Bash or use WSL.', reason),
      );
    }
    const action = vscode.l10n.t('Run in a POSIX Shell');
    const answer = await vscode.window.showWarningMessage(reason, { modal: false }, action);
    if (answer !== action) throw new Error(reason);
    this.log.info(`running the step of ${session.id} in ${shellPath} instead: ${reason}`);
    current.dispose();
    const terminal = vscode.window.createTerminal({
      name: vscode.l10n.t('Session: {0}', session.title),
      cwd: session.workingDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      shellPath,
      iconPath: new vscode.ThemeIcon('notebook'),
      isTransient: true,
    });
    this.launchedShells.set(terminal, shellPath);
    this.terminals.set(session.id, terminal);
    return terminal;
  }

  private waitForShellIntegration(terminal: vscode.Terminal): Promise<vscode.TerminalShellIntegration | undefined> {
    if (terminal.shellIntegration) return Promise.resolve(terminal.shellIntegration);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        listener.dispose();
        resolve(undefined);
      }, this.config.value.shellIntegrationTimeoutMs);
      const listener = vscode.window.onDidChangeTerminalShellIntegration((e) => {
        if (e.terminal === terminal) {
          clearTimeout(timer);
          listener.dispose();
          resolve(e.shellIntegration);
        }
      });
    });
  }

  private async runWithShellIntegration(
    terminal: vscode.Terminal,
    shellIntegration: vscode.TerminalShellIntegration,
    commandLine: string,
    started: number,
  ): Promise<InteractionResultInput> {
    // eslint-disable-next-line prefer-const -- assigned below, after the listener that compares against it is registered
    let execution: vscode.TerminalShellExecution | undefined;
    // VS Code pairs the command it sees start with the one sent by its command line; when the two
    // differ (the shell reports it otherwise), or a start is missed, it makes a new execution and the
    // one returned here never ends (microsoft/vscode#248799). The step's terminal is its own, so the
    // execution of this command line that starts in it after the send is this step's command.
    const startedHere = new Set<vscode.TerminalShellExecution>();
    const startListener = vscode.window.onDidStartTerminalShellExecution((e) => {
      if (e.terminal === terminal && sameCommandLine(e.execution.commandLine.value, commandLine)) startedHere.add(e.execution);
    });
    let endedOther = false;
    // A terminal closed while its command runs (by the person, or its pty lost) reports no end of
    // the execution: the step would wait forever. It ends then (no exit code: an error), and says so.
    let closed = false;
    const ended = new Promise<number | undefined>((resolve) => {
      const finish = (exitCode: number | undefined): void => {
        endListener.dispose();
        closeListener.dispose();
        startListener.dispose();
        resolve(exitCode);
      };
      const endListener = vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.terminal !== terminal) return;
        if (e.execution !== execution && !startedHere.has(e.execution)) return;
        endedOther = e.execution !== execution;
        finish(e.exitCode);
      });
      const closeListener = vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        closed = true;
        finish(undefined);
      });
    });
    execution = shellIntegration.executeCommand(commandLine);
    // Start reading at once, or the beginning of the output is lost.
    const tail = new OutputTail(OUTPUT_CAP_BYTES);
    const reading = (async () => {
      for await (const chunk of execution.read()) tail.append(Buffer.from(chunk));
    })();
    const exitCode = await ended;
    if (endedOther || closed) {
      // The stream of an execution VS Code lost track of, or of a closed terminal, may never close: take what it gave.
      this.log.info(
        closed
          ? `the terminal "${terminal.name}" was closed while its command ran`
          : `the command in "${terminal.name}" ended as another execution than the one started (microsoft/vscode#248799)`,
      );
      await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 1000))]);
    } else {
      await reading;
    }
    const output = terminalTextToPlain(tail.text());
    return {
      status: exitCode === 0 ? 'ok' : 'error',
      exitCode: exitCode ?? null,
      output,
      errorMessage: closed
        ? vscode.l10n.t('The terminal was closed before the command ended; its exit code is unknown.')
        : exitCode === 0
          ? null
          : exitCode === undefined
            ? 'The exit code is unknown (the shell did not report it).'
            : `Exited with code ${exitCode}.`,
      durationMs: Date.now() - started,
      data: tail.droppedBytes > 0 ? { droppedOutputBytes: tail.droppedBytes } : null,
    };
  }

  private async runWithoutShellIntegration(
    terminal: vscode.Terminal,
    commandLine: string,
    started: number,
  ): Promise<InteractionResultInput> {
    terminal.sendText(commandLine, true);
    const succeeded = vscode.l10n.t('Succeeded');
    const failed = vscode.l10n.t('Failed');
    const answer = await vscode.window.showInformationMessage(
      vscode.l10n.t('Session Ledger cannot read this terminal (no shell integration). When the command has finished, did it succeed?'),
      { modal: false },
      succeeded,
      failed,
    );
    const status = answer === succeeded ? 'ok' : answer === failed ? 'error' : 'cancelled';
    return {
      status,
      exitCode: null,
      output: null,
      errorMessage:
        status === 'cancelled'
          ? 'No outcome was given for the command sent to the terminal.'
          : status === 'error'
            ? 'Reported as failed.'
            : null,
      durationMs: Date.now() - started,
      data: { recordedBy: 'person', shellIntegration: false },
    };
  }
}
