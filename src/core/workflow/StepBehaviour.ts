import type { CommandKind, Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import type { Session } from '../model/session';
import type { ShellDialect } from './shellQuote';
import type { SessionFiles } from './workspaceFiles';

/** A child session a `spawn_sessions` command asks for; the engine creates it linked to the parent. */
export interface ChildSessionSpec {
  readonly type: string;
  readonly title: string;
  readonly intention: string;
  readonly successCriteria?: readonly string[];
  readonly constraints?: readonly string[];
  readonly options?: JsonObject;
}

/** The next command a step wants run. `step` names the behaviour that produced it. */
export interface CommandSpec {
  readonly step: string;
  readonly kind: CommandKind;
  /** Shell command line, Claude prompt, or a one-line description of the spawn. */
  readonly command: string;
  /** Options for the runner (model, timeout…). The engine adds `system` to every Claude command. */
  readonly metadata?: JsonObject;
  /** Extra system instructions for a Claude command, appended after the session goal. */
  readonly system?: string;
  /** Only for `spawn_sessions`. */
  readonly children?: readonly ChildSessionSpec[];
}

/** The step needs the person to say something first (freeform: the next prompt). */
export interface AwaitInput {
  readonly kind: 'await_input';
  readonly message: string;
}

/** `'done'`: the session has nothing more to do and completes. */
export type StepDecision = CommandSpec | AwaitInput | 'done';

/** A file the step produced, written under `.sessions/<slug>/` and registered as an artifact. */
export interface SessionFileOutput {
  /** Relative to the session folder, e.g. `spec.md`, `research/round-1.md`. */
  readonly name: string;
  readonly content: string;
  readonly artifactKey: string;
  readonly artifactKind: string;
  readonly contentType: string;
}

export type StepStatus = 'active' | 'complete' | 'failed';

/** What a step decided after a result: the session's new state, phase and status, and what to record. */
export interface StepOutcome {
  /** Replaces the session state when given. */
  readonly state?: JsonObject;
  readonly phase?: string;
  /** Default `active`. */
  readonly status?: StepStatus;
  /** Why the session failed (required in spirit when `status` is `failed`). */
  readonly failureReason?: string;
  readonly files?: readonly SessionFileOutput[];
  /** Notes recorded on the session, tied to the interaction. */
  readonly notes?: readonly string[];
  /** Stored as the session's summary. */
  readonly summary?: string;
  /**
   * A review gate on this answer (its files): the session waits for Approve before the phase or
   * status above applies. `always`, or `agentic` (only in agentic mode). Ignored on a failure.
   */
  readonly approve?: 'always' | 'agentic';
}

/** Settings that shape built-in workflows; the VS Code layer fills them from configuration. */
export interface WorkflowSettings {
  /** The project's test command; without one, build phases skip the test step. */
  readonly testCommand?: string;
  /** Build attempts (Claude build + tests) before the build phase fails. */
  readonly maxBuildAttempts: number;
  /** Test runs in a test-fix session before it fails. */
  readonly maxTestFixIterations: number;
  /** How much of a failing command's output (its tail) goes into a prompt. */
  readonly outputTailChars: number;
  /**
   * The shell that workflow shell commands are quoted for when they are recorded (and run by the
   * agentic runner). A terminal running another shell quotes them again for its own (`shellCommandFor`).
   */
  readonly shellDialect: ShellDialect;
  /** Ask Claude for a summary when a session completes, and store it on the session. */
  readonly summarizeOnComplete: boolean;
}

export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = {
  maxBuildAttempts: 3,
  maxTestFixIterations: 5,
  outputTailChars: 8000,
  shellDialect: 'posix',
  summarizeOnComplete: false,
};

export interface StepContext {
  readonly settings: WorkflowSettings;
  /** The session's folder, `.sessions/<slug>/`: behaviours read earlier artifacts (edited by the person or not). */
  readonly files: SessionFiles;
  /** What the person typed, when `next` was given input (freeform prompts). */
  readonly input?: string;
}

/** One step (or phase) of a session type. */
export interface StepBehaviour {
  getCommand(session: Session, history: readonly Interaction[], context: StepContext): StepDecision | Promise<StepDecision>;
  handleResult(
    session: Session,
    interaction: Interaction,
    result: InteractionResultInput,
    context: StepContext,
  ): StepOutcome | Promise<StepOutcome>;
}

export interface SessionStart {
  readonly phase: string;
  readonly state: JsonObject;
}

export type SessionTypeSource = 'builtin' | 'workflow';

/** A kind of session: what the New Session quick pick lists, and the behaviour of each of its steps. */
export interface SessionType {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly source: SessionTypeSource;
  /** Whether `.sessions/<slug>/state.json` mirrors phase and status. */
  readonly mirrorsStateFile: boolean;
  /** Validates start options (throws a `ValidationError` naming the field) and gives the first phase and state. */
  start(options: JsonObject, settings: WorkflowSettings): SessionStart;
  /** The behaviour of the session's current phase. */
  behaviourFor(session: Session): StepBehaviour;
  /**
   * Whether the session ends itself once every completion criterion is met (a workflow's
   * `completeWhen: "criteria"`): the engine then checks progress after each step.
   */
  completesOnCriteria?(session: Session): boolean;
}
