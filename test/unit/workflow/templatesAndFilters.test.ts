import { strict as assert } from 'node:assert';
import { describeSessionFilter, readSessionFilterState, toListFilter } from '../../../src/core/ledger/sessionFilter';
import type { JsonObject } from '../../../src/core/model/json';
import { WorkflowDefinitionSchema } from '../../../src/core/model/workflow';
import { SessionTypeRegistry } from '../../../src/core/workflow/SessionTypeRegistry';
import { defaultsFromSession, freeTemplateFileName, templateFromSession, workflowIdFrom } from '../../../src/core/workflow/sessionTemplate';
import { validateWorkflow } from '../../../src/core/workflow/validateWorkflow';
import { WorkflowLoader } from '../../../src/core/workflow/WorkflowLoader';
import type { WorkflowFileSystem } from '../../../src/core/workflow/workflowFileSystem';
import { actualMinutes, durationLine, formatMinutes, parseMinutes, parseScheduledAt } from '../../../src/protocol/sessionDurations';
import { session } from '../protocol/fixtures';

const BUILTINS = new SessionTypeRegistry().builtinIds;

function memoryFiles(files: Record<string, string>): WorkflowFileSystem {
  return {
    listJsonFiles: async () => Object.keys(files).sort(),
    readText: async (file: string) => files[file],
    watch: () => ({ dispose: () => undefined }),
  } as unknown as WorkflowFileSystem;
}

describe('templates: workflow files with defaults, or extending a built-in type', () => {
  it('a template extends a built-in type instead of having steps; one of the two is required, not both', () => {
    const template = { id: 'release', label: 'Release', extends: 'freeform', defaults: { intention: 'Ship it', tags: ['release'] } };
    assert.equal(validateWorkflow(template).ok, true);
    const neither = validateWorkflow({ id: 'x', label: 'X' });
    assert.ok(!neither.ok && neither.issues.some((i) => /needs "steps"/.test(i.message)));
    const both = validateWorkflow({ ...template, steps: [{ id: 'a', kind: 'shell', command: 'make' }] });
    assert.ok(!both.ok && both.issues.some((i) => /has no steps/.test(i.message)));
    const badDefaults = validateWorkflow({ ...template, defaults: { intention: 'x', colour: 'red' } });
    assert.ok(!badDefaults.ok && badDefaults.issues.some((i) => i.path.join('.').startsWith('defaults')));
  });

  it('the loader refuses a template of a type that is not built in; the registry lists templates with their base type', async () => {
    const loader = new WorkflowLoader(
      memoryFiles({
        '/w/a.json': JSON.stringify({ id: 'release', label: 'Release', extends: 'freeform', defaults: { intention: 'Ship it' } }),
        '/w/b.json': JSON.stringify({ id: 'nope', label: 'Nope', extends: 'no-such-type' }),
        '/w/c.json': JSON.stringify({
          id: 'lint',
          label: 'Lint',
          steps: [{ id: 'lint', kind: 'shell', command: 'npm run lint' }],
          defaults: { completionCriteria: ['lint is clean'] },
        }),
      }),
      '/w',
      BUILTINS,
    );
    const result = await loader.load();
    assert.deepEqual(
      result.errors.map((e) => [e.file, e.field]),
      [['/w/b.json', 'extends']],
    );
    const types = new SessionTypeRegistry();
    types.setUserWorkflows(result.workflows);
    const listed = types.list();
    const release = listed.find((t) => t.id === 'release');
    assert.deepEqual([release?.baseType, release?.defaults], ['freeform', { intention: 'Ship it' }]);
    assert.equal(types.get('release'), undefined, 'a template is not a session type of its own');
    assert.deepEqual(listed.find((t) => t.id === 'lint')?.defaults, { completionCriteria: ['lint is clean'] });
    assert.ok(types.get('lint'), 'a workflow with steps (and defaults) is a type');
  });

  it('Save as Template: a built-in session becomes a template extending its type, with its goal as defaults', () => {
    const s = session({
      type: 'freeform',
      title: 'Ship 1.2',
      intention: 'Release 1.2',
      successCriteria: ['CI green'],
      completionCriteria: ['tag pushed'],
      constraints: ['no new deps'],
      procedureNotes: 'Follow RELEASING.md',
      tags: ['release', 'pinned'],
      expectedMinutes: null,
      startedAt: 0,
      endedAt: 40 * 60_000,
      status: 'complete',
    });
    const template = templateFromSession(s, {
      takenIds: new Set([...BUILTINS, 'ship-1-2']),
      builtinIds: BUILTINS,
      now: Date.UTC(2026, 11, 4),
    });
    assert.deepEqual(template, {
      id: 'ship-1-2-2',
      label: 'Ship 1.2 (template)',
      description: 'Saved from the session "Ship 1.2" on 2026-12-04.',
      extends: 'freeform',
      defaults: {
        intention: 'Release 1.2',
        successCriteria: ['CI green'],
        completionCriteria: ['tag pushed'],
        constraints: ['no new deps'],
        procedureNotes: 'Follow RELEASING.md',
        tags: ['release'],
        expectedMinutes: 40,
      },
    });
    assert.equal(validateWorkflow(template).ok, true);
  });

  it('Save as Template: a workflow session gives a copy of the workflow it ran, under a new id', () => {
    const workflow = WorkflowDefinitionSchema.parse({
      id: 'lint',
      label: 'Lint',
      steps: [{ id: 'lint', kind: 'shell', command: 'npm run lint' }],
    });
    const s = session({
      type: 'lint',
      title: 'Lint the repo',
      intention: 'Clean lint',
      state: { workflow: workflow as unknown as JsonObject },
      tags: [],
    });
    const template = templateFromSession(s, { takenIds: new Set(['lint']), builtinIds: BUILTINS, label: 'Lint sweep' });
    assert.deepEqual(
      [template.id, template.label, template.steps, template.defaults],
      ['lint-sweep', 'Lint sweep', workflow.steps, { intention: 'Clean lint', successCriteria: ['npm test exits 0'] }],
    );
    assert.throws(
      () => templateFromSession(session({ type: 'gone', state: {} }), { takenIds: new Set(), builtinIds: BUILTINS }),
      /no longer keeps/,
    );
  });

  it('ids and file names', () => {
    assert.equal(workflowIdFrom('Ship 1.2 — Café!'), 'ship-1-2-cafe');
    assert.equal(workflowIdFrom('42 things'), 'things');
    assert.equal(workflowIdFrom('!!!'), 'template');
    assert.equal(
      freeTemplateFileName('a', (n) => n === 'a.json'),
      'a-2.json',
    );
    assert.deepEqual(defaultsFromSession(session({ successCriteria: [], intention: ' ', startedAt: null })), {});
  });
});

describe('the Sessions tree filters (type, tag, mode, created, owner)', () => {
  it('become the store list filter: all given ones, whole local days', () => {
    const now = new Date(2026, 11, 4, 15, 0).getTime();
    assert.deepEqual(toListFilter({}, now), {});
    assert.deepEqual(toListFilter({ type: 'freeform', tag: 'release', mode: 'manual', owner: 'me', created: { lastDays: 7 } }, now), {
      type: 'freeform',
      tag: 'release',
      executionMode: 'manual',
      owner: 'me',
      createdFrom: new Date(2026, 10, 28).getTime(),
    });
    assert.deepEqual(toListFilter({ created: { from: '2026-12-01', to: '2026-12-03' } }, now), {
      createdFrom: new Date(2026, 11, 1).getTime(),
      createdBefore: new Date(2026, 11, 4).getTime(),
    });
    assert.deepEqual(toListFilter({ created: { lastDays: 1 } }, now), { createdFrom: new Date(2026, 11, 4).getTime() });
  });

  it('are described for the view, and a damaged stored state reads as none', () => {
    assert.equal(
      describeSessionFilter({ type: 'freeform', tag: 'release', mode: 'agentic', created: { lastDays: 7 }, owner: 'me' }),
      'type freeform · tag release · agentic · last 7 days · mine',
    );
    assert.equal(describeSessionFilter({ created: { from: '2026-12-01' }, owner: 'alice' }), 'created 2026-12-01 to … · owner alice');
    assert.deepEqual(readSessionFilterState({ mode: 'sideways' }), {});
    assert.deepEqual(readSessionFilterState(undefined), {});
    assert.deepEqual(readSessionFilterState({ tag: 'ui' }), { tag: 'ui' });
  });
});

describe('session durations', () => {
  it('parses what a person types as minutes', () => {
    const cases: [string, number | undefined][] = [
      ['45', 45],
      ['90m', 90],
      ['90 min', 90],
      ['1h', 60],
      ['1h30', 90],
      ['1h 30m', 90],
      ['1.5h', 90],
      ['2 hours', 120],
      ['0', undefined],
      ['soon', undefined],
      ['-5', undefined],
    ];
    for (const [text, minutes] of cases) assert.equal(parseMinutes(text), minutes, text);
    assert.deepEqual(
      [formatMinutes(45), formatMinutes(60), formatMinutes(90), formatMinutes(0.4)],
      ['45 min', '1 h', '1 h 30 min', '0 min'],
    );
    assert.equal(durationLine(60, 72), 'expected 1 h · actual 1 h 12 min');
    assert.equal(durationLine(null, undefined), '');
  });

  it('parses a scheduled time: a date and time, a date, a time of day (next one), or from now', () => {
    const now = new Date(2026, 11, 4, 15, 0).getTime();
    assert.equal(parseScheduledAt('2026-12-05 14:30', now), new Date(2026, 11, 5, 14, 30).getTime());
    assert.equal(parseScheduledAt('2026-12-05', now), new Date(2026, 11, 5, 9, 0).getTime());
    assert.equal(parseScheduledAt('16:00', now), new Date(2026, 11, 4, 16, 0).getTime());
    assert.equal(parseScheduledAt('09:00', now), new Date(2026, 11, 5, 9, 0).getTime(), 'a time already passed today is tomorrow');
    assert.equal(parseScheduledAt('+2h', now), now + 2 * 3_600_000);
    assert.equal(parseScheduledAt('+1d', now), now + 86_400_000);
    for (const bad of ['2026-02-30', '25:00', 'tomorrow', '2026-12-05 10:61']) assert.equal(parseScheduledAt(bad, now), undefined, bad);
  });

  it('the actual duration is from start to end, once ended and if ever started', () => {
    assert.equal(actualMinutes({ startedAt: 0, endedAt: 90 * 60_000 }), 90);
    assert.equal(actualMinutes({ startedAt: 0, endedAt: null }), undefined);
    assert.equal(actualMinutes({ startedAt: null, endedAt: 5 }), undefined);
  });
});
