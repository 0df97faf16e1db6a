import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildUsageReport } from '../../src/core/ledger/usageReport';
import { LedgerRegistry, REGISTRY_FILE } from '../../src/core/store/ledgerRegistry';
import { projectIdentity, stampLedgerIdentity } from '../../src/core/store/projectIdentity';
import { SessionStore } from '../../src/core/store/SessionStore';
import type { UsagePanel } from '../../src/vscode/usage/UsagePanel';
import { activateExtension, extensionId, within } from './helpers';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** Every file of a folder with a hash of its bytes. */
function folderState(directory: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(directory)
      .sort()
      .map((name) => [
        name,
        createHash('sha256')
          .update(readFileSync(join(directory, name)))
          .digest('hex'),
      ]),
  );
}

describe('Show Usage: all workspaces on this machine', () => {
  it('the all-workspaces view includes the project and totals of another registered ledger, and names one that cannot be read', async () => {
    const api = await activateExtension();
    const extensionPath = vscode.extensions.getExtension(extensionId)!.extensionPath;
    const root = mkdtempSync(join(process.env.SESSION_LEDGER_TEST_RUN_DIR ?? tmpdir(), 'usage-all-'));
    const registry = new LedgerRegistry(join(api.globalStorageUri.fsPath, REGISTRY_FILE));
    const otherFolder = join(root, 'other-project');
    const otherLedger = join(root, 'storage', 'ledger');
    const goneLedger = join(root, 'deleted-storage', 'ledger');
    const model = `claude-all-workspaces-${Date.now()}`;
    let panel: UsagePanel | undefined;
    try {
      // Another project's ledger (a closed project): one session, one run of $1.25.
      mkdirSync(otherFolder, { recursive: true });
      const other = await SessionStore.open({
        directory: otherLedger,
        wasmPath: join(extensionPath, 'dist', 'sql-wasm.wasm'),
        migrationsDirectory: join(extensionPath, 'migrations'),
        snapshotInWorker: false,
        snapshotIdleMs: 0,
      });
      const identity = projectIdentity(otherFolder);
      const { ledgerId } = await stampLedgerIdentity(other, identity);
      const session = await other.sessions.create({ type: 'test-fix', title: 'elsewhere', intention: 'x' });
      const run = await other.runs.start({ sessionId: session.id, provider: 'anthropic-api', model });
      await other.runs.update(run.id, { status: 'ok', inputTokens: 40, outputTokens: 60, costUsd: 1.25 });
      await other.close();
      await registry.register({ directory: otherLedger, ledgerId: ledgerId!, canonicalPath: identity.canonicalPath });
      await registry.register({ directory: goneLedger, ledgerId: `gone-${Date.now()}`, canonicalPath: join(root, 'deleted-project') });
      const otherFiles = folderState(otherLedger);

      panel = (await vscode.commands.executeCommand('sessionLedger.showUsage')) as UsagePanel;
      await within('the workspace render', panel.test.whenRendered());
      await panel.showScope('machine');
      const rendered = await within(
        'the all-workspaces render',
        panel.test.whenRendered((r) => r.scope === 'machine'),
      );
      const shown = panel.lastReport!;
      assert.equal(shown.scope, 'machine');
      const machine = shown.machine!;

      const row = machine.byProject.find((p) => p.key === identity.canonicalPath);
      assert.ok(row, `the other project is listed (listed: ${machine.byProject.map((p) => p.key).join(', ')})`);
      assert.deepEqual(
        [row.name, row.current, row.ledgers, row.inputTokens, row.outputTokens, row.requests],
        ['other-project', false, 1, 40, 60, 1],
      );
      assert.ok(near(row.costUsd, 1.25), String(row.costUsd));
      const mine = machine.byProject.find((p) => p.current);
      assert.ok(mine && near(mine.costUsd, buildUsageReport(api.store.sql).total.costUsd), 'this workspace counted from its open store');
      assert.ok(
        near(
          shown.report.total.costUsd,
          machine.byProject.reduce((n, p) => n + p.costUsd, 0),
        ),
        'the total is the sum of the projects',
      );
      assert.ok(near(shown.report.byModel.find((m) => m.key === model)?.costUsd ?? 0, 1.25), 'its model is in the by-model table');
      assert.ok(shown.report.topSessions.some((s) => s.sessionId === session.id && s.project === 'other-project' && s.current === false));
      const gone = machine.unread.find((u) => u.directory === goneLedger);
      assert.ok(gone, 'the ledger that could not be read is named');
      assert.match(gone.reason, /gone or holds no ledger/);
      assert.equal(rendered.projects, machine.byProject.length, 'the page drew the by-project table');
      assert.equal(rendered.unread, machine.unread.length, 'the page lists the ledgers not counted');
      assert.deepEqual(folderState(otherLedger), otherFiles, 'the other ledger was read without a lock or any write');

      await panel.showScope('workspace');
      await within(
        'back to this workspace',
        panel.test.whenRendered((r) => r.scope === 'workspace'),
      );
      assert.equal(panel.lastReport!.machine, undefined);
      assert.equal(
        panel.lastReport!.report.byModel.find((m) => m.key === model),
        undefined,
        "another project's usage is not this workspace's",
      );
    } finally {
      panel?.dispose();
      await registry.update((content) => {
        content.ledgers = content.ledgers.filter((l) => l.directory !== otherLedger && l.directory !== goneLedger);
      });
      rmSync(root, { recursive: true, force: true });
    }
  });
});
