import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowLoader, type WorkflowLoadResult } from '../../../src/core/workflow/WorkflowLoader';
import { NodeWorkflowFileSystem, WORKFLOWS_DIRECTORY } from '../../../src/core/workflow/workflowFileSystem';

const GOOD = { id: 'lint-fix', label: 'Lint and fix', steps: [{ id: 'lint', kind: 'shell', command: 'npm run lint' }] };

describe('WorkflowLoader', () => {
  let directory: string;
  let workspace: string;

  beforeEach(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'workflows-'));
    directory = join(workspace, WORKFLOWS_DIRECTORY);
    await mkdir(directory, { recursive: true });
  });
  afterEach(() => rm(workspace, { recursive: true, force: true }));

  function loader(reserved: string[] = ['full']): WorkflowLoader {
    return new WorkflowLoader(new NodeWorkflowFileSystem(), directory, new Set(reserved));
  }

  it('loads every valid file and reports a broken one by file and field, without losing the others', async () => {
    await writeFile(join(directory, 'a-good.json'), JSON.stringify(GOOD));
    await writeFile(
      join(directory, 'b-broken.json'),
      JSON.stringify({ ...GOOD, id: 'other', steps: [{ id: 'x', kind: 'shell', command: 'echo', timeoutSeconds: -1 }] }),
    );
    await writeFile(join(directory, 'c-not-json.json'), '{ "id": ');
    await writeFile(join(directory, 'd-good.json'), JSON.stringify({ ...GOOD, id: 'second' }));
    await writeFile(join(directory, 'notes.txt'), 'ignored');

    const result = await loader().load();

    assert.deepEqual(
      result.workflows.map((w) => w.definition.id),
      ['lint-fix', 'second'],
    );
    assert.deepEqual(
      result.errors.map((error) => [error.file, error.field]),
      [
        [join(directory, 'b-broken.json'), 'steps[0].timeoutSeconds'],
        [join(directory, 'c-not-json.json'), '(root)'],
      ],
    );
    assert.match(result.errors[0].toString(), /b-broken\.json: steps\[0\]\.timeoutSeconds: Too small: expected number to be >0/);
    assert.match(result.errors[1].message, /^not valid JSON: /);
  });

  it('refuses the id of a built-in type and a duplicate id', async () => {
    await writeFile(join(directory, 'a.json'), JSON.stringify({ ...GOOD, id: 'full' }));
    await writeFile(join(directory, 'b.json'), JSON.stringify(GOOD));
    await writeFile(join(directory, 'c.json'), JSON.stringify(GOOD));
    const result = await loader().load();
    assert.deepEqual(
      result.workflows.map((w) => w.file),
      [join(directory, 'b.json')],
    );
    assert.deepEqual(
      result.errors.map((error) => error.toString()),
      [
        `${join(directory, 'a.json')}: id: "full" is the id of a built-in session type; choose another`,
        `${join(directory, 'c.json')}: id: "lint-fix" is already defined in ${join(directory, 'b.json')}`,
      ],
    );
  });

  it('returns nothing when the directory does not exist', async () => {
    const missing = new WorkflowLoader(new NodeWorkflowFileSystem(), join(workspace, 'nope'), new Set());
    assert.deepEqual(await missing.load(), { workflows: [], errors: [] });
  });

  it('re-reads the files when one changes', async () => {
    await writeFile(join(directory, 'a.json'), JSON.stringify(GOOD));
    const reloads: WorkflowLoadResult[] = [];
    const changed = new Promise<void>((resolve) => {
      const watch = loader().watch((result) => {
        reloads.push(result);
        watch.dispose();
        resolve();
      });
    });
    await writeFile(join(directory, 'a.json'), JSON.stringify({ ...GOOD, label: 'Renamed' }));
    await changed;
    assert.equal(reloads[0].workflows[0].definition.label, 'Renamed');
  });
});

describe('NodeWorkflowFileSystem.watch', () => {
  it('notices a workflows directory created after watching started', async function () {
    this.timeout(10_000);
    const workspace = await mkdtemp(join(tmpdir(), 'workflows-late-'));
    const directory = join(workspace, WORKFLOWS_DIRECTORY);
    try {
      const noticed = new Promise<void>((resolve) => {
        const watch = new NodeWorkflowFileSystem().watch(directory, () => {
          watch.dispose();
          resolve();
        });
      });
      await mkdir(directory, { recursive: true });
      await noticed;
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
