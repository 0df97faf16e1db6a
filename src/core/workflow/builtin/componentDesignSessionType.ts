import { z } from 'zod';
import type { JsonObject } from '../../model/json';
import type { InteractionResultInput } from '../../model/interaction';
import type { Session } from '../../model/session';
import type { ChildSessionSpec, StepBehaviour, StepContext } from '../StepBehaviour';
import { parseJsonAnswer } from '../jsonAnswer';
import { COMPONENT_DESIGN_FORMAT, ComponentDesignSchema, ComponentSchema, type Component } from './answerSchemas';
import { createJsonDocumentPhase } from './jsonDocumentPhase';
import { failWith, readOptions } from './phaseState';
import { componentDesignPrompt } from './prompts';
import { PhasedSessionType } from './PhasedSessionType';

const DESIGN_PHASE = 'design';
const SPAWN_PHASE = 'spawn';
const COMPONENTS_FILE = 'components.json';

/** What the engine reports for each child in a spawn result's `data.children`. */
export const SpawnResultDataSchema = z.object({
  children: z.array(z.object({ id: z.string(), title: z.string(), status: z.string() })),
});

async function componentsOf(session: Session, context: StepContext): Promise<Component[]> {
  const given = z.array(ComponentSchema).optional().safeParse(readOptions(session).components);
  if (given.success && given.data !== undefined) {
    return given.data;
  }
  const file = await context.files.readText(COMPONENTS_FILE);
  const parsed = parseJsonAnswer(file ?? '', ComponentDesignSchema);
  if (!parsed.ok) {
    throw new Error(`${context.files.pathOf(COMPONENTS_FILE)} is missing or invalid: ${parsed.error}`);
  }
  return parsed.value.components;
}

function childrenFor(session: Session, components: readonly Component[]): ChildSessionSpec[] {
  const options = readOptions(session);
  const childType = typeof options.childType === 'string' ? options.childType : 'quick';
  const childOptions = (options.childOptions ?? {}) as JsonObject;
  return components.map((component) => ({
    type: childType,
    title: `${session.title}: ${component.name}`,
    intention: `${component.description}\n\n(Part of: ${session.intention})`,
    successCriteria: component.interfaces?.map((contract) => `Provides: ${contract}`) ?? [],
    constraints: session.constraints,
    options: childOptions,
  }));
}

function describeFailedChildren(result: InteractionResultInput): string {
  const data = SpawnResultDataSchema.safeParse(result.data);
  if (!data.success) {
    return result.errorMessage ?? 'the child sessions did not all complete';
  }
  return data.data.children
    .filter((child) => child.status !== 'complete')
    .map((child) => `"${child.title}" (${child.status})`)
    .join(', ');
}

const spawnPhase: StepBehaviour = {
  async getCommand(session, _history, context) {
    const children = childrenFor(session, await componentsOf(session, context));
    return {
      step: SPAWN_PHASE,
      kind: 'spawn_sessions',
      command: `Spawn ${children.length} component session${children.length === 1 ? '' : 's'}: ${children.map((child) => child.title).join('; ')}`,
      children,
    };
  },
  handleResult(session, _interaction, result) {
    if (result.status === 'ok') {
      return { state: session.state, status: 'complete' };
    }
    const failed = describeFailedChildren(result);
    if (readOptions(session).continueOnChildFailure === true) {
      return { state: session.state, status: 'complete', notes: [`Completed although some child sessions did not: ${failed}.`] };
    }
    return failWith(`Child sessions did not complete: ${failed}.`, session.state);
  },
};

/** `component-design`: design components (or take them from the start options), then one child session each. */
export const componentDesignSessionType = new PhasedSessionType({
  id: 'component-design',
  label: 'Component design',
  description: 'Splits the goal into components and runs one child session per component.',
  mirrorsStateFile: true,
  optionsSchema: z
    .object({
      components: z.array(ComponentSchema).min(1).optional(),
      childType: z.string().min(1).default('quick'),
      childOptions: z.record(z.string(), z.json()).optional(),
      continueOnChildFailure: z.boolean().default(false),
    })
    .strict(),
  phases: {
    [DESIGN_PHASE]: createJsonDocumentPhase({
      step: DESIGN_PHASE,
      fileName: COMPONENTS_FILE,
      artifactKind: 'design',
      schema: ComponentDesignSchema,
      format: COMPONENT_DESIGN_FORMAT,
      next: SPAWN_PHASE,
      buildPrompt: componentDesignPrompt,
    }),
    [SPAWN_PHASE]: spawnPhase,
  },
  firstPhase: (options) => (options.components === undefined ? DESIGN_PHASE : SPAWN_PHASE),
});
