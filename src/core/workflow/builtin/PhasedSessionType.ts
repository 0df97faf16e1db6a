import type { z } from 'zod';
import type { JsonObject } from '../../model/json';
import type { Session } from '../../model/session';
import { parseWith } from '../../model/validation';
import type { SessionStart, SessionType, StepBehaviour, WorkflowSettings } from '../StepBehaviour';

export interface PhasedSessionTypeDefinition<S extends z.ZodType<Record<string, unknown>>> {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly mirrorsStateFile: boolean;
  readonly optionsSchema: S;
  readonly phases: Readonly<Record<string, StepBehaviour>>;
  readonly firstPhase: (options: z.output<S>, settings: WorkflowSettings) => string;
  /** Refuses options that cannot work with these settings (e.g. no test command for test-fix). */
  readonly checkStart?: (options: z.output<S>, settings: WorkflowSettings) => void;
}

/** A built-in session type: named phases, each with its behaviour; start options validated by zod. */
export class PhasedSessionType<S extends z.ZodType<Record<string, unknown>>> implements SessionType {
  readonly source = 'builtin';

  constructor(private readonly definition: PhasedSessionTypeDefinition<S>) {}

  get id(): string {
    return this.definition.id;
  }
  get label(): string {
    return this.definition.label;
  }
  get description(): string {
    return this.definition.description;
  }
  get mirrorsStateFile(): boolean {
    return this.definition.mirrorsStateFile;
  }

  start(options: JsonObject, settings: WorkflowSettings): SessionStart {
    const parsed = parseWith(this.definition.optionsSchema, options, `start options of a "${this.id}" session`);
    this.definition.checkStart?.(parsed, settings);
    // A JSON round trip drops `undefined` optionals so the state is plain JSON.
    const stored = JSON.parse(JSON.stringify(parsed)) as JsonObject;
    return { phase: this.definition.firstPhase(parsed, settings), state: { options: stored } };
  }

  behaviourFor(session: Session): StepBehaviour {
    const behaviour = session.phase === null ? undefined : this.definition.phases[session.phase];
    if (behaviour === undefined) {
      throw new Error(
        `A "${this.id}" session has no phase "${session.phase}"; known phases: ${Object.keys(this.definition.phases).join(', ')}`,
      );
    }
    return behaviour;
  }
}
