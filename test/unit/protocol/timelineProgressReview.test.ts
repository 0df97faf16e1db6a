import { strict as assert } from 'node:assert';
import { REVIEW_GATE_STATE_KEY } from '../../../src/core/engine/reviewGate';
import { HostMessageSchema } from '../../../src/protocol/timelineMessages';
import { toArtifactLinks, toPhaseRuns, toSessionHeader } from '../../../src/vscode/timeline/timelineViewModel';
import { SESSION_ID, interaction, run, session } from './fixtures';

describe('the timeline header: progress checklist, review gate and runs by phase', () => {
  const progress = {
    checkedAt: 1_700_000_000_000,
    checkedBy: 'person' as const,
    criteria: [
      { kind: 'success' as const, criterion: 'tests pass', status: 'met' as const, evidence: '42 passing' },
      { kind: 'completion' as const, criterion: 'merged', status: 'unknown' as const, evidence: '' },
    ],
  };
  const gate = { step: 'spec', artifactIds: ['a'], artifactKeys: ['spec'], then: { phase: 'plan' }, seq: 3, since: 5 };

  it('sends the progress and a waiting gate (not once the session ended), validated by the message schema', () => {
    const header = toSessionHeader(session({ progress, state: { [REVIEW_GATE_STATE_KEY]: gate } }));
    assert.deepEqual(header.progress, progress);
    assert.deepEqual(header.reviewGate, { step: 'spec', seq: 3, artifactKeys: ['spec'], since: 5 });
    HostMessageSchema.parse({ type: 'sessionUpdated', session: header });
    const ended = toSessionHeader(session({ status: 'cancelled', state: { [REVIEW_GATE_STATE_KEY]: gate } }));
    assert.equal(ended.reviewGate, null);
    assert.equal(
      toSessionHeader(session({ state: { [REVIEW_GATE_STATE_KEY]: { step: 'x' } } })).reviewGate,
      null,
      'a damaged gate is none',
    );
  });

  it('groups runs by phase with their models, tokens, cost and steps, in the order phases first ran', () => {
    const steps = [interaction(1), interaction(2), interaction(3)];
    const runs = [
      { ...run(1, steps[0].id, 10, 0.1), phase: 'spec', modelAlias: 'opus', model: 'claude-opus-4-1' },
      { ...run(2, steps[1].id, 20, 0.2), phase: 'build', modelAlias: null },
      { ...run(3, steps[2].id, 30, 0.3), phase: 'build', modelAlias: 'sonnet', costUnknown: true },
      { ...run(4, steps[2].id, 5, 0), phase: null },
    ];
    const phases = toPhaseRuns(runs, (id) => steps.find((s) => s.id === id)?.seq);
    assert.deepEqual(
      phases.map((p) => [
        p.phase,
        p.runs,
        p.modelAliases,
        p.models,
        p.tokens.outputTokens,
        Number(p.costUsd.toFixed(2)),
        p.costUnknown,
        p.seqs,
      ]),
      [
        ['spec', 1, ['opus'], ['claude-opus-4-1'], 10, 0.1, false, [1]],
        ['build', 2, ['sonnet'], ['claude'], 50, 0.5, true, [2, 3]],
        ['unknown', 1, [], ['claude'], 5, 0, false, [3]],
      ],
    );
    HostMessageSchema.parse({ type: 'sessionUpdated', session: toSessionHeader(session(), [], phases) });
  });

  it("sends each artifact's review state", () => {
    const base = {
      sessionId: SESSION_ID,
      kind: 'spec',
      contentType: 'text/markdown',
      byteSize: 1,
      sha256: '0'.repeat(64),
      path: '.sessions/x/spec.md',
      content: null,
      createdAt: 1,
      deletedAt: null,
    };
    const links = toArtifactLinks([
      {
        ...base,
        id: '33333333-3333-4333-8333-333333333333',
        key: 'spec',
        review: { state: 'changes_requested', by: 'ana', at: 2, comment: 'more' },
      },
      { ...base, id: '44444444-4444-4444-8444-444444444444', key: 'docs', review: null },
    ]);
    assert.deepEqual(
      links.map((l) => [l.key, l.review]),
      [
        ['spec', 'changes_requested'],
        ['docs', null],
      ],
    );
  });
});
