import { holdsLedger, summarizeLedger, type LedgerOpenOptions } from './ledgerAdoption';
import { LedgerRegistry, samePath, type RegisteredLedger, type RegistryWarning } from './ledgerRegistry';
import { projectIdentity, stampLedgerIdentity, type ProjectIdentity } from './projectIdentity';
import type { SessionStore } from './SessionStore';

export interface LedgerHomeOptions {
  /** The registry file (`<global storage>/ledger-registry.json`). */
  readonly registryFile: string;
  /** The project folder; undefined without a folder open (then the ledger is `localDirectory`, unregistered). */
  readonly workspaceFolder: string | undefined;
  /** Where this window's storage keeps a ledger (`<storage>/ledger`): where a new ledger is created. */
  readonly localDirectory: string;
  /** Opens the ledger to use (the host's options: wasm, worker, read-only when held…). */
  openStore(directory: string): Promise<SessionStore>;
  /** How to open a ledger only to count what it holds. */
  readonly inspect: LedgerOpenOptions;
  /** Said about the registry (damaged file kept aside, an update that failed). */
  onWarning?(warning: RegistryWarning): void;
}

/** Why the ledger opened is the one it is. */
export type LedgerHomeSource =
  /** This window's storage folder: registered for the folder, or nothing else was. */
  | 'workspace-storage'
  /** The registry's ledger for this folder: this window's storage folder had none, or an empty one. */
  | 'registry';

export interface LedgerHome {
  readonly store: SessionStore;
  readonly directory: string;
  readonly source: LedgerHomeSource;
  readonly project: ProjectIdentity | undefined;
  readonly ledgerId: string | undefined;
  readonly registry: LedgerRegistry;
  /**
   * Ledgers of a folder this one may be a move or rename of (same git identity), when the ledger
   * opened holds no sessions: to offer for adoption (ask; never adopt silently).
   */
  readonly adoptionCandidates: readonly RegisteredLedger[];
  /** What the log should say about the choice (another ledger with sessions left where it is, a registered folder gone…). */
  readonly notes: readonly string[];
}

/**
 * Opens the ledger of the window's project folder, found by the folder's identity rather than by the
 * storage folder VS Code handed this window (which changes after a crash left its lock behind, in
 * a second window, after a move):
 *  - the registry's ledger for the folder's canonical path, when this window's storage folder holds
 *    no ledger or an empty one;
 *  - otherwise this window's storage folder's (created there when new, as always).
 * The ledger opened is stamped with the project's identity (journalled) and registered as the
 * folder's home — unless another registered ledger kept that place (this one then holds sessions
 * too: both stay, the log says so). The registry failing never stops the ledger from opening.
 */
export async function openLedgerHome(options: LedgerHomeOptions): Promise<LedgerHome> {
  const registry = new LedgerRegistry(options.registryFile, { onWarning: options.onWarning });
  const notes: string[] = [];
  const project = options.workspaceFolder === undefined ? undefined : projectIdentity(options.workspaceFolder);
  let registered: RegisteredLedger | undefined;
  let source: LedgerHomeSource = 'workspace-storage';
  let directory = options.localDirectory;
  if (project) {
    registered = registry.homeOf(project.canonicalPath);
    if (registered && !samePath(registered.directory, options.localDirectory)) {
      if (!holdsLedger(registered.directory)) {
        notes.push(
          `the ledger registered for ${project.canonicalPath} in ${registered.directory} is gone; using ${options.localDirectory}`,
        );
        registered = undefined;
      } else if (!holdsLedger(options.localDirectory) || (await holdsNoSessions(options.localDirectory, options.inspect))) {
        source = 'registry';
        directory = registered.directory;
      } else {
        notes.push(
          `${options.localDirectory} holds sessions of its own, so it is used; the ledger registered for ${project.canonicalPath} stays in ${registered.directory}`,
        );
      }
    }
  }
  const store = await options.openStore(directory);
  let ledgerId: string | undefined;
  let adoptionCandidates: RegisteredLedger[] = [];
  if (project) {
    try {
      ledgerId = (await stampLedgerIdentity(store, project)).ledgerId;
      const keepsOtherHome = registered !== undefined && !samePath(registered.directory, directory);
      if (ledgerId && !keepsOtherHome) {
        await registry.register({
          directory,
          ledgerId,
          canonicalPath: project.canonicalPath,
          ...(project.git ? { git: project.git } : {}),
        });
      }
      if (project.git && store.sessions.count({ deleted: 'include' }) === 0) {
        adoptionCandidates = registry.adoptionCandidates(project, holdsLedger).filter((c) => !samePath(c.directory, directory));
      }
    } catch (error) {
      options.onWarning?.({
        message: `Could not record this project's ledger in the registry ${options.registryFile}: ${(error as Error).message}. The ledger in ${directory} is open as usual.`,
      });
    }
  }
  return { store, directory, source, project, ledgerId, registry, adoptionCandidates, notes };
}

/** Whether the ledger in `directory` holds no session at all; a ledger that cannot be opened to count (held elsewhere) counts as holding some. */
async function holdsNoSessions(directory: string, inspect: LedgerOpenOptions): Promise<boolean> {
  try {
    return (await summarizeLedger(directory, inspect)).sessions === 0;
  } catch {
    return false;
  }
}
