import type { JsonObject, JsonValue } from '../../model/json';
import type { Session } from '../../model/session';
import type { StepOutcome } from '../StepBehaviour';

/** Where a phase goes next: another phase, or the end of the session. */
export type PhaseTarget = string | { readonly complete: true };

export const COMPLETE_SESSION: PhaseTarget = { complete: true };

/** Each phase keeps its counters under `state.phases[<phase>]`, so phases never tread on each other. */
export function readPhaseState(session: Session, phase: string): JsonObject {
  const phases = session.state.phases;
  const own = isJsonObject(phases) ? phases[phase] : undefined;
  return isJsonObject(own) ? own : {};
}

export function withPhaseState(session: Session, phase: string, value: JsonObject): JsonObject {
  const phases = isJsonObject(session.state.phases) ? session.state.phases : {};
  return { ...session.state, phases: { ...phases, [phase]: value } };
}

export function readNumber(object: JsonObject, key: string): number {
  const value = object[key];
  return typeof value === 'number' ? value : 0;
}

export function readString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** The session's validated start options (`state.options`). */
export function readOptions(session: Session): JsonObject {
  const options = session.state.options;
  return isJsonObject(options) ? options : {};
}

/**
 * A review gate of a built-in phase that has one: the session's `approve` start option when set
 * (true: always; false: never), else the default — in agentic mode only.
 */
export function approvalOf(session: Session): StepOutcome['approve'] {
  const approve = readOptions(session).approve;
  return approve === true ? 'always' : approve === false ? undefined : 'agentic';
}

export function moveTo(target: PhaseTarget, state: JsonObject, extra: Pick<StepOutcome, 'files' | 'notes' | 'approve'> = {}): StepOutcome {
  return typeof target === 'string' ? { ...extra, state, phase: target } : { ...extra, state, status: 'complete' };
}

export function failWith(reason: string, state?: JsonObject): StepOutcome {
  return { state, status: 'failed', failureReason: reason };
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
