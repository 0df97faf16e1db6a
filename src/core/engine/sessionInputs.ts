import { randomUUID } from 'node:crypto';
import type { Interaction } from '../model/interaction';
import type { ExecutionMode, Provider, Session, SessionCreateInput, SessionGoal } from '../model/session';
import type { SessionTypeRegistry } from '../workflow/SessionTypeRegistry';
import type { ChildSessionSpec, WorkflowSettings } from '../workflow/StepBehaviour';
import type { WorkspaceFiles } from '../workflow/workspaceFiles';
import type { EngineStore } from '../store/ports';
import { ENGINE_EVENT } from './engineEvents';
import type { ReviewGate } from './reviewGate';
import type { TransitionRecorder } from './transitionRecorder';
import { sessionSlug } from './sessionSlug';

/** A session to start: what a child spec says (type, goal, options) plus where and how it runs. */
export interface StartSessionInput extends ChildSessionSpec {
  readonly parentSessionId?: string | null;
  readonly executionMode?: ExecutionMode;
  readonly provider?: Provider;
  readonly workingDir?: string | null;
  readonly workspaceFolder?: string | null;
  readonly tags?: readonly string[];
  readonly completionCriteria?: readonly string[];
  readonly procedureNotes?: string;
  /** The session this one follows up (Start Follow-up Session): it must exist. */
  readonly followsSessionId?: string | null;
  /** How long the person expects it to take, in minutes. */
  readonly expectedMinutes?: number | null;
}

/** A session to plan (Plan Session): what to start, plus when it is meant to start. */
export interface PlanSessionInput extends StartSessionInput {
  /** When it is meant to start (epoch ms), or null for "some time". */
  readonly scheduledAt?: number | null;
}

/** Tags as stored: trimmed, no empty ones, each once, in the order given. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))];
}

/** The goal fields a person edits (Edit Goal); absent ones stay as they are. */
export type GoalEdit = Partial<SessionGoal>;

export const GOAL_FIELDS = ['intention', 'successCriteria', 'completionCriteria', 'constraints', 'procedureNotes'] as const;

export function goalOf(session: Session): SessionGoal {
  return {
    intention: session.intention,
    successCriteria: [...session.successCriteria],
    completionCriteria: [...session.completionCriteria],
    constraints: [...session.constraints],
    procedureNotes: session.procedureNotes,
  };
}

/** What `next` gives: the command to run, a request for the person's input, or why nothing runs. */
export type NextStep =
  | { readonly kind: 'command'; readonly session: Session; readonly interaction: Interaction }
  | { readonly kind: 'awaiting_input'; readonly session: Session; readonly message: string }
  /** A review gate: the step's answer waits for Approve or Request Changes (`approveReview` / `requestChanges`). */
  | { readonly kind: 'awaiting_review'; readonly session: Session; readonly gate: ReviewGate }
  /** The session is not active: `session.status` says why (paused, interrupted, complete, failed, cancelled). */
  | { readonly kind: 'stopped'; readonly session: Session };

export interface NextOptions {
  /** What the person typed (freeform sessions take it as the next prompt). */
  readonly input?: string;
}

export interface SessionEngineOptions {
  readonly store: EngineStore;
  readonly types: SessionTypeRegistry;
  /** Where `.sessions/<slug>/` files go (the workspace folder). */
  readonly workspaceFiles: WorkspaceFiles;
  /** Read at each step, so configuration changes apply to running sessions. */
  readonly settings?: () => WorkflowSettings;
  /** Errors of work done after a commit (the `state.json` mirror, settling a parent). */
  readonly onBackgroundError?: (error: unknown, what: string) => void;
}

/** `recordResult` for an interaction that is not pending (already recorded, cancelled, interrupted) or not the session's. */
export class InteractionNotPendingError extends Error {
  constructor(interactionId: string, detail: string) {
    super(`Interaction ${interactionId} cannot take a result: ${detail}`);
    this.name = 'InteractionNotPendingError';
  }
}

export interface WrittenFile {
  readonly path: string;
  readonly key: string;
  readonly kind: string;
  readonly contentType: string;
  readonly byteSize: number;
  readonly sha256: string;
}

export interface PreparedSession {
  readonly create: SessionCreateInput & { id: string };
}

export function prepareSession(
  types: SessionTypeRegistry,
  settings: WorkflowSettings,
  input: StartSessionInput,
  parent: Session | undefined,
): PreparedSession {
  const type = types.require(input.type);
  const { phase, state } = type.start(input.options ?? {}, settings);
  const id = randomUUID();
  return {
    create: {
      id,
      parentSessionId: parent?.id ?? null,
      type: type.id,
      title: input.title,
      slug: sessionSlug(input.title, id),
      intention: input.intention,
      successCriteria: [...(input.successCriteria ?? [])],
      completionCriteria: [...(input.completionCriteria ?? [])],
      constraints: [...(input.constraints ?? [])],
      procedureNotes: input.procedureNotes ?? '',
      followsSessionId: input.followsSessionId ?? null,
      expectedMinutes: input.expectedMinutes ?? null,
      provider: input.provider ?? parent?.provider,
      executionMode: input.executionMode ?? parent?.executionMode,
      environment: parent?.environment,
      workingDir: input.workingDir ?? parent?.workingDir ?? null,
      workspaceFolder: input.workspaceFolder ?? parent?.workspaceFolder ?? null,
      tags: normalizeTags(input.tags ?? []),
      phase,
      state,
    },
  };
}

export function createSession(transitions: TransitionRecorder, prepared: PreparedSession): Session {
  const session = transitions.tx.sessions.create(prepared.create);
  transitions.event(session.id, ENGINE_EVENT.sessionStarted, {
    type: session.type,
    phase: session.phase,
    parentSessionId: session.parentSessionId,
    followsSessionId: session.followsSessionId,
  });
  transitions.changed.set(session.id, session);
  return session;
}
