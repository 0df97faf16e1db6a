import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { OutputTail } from './outputTail';
import { killProcessGroup } from './processTree';

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export const DEFAULT_KILL_GRACE_MS = 2000;

export interface ProcessOptions {
  /** Executable (looked up on PATH from `env.PATH`). */
  file: string;
  args?: readonly string[];
  cwd: string;
  /** The whole environment of the child. Defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  stdin?: string;
  /** Ends the process tree after this long; the outcome is `timeout`. */
  timeoutMs?: number;
  /** Aborting ends the process tree; the outcome is `cancelled`. */
  signal?: AbortSignal;
  /** Cap on the kept output (stdout and stderr interleaved); the tail is kept. */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL when ending the tree. */
  killGraceMs?: number;
  /** Live output, decoded as UTF-8, uncapped. */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

export type ProcessOutcome = 'exited' | 'timeout' | 'cancelled' | 'spawn_error';

export interface ProcessResult {
  outcome: ProcessOutcome;
  /** Exit code, or null when the process was ended by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr as they arrived, capped to the last `maxOutputBytes`. */
  output: string;
  /** How many bytes of output were dropped from the start to respect the cap. */
  droppedBytes: number;
  durationMs: number;
  /** For `spawn_error`: the system error code (ENOENT, EACCES…) and message. */
  errorCode?: string;
  errorMessage?: string;
}

/**
 * Runs a process in its own process group and resolves when it and everything it started are done.
 * Never rejects: every way a process can end is a ProcessResult. Background processes the command
 * left behind are ended when it exits, so nothing outlives a step.
 */
export function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const startedAt = Date.now();
  const tail = new OutputTail(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const finish = (fields: Partial<ProcessResult> & { outcome: ProcessOutcome }): ProcessResult => ({
    exitCode: null,
    signal: null,
    output: tail.text(),
    droppedBytes: tail.droppedBytes,
    durationMs: Date.now() - startedAt,
    ...fields,
  });

  if (options.signal?.aborted) return Promise.resolve(finish({ outcome: 'cancelled' }));

  return new Promise((resolve) => {
    const child = spawn(options.file, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });

    let outcome: ProcessOutcome = 'exited';
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const pendingKills: Array<() => void> = [];
    let settled = false;

    const killTree = (): void => {
      if (child.pid !== undefined) pendingKills.push(killProcessGroup(child.pid, graceMs));
    };
    const endTree = (why: ProcessOutcome): void => {
      if (outcome === 'exited') outcome = why;
      killTree();
    };
    const onAbort = (): void => endTree('cancelled');
    const timer = options.timeoutMs !== undefined ? setTimeout(() => endTree('timeout'), options.timeoutMs) : undefined;
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (result: ProcessResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      for (const cancel of pendingKills) cancel();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };

    pipeOutput(child.stdout, tail, options.onStdout);
    pipeOutput(child.stderr, tail, options.onStderr);
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // EPIPE when the child ignores its input
      child.stdin.end(options.stdin);
    }

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // a runtime error of a started process; 'close' follows
      settle(finish({ outcome: 'spawn_error', errorCode: error.code, errorMessage: error.message }));
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // End whatever the command left running in its group, so its pipes close and nothing lingers.
      killTree();
    });
    child.on('close', () => settle(finish({ outcome, exitCode, signal: exitSignal })));
  });
}

function pipeOutput(stream: NodeJS.ReadableStream | null, tail: OutputTail, onText: ((text: string) => void) | undefined): void {
  if (!stream) return;
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer) => {
    tail.append(chunk);
    if (onText) {
      const text = decoder.write(chunk);
      if (text) onText(text);
    }
  });
  stream.on('end', () => {
    const rest = decoder.end();
    if (rest && onText) onText(rest);
  });
}
