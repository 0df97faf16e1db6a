import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { holdsLedger } from '../core/store/ledgerAdoption';
import { LedgerRegistry, REGISTRY_FILE, type RegisteredLedger } from '../core/store/ledgerRegistry';
import { canonicalFolderPath } from '../core/store/projectIdentity';
import { SessionStore } from '../core/store/SessionStore';
import { CliError, EXIT } from './cliError';

/** The extension's id (`publisher.name`): its folder under `<user-data-dir>/User/globalStorage/`. */
export const EXTENSION_STORAGE_ID = 'session-ledger.session-ledger';
/** Names the registry file to use (overrides the defaults below; `--registry` overrides it). */
export const REGISTRY_ENV = 'SESSION_LEDGER_REGISTRY';

export interface CliLedgerOptions {
  /** `--ledger <dir>`: the ledger's folder (relative to `cwd`). */
  ledger?: string;
  /** The folder whose ledger is wanted when `ledger` is not given (it, or the nearest parent registered). */
  cwd: string;
  /** The command writes: refused (exit 3) while another process holds the ledger; a `--ledger` folder without a ledger gets a new one. */
  write: boolean;
  /** The extension's global storage folder (`…/User/globalStorage/session-ledger.session-ledger`): its registry is used. */
  globalStorage?: string;
  /** `--registry <file>`: the registry file itself. */
  registry?: string;
  /** Default: process.env (for SESSION_LEDGER_REGISTRY, APPDATA, XDG_CONFIG_HOME). */
  env?: NodeJS.ProcessEnv;
}

export interface CliLedger {
  store: SessionStore;
  directory: string;
  /** Another live process (a VS Code window) holds the ledger: reads see what it wrote, writes are refused. */
  readOnly: boolean;
  /** Who holds it ("process 4242 on this machine since …"), when read-only. */
  holder?: string;
}

/**
 * Where VS Code keeps its user data, per platform, most likely first: desktop VS Code, Insiders,
 * VSCodium, then code-server. The registry is `<dir>/User/globalStorage/session-ledger.session-ledger/ledger-registry.json`.
 */
export function defaultUserDataDirs(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string[] {
  const names = ['Code', 'Code - Insiders', 'VSCodium'];
  let base: string;
  if (platform === 'win32') base = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') base = path.join(home, 'Library', 'Application Support');
  else base = env.XDG_CONFIG_HOME ?? path.join(home, '.config');
  const codeServer = path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'code-server');
  return [...names.map((name) => path.join(base, name)), codeServer];
}

/** The registry file inside a VS Code user-data-dir. */
export function registryFileOf(userDataDir: string): string {
  return path.join(userDataDir, 'User', 'globalStorage', EXTENSION_STORAGE_ID, REGISTRY_FILE);
}

/**
 * The registry files to look in, in order: `--registry`, else $SESSION_LEDGER_REGISTRY, else the
 * given global storage's, else every default user-data-dir's that exists.
 */
export function registryFiles(options: Pick<CliLedgerOptions, 'registry' | 'globalStorage' | 'env' | 'cwd'>): {
  files: string[];
  explicit: boolean;
} {
  const env = options.env ?? process.env;
  if (options.registry) return { files: [path.resolve(options.cwd, options.registry)], explicit: true };
  if (env[REGISTRY_ENV]) return { files: [path.resolve(options.cwd, env[REGISTRY_ENV])], explicit: true };
  if (options.globalStorage) return { files: [path.join(path.resolve(options.cwd, options.globalStorage), REGISTRY_FILE)], explicit: true };
  return {
    files: defaultUserDataDirs(env)
      .map(registryFileOf)
      .filter((file) => fs.existsSync(file)),
    explicit: false,
  };
}

/** The ledger registered for `folder` or its nearest registered parent, in the first registry that has one. */
export function findRegisteredLedger(folder: string, files: readonly string[]): { ledger: RegisteredLedger; registry: string } | undefined {
  const registries = files.map((file) => ({ file, content: new LedgerRegistry(file).read() }));
  for (let dir = canonicalFolderPath(folder); ;) {
    for (const { file, content } of registries) {
      const ledger = content.ledgers.find((l) => l.canonicalPath === dir && holdsLedger(l.directory));
      if (ledger) return { ledger, registry: file };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Where the ledger to open is: `--ledger`, else the registry's for the folder. Throws a {@link CliError} (exit 4) when there is none. */
export function locateLedger(options: CliLedgerOptions): string {
  if (options.ledger) {
    const directory = path.resolve(options.cwd, options.ledger);
    if (!options.write && !holdsLedger(directory)) {
      throw new CliError(
        `No ledger in ${directory} (no ledger.sqlite or journal file there). Check the --ledger folder: it is the one holding ledger.sqlite.`,
        EXIT.noLedger,
      );
    }
    return directory;
  }
  const { files, explicit } = registryFiles(options);
  const found = findRegisteredLedger(options.cwd, files);
  if (found) return found.ledger.directory;
  const looked = files.length
    ? `looked in ${files.join(', ')}`
    : `no registry found in ${defaultUserDataDirs(options.env).map(registryFileOf).join(', ')}`;
  throw new CliError(
    `No Session Ledger ledger is registered for ${options.cwd} or a folder above it (${looked}). ` +
      (explicit
        ? 'Open the folder in VS Code with Session Ledger once (it registers the ledger), or pass --ledger <dir>.'
        : `Open the folder in VS Code with Session Ledger once, pass --ledger <dir>, or name VS Code's registry with --registry <file> or $${REGISTRY_ENV}.`),
    EXIT.noLedger,
  );
}

/**
 * Opens the ledger a command works on. A command that only reads opens it lock-free and read-only
 * (SessionStore.openReader), held or not: it never makes a VS Code window opening meanwhile
 * read-only, and it reads what the holder, if any, has written so far. A command that writes takes
 * the lock for as long as it runs (a VS Code window opening meanwhile reads it live until the
 * command ends), and is refused with a {@link CliError} (exit 3) naming the holder while another
 * process (a VS Code window) holds it. `follow`: a reader that keeps applying what the holder writes
 * (the MCP server's; see SessionStore.refresh).
 */
export async function openLedgerForCli(options: CliLedgerOptions & { follow?: boolean }): Promise<CliLedger> {
  const directory = locateLedger(options);
  let store: SessionStore;
  try {
    store = options.write
      ? await SessionStore.open({ directory, readOnlyWhenHeld: true, snapshotIdleMs: 0, fileCheckMs: 0 })
      : await SessionStore.openReader({ directory, follow: options.follow === true });
  } catch (error) {
    throw new CliError(`Could not open the ledger in ${directory}: ${(error as Error).message}`, EXIT.failure);
  }
  const holder = store.holder?.description;
  if (options.write && store.readOnly) {
    await store.close();
    throw new CliError(
      `The ledger in ${directory} is held by ${holder ?? 'another process'} (a VS Code window with this project open, or another session-ledger command), so this command cannot write to it. ` +
        'Close that window (or wait for that process to end) and run the command again; reading commands (list, show, search, usage, export) work meanwhile.',
      EXIT.ledgerHeld,
    );
  }
  return { store, directory, readOnly: holder !== undefined, ...(holder ? { holder } : {}) };
}
