import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionEngine } from '../../../../src/core/engine/SessionEngine';
import { SessionTypeRegistry } from '../../../../src/core/workflow/SessionTypeRegistry';
import { DEFAULT_WORKFLOW_SETTINGS, type WorkflowSettings } from '../../../../src/core/workflow/StepBehaviour';
import { NodeWorkspaceFiles } from '../../../../src/core/workflow/workspaceFiles';
import { InMemoryEngineStore } from './InMemoryEngineStore';

export interface EngineFixture {
  readonly engine: SessionEngine;
  readonly store: InMemoryEngineStore;
  readonly types: SessionTypeRegistry;
  readonly workspace: string;
  readonly files: NodeWorkspaceFiles;
  readonly backgroundErrors: unknown[];
  dispose(): Promise<void>;
}

export async function createEngineFixture(settings: Partial<WorkflowSettings> = {}): Promise<EngineFixture> {
  const workspace = await mkdtemp(join(tmpdir(), 'session-engine-'));
  const store = new InMemoryEngineStore();
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
  return { engine, store, types, workspace, files, backgroundErrors, dispose: () => rm(workspace, { recursive: true, force: true }) };
}
