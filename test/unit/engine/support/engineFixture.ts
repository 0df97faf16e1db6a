import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionEngine } from '../../../../src/core/engine/SessionEngine';
import type { Interaction } from '../../../../src/core/model/interaction';
import type { LedgerEvent } from '../../../../src/core/model/event';
import { SessionStore } from '../../../../src/core/store/SessionStore';
import { SessionTypeRegistry } from '../../../../src/core/workflow/SessionTypeRegistry';
import { DEFAULT_WORKFLOW_SETTINGS, type WorkflowSettings } from '../../../../src/core/workflow/StepBehaviour';
import { NodeWorkspaceFiles } from '../../../../src/core/workflow/workspaceFiles';

/** A real store in a temp directory, an engine over it, and a temp workspace for `.sessions/`. */
export interface EngineFixture {
  readonly engine: SessionEngine;
  readonly store: SessionStore;
  readonly types: SessionTypeRegistry;
  readonly workspace: string;
  readonly files: NodeWorkspaceFiles;
  readonly backgroundErrors: unknown[];
  /** Commits so far (each `store.transaction` call). */
  transactionCount(): number;
  eventsOf(sessionId: string): LedgerEvent[];
  interactionsOf(sessionId: string): Interaction[];
  dispose(): Promise<void>;
}

export async function createEngineFixture(settings: Partial<WorkflowSettings> = {}): Promise<EngineFixture> {
  const root = await mkdtemp(join(tmpdir(), 'session-engine-'));
  const workspace = join(root, 'workspace');
  const store = await SessionStore.open({ directory: join(root, 'store'), snapshotInWorker: false, snapshotIdleMs: 0 });
  let transactions = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = (work) => {
    transactions++;
    return transaction(work);
  };
  const types = new SessionTypeRegistry();
  const files = new NodeWorkspaceFiles(workspace);
  const backgroundErrors: unknown[] = [];
  const engine = new SessionEngine({
    store,
    types,
    workspaceFiles: files,
    settings: () => ({ ...DEFAULT_WORKFLOW_SETTINGS, ...settings }),
    onBackgroundError: (error) => backgroundErrors.push(error),
  });
  return {
    engine,
    store,
    types,
    workspace,
    files,
    backgroundErrors,
    transactionCount: () => transactions,
    eventsOf: (sessionId) => store.events.list(sessionId, { limit: 10_000 }),
    interactionsOf: (sessionId) => store.interactions.list(sessionId, { limit: 10_000 }),
    dispose: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
