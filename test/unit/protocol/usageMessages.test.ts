import { strict as assert } from 'node:assert';
import { ValidationError } from '../../../src/core/model/validation';
import { parseUsageHostMessage, parseUsageWebviewMessage } from '../../../src/protocol/usageMessages';

function rejects(parse: () => unknown, field: RegExp): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.match(error.message, field);
    return true;
  });
}

const totals = {
  inputTokens: 1,
  outputTokens: 2,
  cacheCreationTokens: 0,
  cacheCreation1hTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0.5,
  requests: 1,
  unpricedRequests: 0,
};
const report = {
  generatedAt: 1,
  total: totals,
  byDay: [{ key: '2026-03-01', ...totals }],
  byModel: [],
  bySessionType: [],
  topSessions: [],
};

describe('usage protocol: the scope switch (this workspace / all workspaces)', () => {
  it('accepts setScope with either scope and a rendered report of the all-workspaces tables', () => {
    assert.deepEqual(parseUsageWebviewMessage({ type: 'setScope', scope: 'machine' }), { type: 'setScope', scope: 'machine' });
    assert.deepEqual(parseUsageWebviewMessage({ type: 'setScope', scope: 'workspace' }), { type: 'setScope', scope: 'workspace' });
    parseUsageWebviewMessage({ type: 'rendered', days: 1, models: 0, sessions: 0, bars: 1, scope: 'machine', projects: 2, unread: 1 });
    parseUsageWebviewMessage({ type: 'rendered', days: 1, models: 0, sessions: 0, bars: 1 });
  });

  it('refuses an unknown scope or extra fields, naming the field', () => {
    rejects(() => parseUsageWebviewMessage({ type: 'setScope', scope: 'everything' }), /scope/);
    rejects(() => parseUsageWebviewMessage({ type: 'setScope' }), /scope/);
    rejects(() => parseUsageWebviewMessage({ type: 'setScope', scope: 'machine', registry: '/etc' }), /registry/);
  });

  it('carries the all-workspaces report: projects, sessions of other projects, unread ledgers', () => {
    const machine = {
      byProject: [{ key: '/home/me/alpha', name: 'alpha', ledgers: 1, current: true, ...totals }],
      unread: [
        { directory: '/x/ledger', project: { name: 'beta', path: '/home/me/beta' }, reason: 'its snapshot ledger.sqlite is damaged' },
      ],
      ledgersCounted: 1,
      readAt: 5,
    };
    const topSessions = [
      { sessionId: 's', title: 't', type: 'test-fix', project: 'beta', projectPath: '/home/me/beta', current: false, ...totals },
    ];
    const parsed = parseUsageHostMessage({ type: 'report', scope: 'machine', report: { ...report, topSessions }, machine });
    assert.ok(parsed.type === 'report');
    assert.deepEqual(parsed.machine, machine);
    assert.equal(parsed.report.topSessions[0].current, false);
    const workspace = parseUsageHostMessage({ type: 'report', scope: 'workspace', report });
    assert.ok(workspace.type === 'report');
    assert.equal(workspace.machine, undefined);
    rejects(() => parseUsageHostMessage({ type: 'report', report }), /scope/);
    rejects(
      () => parseUsageHostMessage({ type: 'report', scope: 'machine', report, machine: { ...machine, ledgersCounted: -1 } }),
      /ledgersCounted/,
    );
  });
});
