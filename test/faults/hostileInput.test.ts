/*
 * Issue 12, item 9: a workflow file with a byte order mark, placeholders naming built-in object
 * properties, and webview messages built to make validation slow and its error huge.
 */
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../src/core/model/validation';
import type { Session } from '../../src/core/model/session';
import type { WorkflowDefinition } from '../../src/core/model/workflow';
import { DEFAULT_WORKFLOW_SETTINGS, type CommandSpec, type StepContext } from '../../src/core/workflow/StepBehaviour';
import { UserWorkflowSessionType } from '../../src/core/workflow/UserWorkflowSessionType';
import { formatFieldPath, validateWorkflow } from '../../src/core/workflow/validateWorkflow';
import { WorkflowLoader } from '../../src/core/workflow/WorkflowLoader';
import { NodeWorkflowFileSystem } from '../../src/core/workflow/workflowFileSystem';
import { parseWebviewMessage } from '../../src/protocol/timelineMessages';
import { parseUsageWebviewMessage } from '../../src/protocol/usageMessages';

const WORKFLOW = { id: 'bom', label: 'BOM', steps: [{ id: 'lint', kind: 'shell', command: 'npm run lint' }] };

describe('hostile input: workflow files', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'hostile-workflows-'));
    await mkdir(directory, { recursive: true });
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('loads a workflow file saved as UTF-8 with a byte order mark', async () => {
    await writeFile(join(directory, 'bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(WORKFLOW))]));
    const result = await new WorkflowLoader(new NodeWorkflowFileSystem(), directory, new Set()).load();
    assert.deepEqual(result.errors.map(String), []);
    assert.deepEqual(
      result.workflows.map((workflow) => workflow.definition.id),
      ['bom'],
    );
  });

  it('refuses {{options.constructor}} and other inherited names at validation, with the field and a fix', () => {
    for (const path of ['options.constructor', 'options.__proto__', 'options.toString', 'options.hasOwnProperty']) {
      const result = validateWorkflow({ ...WORKFLOW, steps: [{ id: 'a', kind: 'claude', prompt: `look at {{${path}}}` }] });
      assert.equal(result.ok, false, path);
      const messages = result.ok ? [] : result.issues.map((issue) => `${formatFieldPath(issue.path)}: ${issue.message}`);
      assert.deepEqual(messages, [
        `steps[0].prompt: {{${path}}} uses "${path.split('.')[1]}", a name every JavaScript object has built in; rename the option or step`,
      ]);
    }
  });

  it('never reads an inherited property when filling a step, even from an unvalidated snapshot', () => {
    // A session's snapshot of its workflow is not re-validated, so the lookup itself must hold.
    const definition = {
      id: 'w',
      label: 'W',
      steps: [{ id: 'a', kind: 'shell', command: 'echo {{options.constructor}} {{steps.constructor.output}} {{options.given}}' }],
    } as WorkflowDefinition;
    const type = new UserWorkflowSessionType(definition, 'w.json');
    const session = { id: 's', phase: 'a', state: type.start({ given: 'yes' }).state } as unknown as Session;
    const context = { settings: DEFAULT_WORKFLOW_SETTINGS, files: undefined } as unknown as StepContext;
    const spec = type.behaviourFor(session).getCommand(session, [], context) as CommandSpec;
    assert.equal(spec.command, "echo '' '' 'yes'");
  });
});

describe('hostile input: webview messages', () => {
  const MILLION = 1_000_000;
  const cases: [string, () => unknown, (value: unknown) => unknown][] = [
    [
      'timeline rendered report with 10⁶ invalid actions',
      () => ({
        type: 'rendered',
        totalRows: 0,
        loadedRows: 0,
        visibleRows: 0,
        renderedRows: 0,
        renderMs: 0,
        header: { status: 'active', actions: new Array(MILLION).fill('rm -rf /') },
        focusedSeq: null,
        sessionEvents: null,
      }),
      parseWebviewMessage,
    ],
    [
      'timeline request whose params are 10⁶ invalid items',
      () => ({ type: 'request', id: 1, method: 'loadDetail', params: new Array(MILLION).fill({ x: 1 }) }),
      parseWebviewMessage,
    ],
    [
      'usage message with 10⁶ invalid items',
      () => ({ type: 'openSession', sessionId: new Array(MILLION).fill(7) }),
      parseUsageWebviewMessage,
    ],
    [
      'timeline log line of 10⁸ characters',
      () => ({ type: 'log', level: 'error', message: 'x'.repeat(100 * MILLION) }),
      parseWebviewMessage,
    ],
  ];

  for (const [name, build, parse] of cases) {
    it(`refuses a ${name} quickly, with a short error naming the field`, () => {
      const message = build();
      const started = process.hrtime.bigint();
      let caught: unknown;
      try {
        parse(message);
      } catch (error) {
        caught = error;
      }
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`);
      assert.ok(elapsedMs < 200, `took ${elapsedMs.toFixed(1)} ms`);
      assert.ok(caught.message.length < 1024, `error of ${caught.message.length} characters`);
      assert.match(caught.message, /^Invalid (timeline|usage) webview message: /);
    });
  }

  it('refuses a message with 200,000 unknown fields with a short error (enumerating them is the cost left)', () => {
    // No bound can be checked on an object without enumerating its keys, which alone takes about a
    // second for 10⁶ of them on a loaded machine (200,000 here, to keep the suite quick); what is bounded here is the work after that and the error.
    const message = Object.fromEntries([['type', 'ready'], ...Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i])]);
    assert.throws(
      () => parseWebviewMessage(message),
      (error: unknown) =>
        error instanceof ValidationError && error.message.length < 1024 && /too large: an object with more than/.test(error.message),
    );
  });

  it('still accepts ordinary messages and names the field of a small bad one', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.throws(() => parseUsageWebviewMessage({ type: 'openSession', sessionId: '' }), /Invalid usage webview message: sessionId: /);
  });
});
