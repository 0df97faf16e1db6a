import type { InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import type { Session } from '../model/session';
import {
  DEFAULT_WORKFLOW_MAX_ITERATIONS,
  WORKFLOW_COMPLETE,
  WORKFLOW_FAIL,
  WorkflowDefinitionSchema,
  type WorkflowDefinition,
  type WorkflowFileDefinition,
  type WorkflowStep,
} from '../model/workflow';
import { readNumber, isJsonObject } from './builtin/phaseState';
import { claudeAnswerOf, shellPassed } from './builtin/claudeResult';
import type { ShellDialect } from './shellQuote';
import type { CommandSpec, SessionStart, SessionType, StepBehaviour, StepContext, StepOutcome } from './StepBehaviour';
import { renderTemplate, shellTemplateMetadata, TemplateError } from './template';
import { SESSION_TEMPLATE_FIELDS, STEP_TEMPLATE_FIELDS } from './workflowTemplatePaths';
import { tailOf } from '../../protocol/displayText';

/** What a workflow session remembers of each step, for `{{steps.<id>.…}}` and iteration limits. */
interface StepRecord extends JsonObject {
  output: string;
  exitCode: number | null;
  status: string;
  error: string;
  iterations: number;
}

function stepRecords(session: Session): Record<string, StepRecord> {
  return (isJsonObject(session.state.steps) ? session.state.steps : {}) as Record<string, StepRecord>;
}

/** `object[key]` when it is the object's own property: never a built-in one such as `constructor`. */
function ownValue(object: object | undefined, key: string | undefined): unknown {
  return object !== undefined && key !== undefined && Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function templateLookup(session: Session, iteration: number): (path: string) => string {
  return (path) => {
    const [namespace, name, field] = path.split('.');
    if (namespace === 'iteration') {
      return String(iteration);
    }
    if (namespace === 'session' && name !== undefined && (SESSION_TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      const value = ownValue(session, name);
      return Array.isArray(value) ? value.join('\n') : value === null || value === undefined ? '' : String(value);
    }
    if (namespace === 'options') {
      const value = ownValue(isJsonObject(session.state.options) ? session.state.options : {}, name);
      return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    }
    if (namespace === 'steps' && field !== undefined && (STEP_TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      const record = ownValue(stepRecords(session), name);
      const value = typeof record === 'object' && record !== null ? ownValue(record, field) : undefined;
      return value === undefined || value === null ? '' : String(value);
    }
    throw new TemplateError(`unknown placeholder {{${path}}}`);
  };
}

function render(template: string, session: Session, iteration: number): string {
  return renderTemplate(template, templateLookup(session, iteration));
}

/**
 * A shell step's command, quoted for `dialect`, with its template and values in the metadata so a
 * terminal running another shell can quote them again for that shell.
 */
function renderShell(
  template: string,
  session: Session,
  iteration: number,
  dialect: ShellDialect,
): { command: string; metadata: JsonObject } {
  const values: Record<string, string> = {};
  const lookup = templateLookup(session, iteration);
  const command = renderTemplate(
    template,
    (path) => {
      values[path] = lookup(path);
      return values[path];
    },
    { quoteFor: dialect },
  );
  return { command, metadata: Object.keys(values).length === 0 ? {} : shellTemplateMetadata(template, values) };
}

function commandFor(step: WorkflowStep, session: Session, context: StepContext): CommandSpec {
  const iteration = readNumber(stepRecords(session)[step.id] ?? {}, 'iterations') + 1;
  switch (step.kind) {
    case 'shell': {
      const { command, metadata } = renderShell(step.command, session, iteration, context.settings.shellDialect);
      return {
        step: step.id,
        kind: 'shell',
        command,
        metadata: step.timeoutSeconds === undefined ? metadata : { ...metadata, timeoutMs: step.timeoutSeconds * 1000 },
      };
    }
    case 'claude':
      return {
        step: step.id,
        kind: 'claude',
        command: render(step.prompt, session, iteration),
        system: step.system === undefined ? undefined : render(step.system, session, iteration),
        metadata: {
          ...(step.model === undefined ? {} : { model: step.model }),
          ...(step.timeoutSeconds === undefined ? {} : { timeoutMs: step.timeoutSeconds * 1000 }),
          ...(step.maxTurns === undefined ? {} : { maxTurns: step.maxTurns }),
        },
      };
    case 'spawn_sessions': {
      const children = step.sessions.map((child) => ({
        type: child.type,
        title: render(child.title, session, iteration),
        intention: render(child.intention, session, iteration),
        successCriteria: child.successCriteria,
        constraints: child.constraints,
        options: (child.options ?? {}) as JsonObject,
      }));
      return {
        step: step.id,
        kind: 'spawn_sessions',
        command: `Spawn ${children.length} session(s): ${children.map((c) => c.title).join('; ')}`,
        children,
      };
    }
  }
}

function succeeded(step: WorkflowStep, result: InteractionResultInput): boolean {
  switch (step.kind) {
    case 'shell':
      return shellPassed(result);
    case 'claude':
      return !('error' in claudeAnswerOf(result));
    case 'spawn_sessions':
      return result.status === 'ok' || step.continueOnChildFailure === true;
  }
}

function targetAfter(definition: WorkflowDefinition, step: WorkflowStep, success: boolean): string {
  if (success) {
    const following = definition.steps[definition.steps.indexOf(step) + 1];
    return step.onSuccess ?? step.next ?? following?.id ?? WORKFLOW_COMPLETE;
  }
  return step.onFailure ?? step.next ?? WORKFLOW_FAIL;
}

function describeFailure(step: WorkflowStep, result: InteractionResultInput): string {
  const detail =
    result.errorMessage ?? (result.exitCode !== null && result.exitCode !== undefined ? `exit code ${result.exitCode}` : result.status);
  return `Step "${step.id}" failed (${detail}).`;
}

class UserWorkflowStep implements StepBehaviour {
  constructor(
    private readonly definition: WorkflowDefinition,
    private readonly step: WorkflowStep,
  ) {}

  getCommand(session: Session, _history: unknown, context: StepContext): CommandSpec {
    return commandFor(this.step, session, context);
  }

  handleResult(session: Session, _interaction: unknown, result: InteractionResultInput, context: StepContext): StepOutcome {
    const records = stepRecords(session);
    const success = succeeded(this.step, result);
    const record: StepRecord = {
      output: tailOf(result.output ?? '', context.settings.outputTailChars),
      exitCode: result.exitCode ?? null,
      status: success ? 'ok' : 'error',
      error: result.errorMessage ?? '',
      iterations: readNumber(records[this.step.id] ?? {}, 'iterations') + 1,
    };
    const state = { ...session.state, steps: { ...records, [this.step.id]: record } };
    const files =
      this.step.kind === 'claude' && this.step.saveAs !== undefined && success
        ? [
            {
              name: this.step.saveAs,
              content: result.output ?? '',
              artifactKey: this.step.saveAs,
              artifactKind: 'file',
              contentType: contentTypeOf(this.step.saveAs),
            },
          ]
        : [];
    const target = targetAfter(this.definition, this.step, success);
    // `approve: true`: a review gate on the answer (the engine waits for Approve before it goes on).
    const approve = success && this.step.kind === 'claude' && this.step.approve === true ? ('always' as const) : undefined;
    if (target === WORKFLOW_COMPLETE) {
      return { state, status: 'complete', files, approve };
    }
    if (target === WORKFLOW_FAIL) {
      return { state, status: 'failed', failureReason: describeFailure(this.step, result), files };
    }
    const nextStep = this.definition.steps.find((candidate) => candidate.id === target);
    const limit = nextStep?.maxIterations ?? this.definition.maxIterations ?? DEFAULT_WORKFLOW_MAX_ITERATIONS;
    const runs = target === this.step.id ? record.iterations : readNumber(records[target] ?? {}, 'iterations');
    if (runs >= limit) {
      return {
        state,
        status: 'failed',
        failureReason: `Step "${target}" has already run ${runs} times, its maxIterations; the workflow stops.`,
        files,
      };
    }
    return { state, phase: target, files, approve };
  }
}

function contentTypeOf(name: string): string {
  return name.endsWith('.json') ? 'application/json' : name.endsWith('.md') ? 'text/markdown' : 'text/plain';
}

/** A workflow file with steps (not a template that `extends` a built-in type). */
export function hasSteps(definition: WorkflowFileDefinition): definition is WorkflowDefinition {
  return definition.steps !== undefined && definition.steps.length > 0;
}

/**
 * A session type defined by a workflow file. A session keeps a snapshot of the definition it
 * started with, so editing or deleting the file never breaks a session already under way.
 */
export class UserWorkflowSessionType implements SessionType {
  readonly source = 'workflow';
  readonly mirrorsStateFile = false;

  constructor(
    readonly definition: WorkflowDefinition,
    /** The file it came from. */
    readonly file: string,
  ) {}

  get id(): string {
    return this.definition.id;
  }
  get label(): string {
    return this.definition.label;
  }
  get description(): string {
    return this.definition.description ?? `Workflow from ${this.file}`;
  }

  start(options: JsonObject): SessionStart {
    return {
      phase: this.definition.start ?? this.definition.steps[0]!.id, // validated: at least one step
      state: { workflow: this.definition as unknown as JsonObject, options, steps: {} },
    };
  }

  completesOnCriteria(session: Session): boolean {
    const snapshot = WorkflowDefinitionSchema.safeParse(session.state.workflow);
    return (snapshot.success ? snapshot.data : this.definition).completeWhen === 'criteria';
  }

  behaviourFor(session: Session): StepBehaviour {
    const snapshot = WorkflowDefinitionSchema.safeParse(session.state.workflow);
    const definition = snapshot.success && hasSteps(snapshot.data) ? snapshot.data : this.definition;
    const step = definition.steps.find((candidate) => candidate.id === session.phase);
    if (step === undefined) {
      throw new Error(`Workflow "${definition.id}" has no step "${session.phase}"`);
    }
    return new UserWorkflowStep(definition, step);
  }
}
