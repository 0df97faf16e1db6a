import { runProcess, type ProcessOptions, type ProcessResult } from './runProcess';

export interface ShellCommandOptions extends Omit<ProcessOptions, 'file' | 'args'> {
  /** The command line, run by the shell as `<shell> -c <command>`. */
  command: string;
  /** Defaults to /bin/sh. */
  shell?: string;
}

/** Runs a shell command line with the guarantees of runProcess (timeout, cancel, tree kill, capped tail). */
export function runShellCommand(options: ShellCommandOptions): Promise<ProcessResult> {
  const { command, shell, ...rest } = options;
  return runProcess({ ...rest, file: shell ?? '/bin/sh', args: ['-c', command] });
}

/** One line a person can read: "exit 0", "killed by SIGTERM (timeout after 5000 ms)", "could not start: …". */
export function describeProcessResult(result: ProcessResult, timeoutMs?: number): string {
  const dropped = result.droppedBytes > 0 ? `; first ${result.droppedBytes} bytes of output dropped` : '';
  switch (result.outcome) {
    case 'spawn_error':
      return `could not start: ${result.errorMessage ?? result.errorCode ?? 'unknown error'}`;
    case 'cancelled':
      return `cancelled${dropped}`;
    case 'timeout':
      return `timed out${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ''}${dropped}`;
    case 'exited':
      return (result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`) + dropped;
  }
}
