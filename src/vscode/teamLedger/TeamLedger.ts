import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Pool } from 'pg';
import type { SessionStore } from '../../core/store/SessionStore';
import { isSessionShared, pulledSessionOwner } from '../../core/store/queries/sessionQueries';
import { Redactor } from '../../core/ledger/redaction';
import { checkTeamConnection, type ConnectionCheck } from '../../core/sync/connect';
import { teamLedgerError } from '../../core/sync/connectionSecrets';
import { Replicator, teamProjectId, type SharingMode, type SyncStatus } from '../../core/sync/replicator';
import { createTeamPool } from '../../core/sync/teamPool';
import { pulledSessionIds, teamUsage, type TeamUsage } from '../../core/sync/teamUsage';
import type { Config } from '../config';
import { DisposableOwner } from '../lifecycle';
import type { Logger } from '../logger';

/** The SecretStorage key of the connection string (never in settings, logs or messages). */
export const TEAM_LEDGER_SECRET = 'sessionLedger.teamLedger.connectionString';

/** What the status bar and the commands show about the team ledger. */
export type TeamLedgerStatus =
  | { readonly state: 'disconnected' }
  /** Connected, but this window does not sync: another window holds the ledger (read-only), or the workspace has no project id. */
  | { readonly state: 'idle'; readonly reason: string }
  | { readonly state: 'connecting' }
  | ({ readonly state: SyncStatus['state']; readonly person: string; readonly sharing: SharingMode } & Omit<SyncStatus, 'state'>);

export interface TeamLedgerDeps {
  readonly store: SessionStore;
  readonly config: Config;
  readonly secrets: vscode.SecretStorage;
  readonly log: Logger;
  /** This machine's name as stamped on sessions pushed from here (default: the host name). */
  readonly machine?: string;
}

/**
 * The editor side of the team ledger (docs/team-ledger.md): keeps the connection string in
 * SecretStorage, runs the replicator (src/core/sync) while connected — live pushes after local
 * commits, pulls on NOTIFY and a slow poll — and restarts it when the team settings change.
 * Every message it shows or logs passes `teamLedgerError` (the connection string redacted).
 */
export class TeamLedger extends DisposableOwner {
  private readonly _onDidChangeStatus = this.register(new vscode.EventEmitter<TeamLedgerStatus>());
  readonly onDidChangeStatus = this._onDidChangeStatus.event;
  private current: TeamLedgerStatus = { state: 'disconnected' };
  private replicator: Replicator | undefined;
  private pool: Pool | undefined;
  private person: string | undefined;
  /** Bumped by every (re)start and stop: a start that finishes after a newer one gives up. */
  private generation = 0;
  private starting: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TeamLedgerDeps) {
    super();
    this.register(
      deps.config.onDidChange(() => {
        const key = this.settingsKey();
        if (key !== this.startedWith) void this.restart();
      }),
    );
    this.register(deps.store.onDidChangeAccess(() => void this.restart()));
    this.register({ dispose: () => void this.stopReplicator() });
  }

  private startedWith: string | undefined;
  private contextSet = false;

  get status(): TeamLedgerStatus {
    return this.current;
  }

  /** This workspace's project id on the team server (its normalised git remote, else the ledger id). */
  get projectId(): string | undefined {
    return teamProjectId(this.deps.store);
  }

  get machine(): string {
    return this.deps.machine ?? os.hostname();
  }

  /** Whether a connection string is stored. */
  async isConnected(): Promise<boolean> {
    return (await this.deps.secrets.get(TEAM_LEDGER_SECRET)) !== undefined;
  }

  /** Starts syncing when a connection string is stored (at activation). */
  start(): Promise<void> {
    return this.restart();
  }

  /**
   * Tests `connectionString` (its sslmode honoured), and only when that worked stores it in
   * SecretStorage and starts syncing. Throws a redacted error when the test fails.
   */
  async connect(connectionString: string): Promise<ConnectionCheck> {
    const check = await checkTeamConnection(connectionString);
    await this.deps.secrets.store(TEAM_LEDGER_SECRET, connectionString);
    this.deps.log.info(
      `team ledger: connected as role ${check.role} (PostgreSQL ${check.serverVersion}, TLS ${check.tls ? 'on' : 'off'}, schema ${check.schemaVersion}/${check.knownSchemaVersion})`,
    );
    await this.restart();
    return check;
  }

  /** Stops syncing and forgets the connection string. Local sessions and pulled copies stay. */
  async disconnect(): Promise<void> {
    this.generation++;
    await this.stopReplicator();
    await this.deps.secrets.delete(TEAM_LEDGER_SECRET);
    this.deps.log.info('team ledger: disconnected (the connection string was removed from SecretStorage)');
    this.setStatus({ state: 'disconnected' });
  }

  /** Pushes what is queued and pulls, now. */
  async syncNow(): Promise<{ pushed: number; pulled: number }> {
    // After an error (a schema not set up, refused, a bad setting) start again: it checks the schema again.
    if (this.current.state === 'error') await this.restart();
    else await this.starting;
    const replicator = this.replicator;
    if (!replicator) throw new Error(this.notSyncingReason());
    const pushed = await replicator.pushAll();
    const pulled = await replicator.pull();
    return { pushed, pulled };
  }

  /** Marks (or unmarks) a session made here for the "only sessions marked Share" choice. */
  async setShared(sessionId: string, shared: boolean): Promise<void> {
    await this.starting;
    const replicator = this.replicator;
    if (!replicator) throw new Error(this.notSyncingReason());
    await replicator.setShared(sessionId, shared);
    void replicator.pushAll().catch(() => undefined); // the status says what failed
  }

  /** Whether a session is marked Share (sessions.shared, migration 0009). */
  isShared(sessionId: string): boolean {
    return isSessionShared(this.deps.store.sql, sessionId);
  }

  /** Who a pulled session belongs to, or undefined for a session made here. */
  ownerOf(sessionId: string): { person: string; machine: string } | undefined {
    return pulledSessionOwner(this.deps.store.sql, sessionId);
  }

  /**
   * Show Usage's team view: this ledger's usage (own and pulled sessions) by person and project.
   * With all projects pulled, the project of each pulled session is asked of the server.
   */
  async teamUsage(): Promise<TeamUsage & { person: string; projectId: string; connected: boolean }> {
    await this.starting;
    const person = this.person ?? (this.deps.config.value['teamLedger.person'] || os.userInfo().username);
    const projectId = this.projectId ?? '(no project id)';
    let projectOf: Map<string, string> | undefined;
    if (this.pool && this.deps.config.value['teamLedger.pullAllProjects']) {
      const ids = pulledSessionIds(this.deps.store.sql);
      try {
        const result = await this.pool.query<{ id: string; project_id: string }>(
          'SELECT id, project_id FROM sessions WHERE id = ANY($1::text[])',
          [ids],
        );
        projectOf = new Map(result.rows.map((row) => [row.id, row.project_id]));
      } catch (error) {
        this.deps.log.warn(`team usage: projects of pulled sessions not read (${teamLedgerError('read projects', error).message})`);
      }
    }
    return {
      ...teamUsage(this.deps.store.sql, { person, projectId, projectOf }),
      person,
      projectId,
      connected: this.replicator !== undefined,
    };
  }

  private notSyncingReason(): string {
    if (this.current.state === 'disconnected') return vscode.l10n.t('Not connected to a team ledger: run "Connect Team Ledger…" first.');
    if (this.current.state === 'idle') return this.current.reason;
    return vscode.l10n.t('The team ledger is still connecting; try again in a moment.');
  }

  /** The settings the replicator was started with (a change of any restarts it). */
  private settingsKey(): string {
    const c = this.deps.config.value;
    return JSON.stringify([
      c['teamLedger.sharing'],
      c['teamLedger.pullAllProjects'],
      c['teamLedger.pullMaxAgeDays'],
      c['teamLedger.person'],
      c['redaction.extraPatterns'],
    ]);
  }

  private restart(): Promise<void> {
    const generation = ++this.generation;
    this.starting = this.starting
      .then(() => this.startNow(generation))
      .catch((error: unknown) => {
        const message = teamLedgerError('start syncing', error).message;
        this.deps.log.error(message);
        if (generation === this.generation)
          this.setStatus({ state: 'error', person: this.person ?? '', sharing: 'off', pending: 0, error: message });
      });
    return this.starting;
  }

  private async startNow(generation: number): Promise<void> {
    await this.stopReplicator();
    if (generation !== this.generation) return;
    const connectionString = await this.deps.secrets.get(TEAM_LEDGER_SECRET);
    if (generation !== this.generation) return;
    if (connectionString === undefined) {
      this.setStatus({ state: 'disconnected' });
      return;
    }
    const { store, config, log } = this.deps;
    if (store.readOnly) {
      this.setStatus({
        state: 'idle',
        reason: vscode.l10n.t('This window shows the ledger read-only (another window holds it): that window syncs it.'),
      });
      return;
    }
    const projectId = this.projectId;
    if (projectId === undefined) {
      this.setStatus({
        state: 'idle',
        reason: vscode.l10n.t('This workspace has no project id yet (no git remote, no ledger id): nothing to sync.'),
      });
      return;
    }
    this.setStatus({ state: 'connecting' });
    this.startedWith = this.settingsKey();
    const settings = config.value;
    const pool = createTeamPool(connectionString, (message) => log.warn(`team ledger: ${message}`));
    this.pool = pool;
    let person = settings['teamLedger.person'];
    if (!person) {
      try {
        person = String((await pool.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role); // a SELECT without FROM returns one row
      } catch {
        person = os.userInfo().username; // offline at start: the role name is read again at the next start
      }
    }
    this.person = person;
    if (generation !== this.generation) return void (await pool.end().catch(() => undefined));
    const replicator = new Replicator({
      store,
      pool,
      connectionString,
      person,
      machine: this.machine,
      projectId,
      sharing: settings['teamLedger.sharing'],
      redactor: new Redactor({ extraPatterns: settings['redaction.extraPatterns'] }),
      allProjects: settings['teamLedger.pullAllProjects'],
      pullMaxAgeDays: settings['teamLedger.pullMaxAgeDays'],
    });
    this.replicator = replicator;
    replicator.onDidChangeStatus((status) => {
      if (this.replicator === replicator) this.setStatus({ ...status, person, sharing: settings['teamLedger.sharing'] });
    });
    this.setStatus({ ...replicator.currentStatus, person, sharing: settings['teamLedger.sharing'] });
    try {
      const version = await replicator.ensureSchema();
      await replicator.enableCapture();
      log.info(
        `team ledger: syncing project ${projectId} as ${person} on ${this.machine} (schema ${version}, sharing ${settings['teamLedger.sharing']})`,
      );
    } catch (error) {
      const message = teamLedgerError('check the team ledger schema', error).message;
      // Offline at start is fine (changes stay queued; the poll retries). A schema refused as too new,
      // or one this role may not set up, is not: nothing is sent until that is fixed.
      if (!/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ENOENT|timeout|Connection terminated|could not connect/i.test(message)) {
        log.error(message);
        if (generation === this.generation)
          this.setStatus({
            state: 'error',
            person,
            sharing: settings['teamLedger.sharing'],
            pending: replicator.pendingCount(),
            error: message,
          });
        return;
      }
      log.warn(message);
    }
    if (generation !== this.generation || this.replicator !== replicator) return;
    replicator.start();
  }

  private async stopReplicator(): Promise<void> {
    const replicator = this.replicator;
    const pool = this.pool;
    this.replicator = undefined;
    this.pool = undefined;
    this.startedWith = undefined;
    await replicator?.stop().catch(() => undefined);
    await pool?.end().catch(() => undefined);
  }

  private setStatus(status: TeamLedgerStatus): void {
    if ((status.state === 'disconnected') !== (this.current.state === 'disconnected') || !this.contextSet) {
      this.contextSet = true;
      void vscode.commands.executeCommand('setContext', 'sessionLedger.teamConnected', status.state !== 'disconnected');
    }
    this.current = status;
    this._onDidChangeStatus.fire(status);
  }
}
