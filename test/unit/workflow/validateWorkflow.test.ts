import { strict as assert } from 'node:assert';
import { formatFieldPath, validateWorkflow } from '../../../src/core/workflow/validateWorkflow';

function messagesOf(input: unknown): string[] {
  const result = validateWorkflow(input);
  return result.ok ? [] : result.issues.map((issue) => `${formatFieldPath(issue.path)}: ${issue.message}`);
}

const VALID = {
  id: 'lint-fix',
  label: 'Lint and fix',
  steps: [
    { id: 'lint', kind: 'shell', command: 'npm run lint -- {{options.path}}', onSuccess: '$complete', onFailure: 'fix' },
    { id: 'fix', kind: 'claude', prompt: 'Fix:\n{{steps.lint.output}} (exit {{steps.lint.exitCode}})', next: 'lint' },
  ],
};

describe('validateWorkflow', () => {
  it('accepts a valid workflow', () => {
    assert.deepEqual(messagesOf(VALID), []);
  });

  it('names the field of a structural error', () => {
    const broken = { ...VALID, steps: [VALID.steps[0], { id: 'fix', kind: 'claude' }] };
    assert.deepEqual(messagesOf(broken), ['steps[1].prompt: Invalid input: expected string, received undefined']);
  });

  it('refuses unknown properties and unknown step kinds', () => {
    assert.match(messagesOf({ ...VALID, colour: 'red' }).join('\n'), /\(root\): Unrecognized key: "colour"/);
    const unknownKind = { ...VALID, steps: [{ id: 'x', kind: 'python', command: 'x' }] };
    assert.match(messagesOf(unknownKind).join('\n'), /^steps\[0\]\.kind: /);
  });

  it('reports dangling transitions, duplicate ids and a missing start step', () => {
    const broken = {
      ...VALID,
      start: 'nowhere',
      steps: [VALID.steps[0], { ...VALID.steps[1], next: 'deploy' }, { id: 'lint', kind: 'shell', command: 'true' }],
    };
    assert.deepEqual(messagesOf(broken), [
      'steps[2].id: duplicate step id "lint"',
      'start: no step has the id "nowhere"',
      'steps[1].next: "deploy" is not a step id, "$complete" or "$fail"',
    ]);
  });

  it('reports unknown placeholders and placeholders inside shell quotes', () => {
    const broken = {
      ...VALID,
      steps: [
        { id: 'a', kind: 'shell', command: 'echo "{{session.intention}}" {{steps.ghost.output}}' },
        { id: 'b', kind: 'claude', prompt: '{{session.mood}} {{steps.a.stdout}} {{ broken' },
      ],
    };
    assert.deepEqual(messagesOf(broken), [
      'steps[0].command: {{steps.ghost.output}} refers to a step that does not exist',
      'steps[0].command: {{session.intention}} is inside quotes; values are shell-quoted automatically, so remove the quotes around it',
      'steps[1].prompt: malformed placeholder at character 36; write {{namespace.name}}',
      'steps[1].prompt: unknown session field in {{session.mood}}; use one of id, title, slug, type, intention, successCriteria, constraints, workingDir',
      'steps[1].prompt: unknown step field in {{steps.a.stdout}}; use one of output, exitCode, status, error, iterations',
    ]);
  });

  it('checks templates in child session specs', () => {
    const broken = {
      ...VALID,
      steps: [{ id: 'fan', kind: 'spawn_sessions', sessions: [{ type: 'quick', title: '{{nope}}', intention: 'x' }] }],
    };
    assert.match(messagesOf(broken).join('\n'), /^steps\[0\]\.sessions\[0\]\.title: unknown placeholder \{\{nope\}\}/);
  });
});
