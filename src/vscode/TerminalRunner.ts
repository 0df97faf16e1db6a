import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Interaction, InteractionResultInput } from '../core/model/interaction';
import type { Session } from '../core/model/session';
import { OutputTail } from '../core/exec/outputTail';
import { terminalTextToPlain } from '../core/exec/terminalText';
import { quoteForShell } from '../core/workflow/shellQuote';
import type { Config } from './config';
import { DisposableOwner } from './lifecycle';
import type { Logger } from './logger';

/** Output kept per terminal step (the tail: the end of a log matters most). */
const OUTPUT_CAP_BYTES = 256 * 1024;

export class ClaudeNotInstalledError extends Error {
  constructor(claudePath: string) {
    super(
      `The Claude Code CLI ("${claudePath}") was not found on PATH. Install it (npm install -g @anthropic-ai/claude-code) ` +
        'or set "sessionLedger.claudePath" to its full path, then run Next Step again.',
    );
    this.name = 'ClaudeNotInstalledError';
  }
}

/** How a Claude step is invoked in the terminal: `--session-id` the first time, `--resume` after. */
export function claudeCommandLine(claudePath: string, conversationId: string, resume: boolean, prompt: string, system?: string): string {
  const args = [quoteForShell(claudePath), resume ? '--resume' : '--session-id', quoteForShell(conversationId)];
  if (system) args.push('--append-system-prompt', quoteForShell(system));
  args.push(quoteForShell(prompt));
  return args.join(' ');
}

function findOnPath(executable: string): string | undefined {
  const candidates = isAbsolute(executable) || executable.includes('/')
    ? [executable]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, executable));
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
    let commandLine = interaction.command.command;
    if (interaction.command.kind === 'claude') {
      const claudePath = this.config.value.claudePath;
      if (!findOnPath(claudePath)) throw new ClaudeNotInstalledError(claudePath);
      const conversationId = session.externalConversationId ?? randomUUID();
      if (!session.externalConversationId) await step.ensureConversationId(conversationId);
      const system = typeof interaction.command.metadata.system === 'string' ? interaction.command.metadata.system : undefined;
      commandLine = claudeCommandLine(claudePath, conversationId, step.conversationStarted, interaction.command.command, system);
    } else if (interaction.command.kind !== 'shell') {
      throw new Error(`A "${interaction.command.kind}" step does not run in a terminal.`);
    }
    this.running.add(session.id);
    this._onDidChangeRunning.fire(session.id);
    try {
      const terminal = this.terminalFor(session);
      terminal.show(true);
      const shellIntegration = await this.waitForShellIntegration(terminal);
      if (!shellIntegration) {
        this.log.info(`no shell integration in "${terminal.name}" after ${this.config.value.shellIntegrationTimeoutMs} ms: sending text`);
        return await this.runWithoutShellIntegration(terminal, commandLine, Date.now());
      }
      return await this.runWithShellIntegration(terminal, shellIntegration, commandLine, Date.now());
    } finally {
      this.running.delete(session.id);
      this._onDidChangeRunning.fire(session.id);
    }
  }

  private terminalFor(session: Session): vscode.Terminal {
    const existing = this.terminals.get(session.id);
    if (existing && existing.exitStatus === undefined) return existing;
    const cwd = session.workingDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const terminal = vscode.window.createTerminal({
      name: `Session: ${session.title}`,
      cwd,
      iconPath: new vscode.ThemeIcon('notebook'),
      isTransient: true,
    });
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
    let execution: vscode.TerminalShellExecution | undefined;
    const ended = new Promise<number | undefined>((resolve) => {
      const listener = vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.terminal === terminal && e.execution === execution) {
          listener.dispose();
          resolve(e.exitCode);
        }
      });
    });
    execution = shellIntegration.executeCommand(commandLine);
    // Start reading at once, or the beginning of the output is lost.
    const tail = new OutputTail(OUTPUT_CAP_BYTES);
    const reading = (async () => {
      for await (const chunk of execution.read()) tail.append(Buffer.from(chunk));
    })();
    const exitCode = await ended;
    await reading;
    const output = terminalTextToPlain(tail.text());
    return {
      status: exitCode === 0 ? 'ok' : 'error',
      exitCode: exitCode ?? null,
      output,
      errorMessage: exitCode === 0 ? null : exitCode === undefined ? 'The exit code is unknown (the shell did not report it).' : `Exited with code ${exitCode}.`,
      durationMs: Date.now() - started,
      data: tail.droppedBytes > 0 ? { droppedOutputBytes: tail.droppedBytes } : null,
    };
  }

  private async runWithoutShellIntegration(terminal: vscode.Terminal, commandLine: string, started: number): Promise<InteractionResultInput> {
    terminal.sendText(commandLine, true);
    const answer = await vscode.window.showInformationMessage(
      `Session Ledger cannot read this terminal (no shell integration). When the command has finished, did it succeed?`,
      { modal: false },
      'Succeeded',
      'Failed',
    );
    const status = answer === 'Succeeded' ? 'ok' : answer === 'Failed' ? 'error' : 'cancelled';
    return {
      status,
      exitCode: null,
      output: null,
      errorMessage: status === 'cancelled' ? 'No outcome was given for the command sent to the terminal.' : status === 'error' ? 'Reported as failed.' : null,
      durationMs: Date.now() - started,
      data: { recordedBy: 'person', shellIntegration: false },
    };
  }
}
