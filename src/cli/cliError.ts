/**
 * Exit codes of the `session-ledger` command line (documented in docs/cli.md and `--help`):
 *   0  done (for `run`: the session completed)
 *   1  failure: the command could not do its work, or `run` ended without completing the session
 *   2  usage error: an unknown command or option, a missing or invalid argument
 *   3  the ledger is held by another process (VS Code) and the command would write: refused
 *   4  no ledger found: nothing registered for this folder, or `--ledger` names a folder without one
 *   130 interrupted (Ctrl+C)
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  ledgerHeld: 3,
  noLedger: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the command line reports as one message on stderr (what went wrong and what to do), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A CliError, also one thrown by a command bundled apart (its own copy of the class: see main.ts). */
export function isCliError(error: unknown): error is CliError {
  return error instanceof Error && error.name === 'CliError' && typeof (error as Partial<CliError>).exitCode === 'number';
}

export function usageError(message: string, command?: string): CliError {
  return new CliError(`${message}\nRun \`session-ledger ${command ? `${command} ` : ''}--help\` for usage.`, EXIT.usage);
}
