import * as vscode from 'vscode';
import { join } from 'node:path';
import { adoptLedger, type LedgerOpenOptions } from '../core/store/ledgerAdoption';
import { openLedgerHome, type LedgerHome } from '../core/store/ledgerHome';
import { REGISTRY_FILE, type RegisteredLedger } from '../core/store/ledgerRegistry';
import { SessionStore } from '../core/store/SessionStore';
import { STORE_CLOSE_LIMIT_MS, closeWithin } from '../core/store/storeShutdown';
import type { StoreWarning } from '../core/store/storeWarning';
import type { Logger } from './logger';

/** The action of the `journal-lost` notification: writes everything the store holds to its (recreated) folder, and says how it went. */
async function rewriteStore(store: SessionStore, directory: string, log: Logger): Promise<void> {
  try {
    await store.rewriteHome();
    log.info(`store rewritten in ${directory}`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Session Ledger: the store was rewritten in {0}; changes are saved again.', directory),
    );
  } catch (error) {
    log.error('could not rewrite the store', error);
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t('Session Ledger could not rewrite the store in {0}: {1}', directory, (error as Error).message),
        vscode.l10n.t('Show Log'),
      )
      .then((c) => c && vscode.commands.executeCommand('sessionLedger.showLog'));
  }
}

/** What opening the store needs from the extension context (tests pass their own storage folders). */
export interface StoreHostContext {
  readonly storageUri: vscode.Uri | undefined;
  readonly globalStorageUri: vscode.Uri;
  readonly extensionPath: string;
  readonly subscriptions: { push(...disposables: vscode.Disposable[]): unknown };
}

export interface OpenedStore {
  readonly store: SessionStore;
  readonly directory: string;
  /** How the ledger was found (registry, this window's storage) and what else was seen. */
  readonly home: LedgerHome;
}

/** The first workspace folder's path, when it is on this file system (the ledger follows that folder). */
export function workspaceFolderPath(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder?.scheme === 'file' ? folder.fsPath : undefined;
}

/**
 * Opens the session store of the window's project: the ledger registered for the folder (in the
 * registry in global storage) when this window's storage folder has none or an empty one — VS Code
 * hands a window another storage folder after a crash left its lock behind, in a second window, and
 * after a move — else the one in the workspace's storage (created there when new; the global
 * storage when no folder is open). The wasm, worker and migrations are those shipped beside the
 * bundle. Tells the person about anything the store had to keep aside (and, should its folder be
 * lost while open, offers to rewrite the store there), and offers once to adopt the ledger of a
 * folder this one was moved or renamed from.
 */
export async function openStore(context: StoreHostContext, log: Logger, workspaceFolder = workspaceFolderPath()): Promise<OpenedStore> {
  const base = context.storageUri ?? context.globalStorageUri;
  const localDirectory = join(base.fsPath, 'ledger');
  const dist = join(context.extensionPath, 'dist');
  const inspect = {
    wasmPath: join(dist, 'sql-wasm.wasm'),
    workerPath: join(dist, 'snapshotWorker.js'),
    migrationsDirectory: join(context.extensionPath, 'migrations'),
  };
  const home = await openLedgerHome({
    registryFile: join(context.globalStorageUri.fsPath, REGISTRY_FILE),
    workspaceFolder: context.storageUri ? workspaceFolder : undefined,
    localDirectory,
    inspect,
    // Held by another live process (a second window on the same folder): open it read-only, following the writer.
    openStore: (directory) => SessionStore.open({ ...inspect, directory, readOnlyWhenHeld: true }),
    onWarning: (w) => {
      log.warn(`ledger registry: ${w.message}`);
      if (w.keptAsidePath) void vscode.window.showWarningMessage(vscode.l10n.t('Session Ledger: {0}', w.message));
    },
  });
  const { store, directory } = home;
  home.notes.forEach((note) => log.info(note));
  if (home.source === 'registry')
    log.info(
      `this window's storage (${localDirectory}) has no ledger of its own: opened the one registered for ${home.project?.canonicalPath}`,
    );
  log.info(`store opened in ${directory}`);
  const showLog = () => vscode.commands.executeCommand('sessionLedger.showLog');
  // The store reports each condition once (not once per write), so each warning is one notification.
  const show = (w: StoreWarning) => {
    log.warn(`${w.kind}: ${w.message}${w.keptAsidePath ? ` (kept at ${w.keptAsidePath})` : ''}`);
    if (w.kind === 'journal-lost') {
      const rewrite = vscode.l10n.t('Rewrite Store');
      void vscode.window
        .showErrorMessage(vscode.l10n.t('Session Ledger: {0}', w.message), rewrite, vscode.l10n.t('Show Log'))
        .then((choice) => {
          if (choice === rewrite) void rewriteStore(store, directory, log);
          else if (choice) void showLog();
        });
      return;
    }
    void vscode.window
      .showWarningMessage(vscode.l10n.t('Session Ledger: {0}', w.message), vscode.l10n.t('Show Log'))
      .then((c) => c && showLog());
  };
  store.warnings.forEach(show);
  context.subscriptions.push(store.onDidWarn(show));
  const candidate = home.adoptionCandidates[0];
  if (candidate && home.project && context.storageUri)
    void offerAdoption(candidate, home, join(context.storageUri.fsPath, `ledger-adopted-${Date.now()}`), inspect, log);
  return { store, directory, home };
}

/**
 * Asks (once per window; "Never" is remembered in the registry for this folder and ledger) whether to
 * adopt the ledger of the folder this one seems to have been moved or renamed from, and adopts it on
 * "Adopt": a verified copy in this window's storage, registered as this folder's ledger, shown after
 * a reload; the original files stay where they are.
 */
async function offerAdoption(
  candidate: RegisteredLedger,
  home: LedgerHome,
  targetDirectory: string,
  inspect: LedgerOpenOptions,
  log: Logger,
): Promise<void> {
  const project = home.project!;
  const repository = project.git && `${project.git.remote}${project.git.relativePath === '.' ? '' : `, ${project.git.relativePath}`}`;
  log.info(
    `this folder may be ${candidate.canonicalPath} moved or renamed${repository ? ` (same repository ${repository})` : ''}; its ledger is in ${candidate.directory}`,
  );
  const adopt = vscode.l10n.t('Adopt');
  const never = vscode.l10n.t('Never');
  const choice = await vscode.window.showInformationMessage(
    repository
      ? vscode.l10n.t(
          'Session Ledger: this folder looks like {0}, moved or renamed (same repository {1}). Adopt its session history? A copy is made and checked; the original files stay in {2}.',
          candidate.canonicalPath,
          repository,
          candidate.directory,
        )
      : vscode.l10n.t(
          'Session Ledger: this folder looks like {0}, moved or renamed. Adopt its session history? A copy is made and checked; the original files stay in {1}.',
          candidate.canonicalPath,
          candidate.directory,
        ),
    adopt,
    vscode.l10n.t('Not Now'),
    never,
  );
  if (choice === never) {
    await home.registry.decline(project.canonicalPath, candidate.ledgerId).catch((e) => log.error('remembering "Never" failed', e));
    return;
  }
  if (choice !== adopt) return;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Session Ledger: adopting the session history…') },
      () => adoptLedger({ original: candidate, targetDirectory, project, registry: home.registry, open: inspect }),
    );
    log.info(`adopted ${result.sessions} sessions and ${result.events} events from ${result.originalDirectory} into ${result.directory}`);
    const reload = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Session Ledger: adopted {0} sessions ({1} events), checked against the original. The original files stay in {2}; delete them once you no longer need them. Reload the window to show the history.',
        result.sessions,
        result.events,
        result.originalDirectory,
      ),
      vscode.l10n.t('Reload Window'),
    );
    if (reload) await vscode.commands.executeCommand('workbench.action.reloadWindow');
  } catch (error) {
    log.error(`adopting the ledger in ${candidate.directory} failed`, error);
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t('Session Ledger could not adopt the history in {0}: {1}', candidate.directory, (error as Error).message),
        vscode.l10n.t('Show Log'),
      )
      .then((c) => c && vscode.commands.executeCommand('sessionLedger.showLog'));
  }
}

/**
 * What `deactivate()` returns: the store's close (final snapshot, lock released), waited for at most
 * {@link STORE_CLOSE_LIMIT_MS}; a close that takes longer goes on, with the journal as the source of truth.
 */
export async function closeStore(store: SessionStore, log: Logger): Promise<void> {
  // The log channel may be disposed by now (deactivation disposes the subscriptions): logging must not make this reject.
  const quietly = (write: () => void) => {
    try {
      write();
    } catch {
      // Nowhere left to say it.
    }
  };
  try {
    const outcome = await closeWithin(store);
    if (outcome === 'timed-out')
      quietly(() => log.warn(`the store did not close within ${STORE_CLOSE_LIMIT_MS / 1000} s; its journal holds every change`));
  } catch (error) {
    quietly(() => log.error('closing the store failed (its journal holds every change)', error));
  }
}
