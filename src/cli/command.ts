import type { ParseArgsConfig } from 'node:util';
import type { Style } from './format';
import type { CliLedger } from './ledgerAccess';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command gets: its parsed arguments, where to write, and the ledger (opened on request, closed after the command). */
export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Data: what the command produces (text, JSON, CSV). */
  out(text: string): void;
  /** Messages and progress. */
  err(text: string): void;
  /** Colours for stdout and for stderr (each on only when that stream is a terminal). */
  readonly style: Style;
  readonly errStyle: Style;
  readonly now: number;
  /** Aborted on Ctrl+C. */
  readonly signal: AbortSignal;
  /** Opens the ledger named by --ledger / the registry (see ledgerAccess.ts); closed when the command ends. */
  openLedger(write: boolean): Promise<CliLedger>;
}

export interface Command {
  readonly name: string;
  /** One line, for the command list. */
  readonly summary: string;
  /** The command's own `--help` text, after its usage line (options, examples). */
  readonly usage: string;
  readonly help: string;
  readonly options: OptionsConfig;
  /** How many positional arguments it takes. */
  readonly positionals: { readonly min: number; readonly max: number };
  /** Resolves to the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionsConfig = {
  ledger: { type: 'string' },
  registry: { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP = `Ledger selection (every command):
  --ledger <dir>     the ledger's folder (the one holding ledger.sqlite)
  --registry <file>  VS Code's ledger registry, to find this folder's ledger
                     (default: $SESSION_LEDGER_REGISTRY, else the first found of
                      Linux    ~/.config/Code/User/globalStorage/session-ledger.session-ledger/ledger-registry.json
                      macOS    ~/Library/Application Support/Code/User/globalStorage/…/ledger-registry.json
                      Windows  %APPDATA%\\Code\\User\\globalStorage\\…\\ledger-registry.json
                      also "Code - Insiders", "VSCodium", and code-server's ~/.local/share/code-server)
  Without --ledger, the ledger registered for the current folder (or the nearest folder above it).
  Reading commands never lock the ledger (they read what VS Code has written so far); while VS Code
  holds it, commands that write are refused (exit 3).

Output:
  --json             machine-readable output on stdout (stable: see docs/cli.md)
  --no-color         no colours (also: NO_COLOR set, or stdout not a terminal)
  -h, --help         this help`;

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}
