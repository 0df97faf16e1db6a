import { WORKFLOW_COMPLETE, WORKFLOW_FAIL, WorkflowFileSchema, type WorkflowFileDefinition, type WorkflowStep } from '../model/workflow';
import { findUnsafeShellPlaceholders } from './shellTemplateAnalysis';
import { findMalformedPlaceholder, findPlaceholders } from './templatePlaceholders';
import { explainInvalidTemplatePath } from './workflowTemplatePaths';

export type FieldPath = readonly (string | number)[];

export interface WorkflowIssue {
  readonly path: FieldPath;
  readonly message: string;
}

export type WorkflowValidation =
  { readonly ok: true; readonly definition: WorkflowFileDefinition } | { readonly ok: false; readonly issues: readonly WorkflowIssue[] };

/** `['steps', 2, 'command']` → `steps[2].command`. */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(root)' : text;
}

/** Checks structure (zod) and then cross-references: step ids, transitions, placeholders. */
export function validateWorkflow(input: unknown): WorkflowValidation {
  const parsed = WorkflowFileSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
        message: issue.message,
      })),
    };
  }
  const issues = findReferenceIssues(parsed.data);
  return issues.length === 0 ? { ok: true, definition: parsed.data } : { ok: false, issues };
}

function findReferenceIssues(definition: WorkflowFileDefinition): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  // A template names a built-in type (the loader checks that it is one) and has no steps of its own.
  if (definition.extends !== undefined && definition.steps !== undefined) {
    issues.push({ path: ['steps'], message: 'a template that "extends" a built-in type has no steps; remove one of them' });
  }
  if (definition.extends === undefined && definition.steps === undefined) {
    issues.push({ path: ['steps'], message: 'a workflow needs "steps" (or "extends": a built-in type id, for a template)' });
  }
  const steps = definition.steps ?? [];
  const stepIds = new Set<string>();
  steps.forEach((step, index) => {
    if (stepIds.has(step.id)) {
      issues.push({ path: ['steps', index, 'id'], message: `duplicate step id "${step.id}"` });
    }
    stepIds.add(step.id);
  });
  if (definition.start !== undefined && !stepIds.has(definition.start)) {
    issues.push({ path: ['start'], message: `no step has the id "${definition.start}"` });
  }
  steps.forEach((step, index) => {
    for (const key of ['next', 'onSuccess', 'onFailure'] as const) {
      const target = step[key];
      if (target !== undefined && target !== WORKFLOW_COMPLETE && target !== WORKFLOW_FAIL && !stepIds.has(target)) {
        issues.push({
          path: ['steps', index, key],
          message: `"${target}" is not a step id, "${WORKFLOW_COMPLETE}" or "${WORKFLOW_FAIL}"`,
        });
      }
    }
    for (const [template, path] of templatesOf(step)) {
      issues.push(...checkTemplate(template, ['steps', index, ...path], stepIds, step.kind === 'shell' && path[0] === 'command'));
    }
  });
  return issues;
}

function templatesOf(step: WorkflowStep): [string, FieldPath][] {
  switch (step.kind) {
    case 'shell':
      return [[step.command, ['command']]];
    case 'claude':
      return [[step.prompt, ['prompt']], ...(step.system === undefined ? [] : [[step.system, ['system']] as [string, FieldPath]])];
    case 'spawn_sessions':
      return step.sessions.flatMap((child, childIndex) => [
        [child.title, ['sessions', childIndex, 'title']] as [string, FieldPath],
        [child.intention, ['sessions', childIndex, 'intention']] as [string, FieldPath],
      ]);
  }
}

function checkTemplate(template: string, path: FieldPath, stepIds: ReadonlySet<string>, isShellCommand: boolean): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const malformedAt = findMalformedPlaceholder(template);
  if (malformedAt !== undefined) {
    issues.push({ path, message: `malformed placeholder at character ${malformedAt}; write {{namespace.name}}` });
  }
  for (const placeholder of findPlaceholders(template)) {
    const problem = explainInvalidTemplatePath(placeholder.path, stepIds) ?? explainInheritedName(placeholder.path);
    if (problem !== undefined) {
      issues.push({ path, message: problem });
    }
  }
  if (isShellCommand) {
    // Checked as POSIX here; the terminal that runs the step checks again for its own shell.
    for (const problem of findUnsafeShellPlaceholders(template, 'posix')) {
      issues.push({ path, message: problem.message });
    }
  }
  return issues;
}

/**
 * `{{options.constructor}}`, `{{steps.__proto__.output}}`: names every object inherits would read
 * built-in properties instead of the session's values, so they are refused outright.
 */
function explainInheritedName(path: string): string | undefined {
  const inherited = path.split('.').find((segment) => segment in Object.prototype || segment === '__proto__');
  return inherited === undefined
    ? undefined
    : `{{${path}}} uses "${inherited}", a name every JavaScript object has built in; rename the option or step`;
}
