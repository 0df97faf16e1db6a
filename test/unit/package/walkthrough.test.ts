import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeWorkflowFileName, sampleWorkflow } from '../../../src/core/workflow/sampleWorkflow';
import { validateWorkflow } from '../../../src/core/workflow/validateWorkflow';
import { CommandId } from '../../../src/vscode/commandIds';
import { localize, readManifest, repoRoot } from './manifestFiles';

const contributed = new Set<string>(Object.values(CommandId));
/** Workbench commands the walkthrough and the welcome view may link to. */
const workbenchCommands = new Set(['workbench.action.openWalkthrough', 'workbench.action.openSettings']);

/** The command links of a markdown text, with their arguments decoded. */
function commandLinks(text: string): { id: string; args: unknown }[] {
  return [...text.matchAll(/\]\(command:([\w.]+)(?:\?([^)\s]+))?\)/g)].map((m) => ({
    id: m[1],
    args: m[2] === undefined ? undefined : JSON.parse(decodeURIComponent(m[2])),
  }));
}

describe('the getting-started walkthrough', () => {
  const { pkg, nls } = readManifest();
  const walkthrough = pkg.contributes.walkthroughs![0];

  it('has the four steps, each with a Markdown page that ships in media/walkthrough', () => {
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['keepHistory', 'firstSession', 'goAgentic', 'writeWorkflow'],
    );
    for (const step of walkthrough.steps) {
      assert.match(String(step.media.markdown), /^media\/walkthrough\/[\w-]+\.md$/, `${step.id}: media`);
      assert.ok(existsSync(join(repoRoot, step.media.markdown!)), `${step.media.markdown} is missing`);
    }
  });

  it('completes each step on an event, and the first two on the commands they ask for', () => {
    for (const step of walkthrough.steps) {
      assert.ok(step.completionEvents.length > 0, `${step.id} has no completion event`);
      for (const event of step.completionEvents)
        assert.match(
          event,
          /^(onCommand:[\w.]+|onSettingChanged:sessionLedger\.[\w.]+|onContext:.+|onView:[\w.]+)$/,
          `${step.id}: ${event}`,
        );
    }
    const events = (id: string) => walkthrough.steps.find((s) => s.id === id)!.completionEvents;
    assert.deepEqual(events('keepHistory'), [`onCommand:${CommandId.importClaudeHistory}`, `onCommand:${CommandId.connectClaudeHooks}`]);
    assert.deepEqual(events('firstSession'), [`onCommand:${CommandId.nextStep}`]);
    const settings = Object.keys(pkg.contributes.configuration.properties);
    for (const event of walkthrough.steps.flatMap((s) => s.completionEvents).filter((e) => e.startsWith('onSettingChanged:'))) {
      assert.ok(settings.includes(event.slice('onSettingChanged:'.length)), `${event}: no such setting`);
    }
  });

  it('links only to commands that exist: its buttons, and the welcome view that opens it with the right id', () => {
    const texts = walkthrough.steps.map((s) => localize(nls, s.description)!);
    const welcome = (pkg.contributes.viewsWelcome ?? []).map((w) => localize(nls, w.contents)!).join('\n');
    for (const link of [...texts, welcome].flatMap(commandLinks)) {
      assert.ok(contributed.has(link.id) || workbenchCommands.has(link.id), `a link to unknown command ${link.id}`);
    }
    const opener = commandLinks(welcome).find((l) => l.id === 'workbench.action.openWalkthrough');
    assert.ok(opener, 'the Sessions welcome view links to the walkthrough');
    assert.deepEqual(opener.args, [`${pkg.publisher}.${pkg.name}#${walkthrough.id}`, false]);
    const start = commandLinks(texts[1]).find((l) => l.id === CommandId.newSession);
    assert.deepEqual(start?.args, ['test-fix'], '"Run your first session" starts a test-fix session');
  });

  it('shows a sample workflow that the loader accepts', () => {
    const page = readFileSync(join(repoRoot, 'media/walkthrough/write-a-workflow.md'), 'utf8');
    const sample = /```json\n([\s\S]*?)\n```/.exec(page)?.[1];
    assert.ok(sample, 'write-a-workflow.md has a json block');
    const result = validateWorkflow(JSON.parse(sample));
    assert.ok(result.ok, `the sample is not a valid workflow: ${JSON.stringify(!result.ok && result.issues)}`);
    assert.deepEqual(JSON.parse(sample), sampleWorkflow(), 'the page shows what New Workflow File writes');
  });

  it('names a new workflow file after the sample, never over an existing one', () => {
    const taken = new Set(['test-and-fix.json', 'test-and-fix-2.json']);
    assert.equal(
      freeWorkflowFileName((name) => taken.has(name)),
      'test-and-fix-3.json',
    );
    assert.equal(
      freeWorkflowFileName(() => false),
      'test-and-fix.json',
    );
    assert.equal(validateWorkflow(sampleWorkflow('make check')).ok, true);
  });
});
