import { createHash, randomUUID } from 'node:crypto';
import { InteractionResultInputSchema, type Interaction, type InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import { z } from 'zod';
import {
  CriterionCheckSchema,
  SessionGoalSchema,
  SessionOutcomeInputSchema,
  type CriterionCheck,
  type SessionProgress,
  type ExecutionMode,
  type Provider,
  type Session,
  type SessionCreateInput,
  type SessionGoal,
  type SessionOutcome,
  type SessionOutcomeInput,
} from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import { parseWith } from '../model/validation';
import { composeSystemPrompt } from '../workflow/goalPrompt';
import type { SessionTypeInfo, SessionTypeRegistry } from '../workflow/SessionTypeRegistry';
import {
  DEFAULT_WORKFLOW_SETTINGS,
  type ChildSessionSpec,
  type CommandSpec,
  type StepBehaviour,
  type StepContext,
  type StepOutcome,
  type WorkflowSettings,
} from '../workflow/StepBehaviour';
import { sessionFilesFor, type WorkspaceFiles } from '../workflow/workspaceFiles';
import type { EngineStore, EngineTransaction } from './EngineStore';
import { ENGINE_EVENT } from './engineEvents';
import { KeyedMutex } from './KeyedMutex';
import { SessionTransitions } from './sessionTransitions';
import { sessionSlug } from './sessionSlug';
import { PROPOSED_OUTCOME_STATE_KEY, SUMMARY_PHASE, SUMMARY_STATE_KEY, summaryStep } from './summaryStep';
import {
  completionCriteriaMet,
  criteriaOf,
  PROGRESS_CHECK_STATE_KEY,
  PROGRESS_CHECK_STEP,
  progressCheckCommand,
  progressCheckStep,
  progressOf,
  PROPOSED_PROGRESS_STATE_KEY,
  type ArtifactText,
} from './progressCheck';
import {
  gateApplies,
  REVIEW_COMMENT_STATE_KEY,
  REVIEW_GATE_STATE_KEY,
  reviewCommentOf,
  reviewGateOf,
  withReviewComment,
  type ReviewGate,
} from './reviewGate';
import { describeError } from '../../protocol/describeError';
import { formatUsdPrecise } from '../../protocol/presentation';

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

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

const GOAL_FIELDS = ['intention', 'successCriteria', 'completionCriteria', 'constraints', 'procedureNotes'] as const;

function goalOf(session: Session): SessionGoal {
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

interface WrittenFile {
  readonly path: string;
  readonly key: string;
  readonly kind: string;
  readonly contentType: string;
  readonly byteSize: number;
  readonly sha256: string;
}

interface PreparedSession {
  readonly create: SessionCreateInput & { id: string };
}

/**
 * Drives sessions through their types' step behaviours, recording everything in the store. It
 * never executes anything: runners ask `next`, run the command and hand back `recordResult`.
 * Calls for one session are serialised, and each decision is committed in one transaction.
 */
export class SessionEngine {
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: SessionEngineOptions) {}

  /** Built-in types and the user's workflows, for the New Session quick pick. */
  listTypes(): SessionTypeInfo[] {
    return this.options.types.list();
  }

  /** The stored session (throws a clear error for an unknown id). */
  getSession(sessionId: string): Session {
    return this.options.store.sessions.require(sessionId);
  }

  async start(input: StartSessionInput): Promise<Session> {
    let parent: Session | undefined;
    if (input.parentSessionId) {
      parent = this.options.store.sessions.require(input.parentSessionId);
    }
    const prepared = this.prepareSession(input, parent);
    const session = await this.commit((transitions) => this.createSession(transitions, prepared));
    return session;
  }

  /**
   * Plan Session: records a session that has not started (`planned`), with an optional scheduled
   * time and expected duration. Nothing runs until {@link startPlanned}.
   */
  async plan(input: PlanSessionInput): Promise<Session> {
    const prepared = this.prepareSession(input, undefined);
    const create = { ...prepared.create, status: 'planned' as const, scheduledAt: input.scheduledAt ?? null };
    return this.commit((transitions) => {
      const session = transitions.tx.sessions.create(create);
      transitions.event(session.id, ENGINE_EVENT.sessionPlanned, {
        type: session.type,
        scheduledAt: session.scheduledAt,
        expectedMinutes: session.expectedMinutes,
        followsSessionId: session.followsSessionId,
      });
      transitions.changed.set(session.id, session);
      return session;
    });
  }

  /** Start (of a planned session): it becomes active now; its actual duration counts from here. */
  startPlanned(sessionId: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      if (session.status !== 'planned') {
        throw new Error(`Session "${session.title}" is ${session.status}; only a planned session can be started.`);
      }
      return transitions.setStatus(session, 'active', 'started (it was planned)');
    });
  }

  /** Sets the session's tags (normalised), recorded as one `session.tags_changed` event; no change, no event. */
  setTags(sessionId: string, tags: readonly string[]): Promise<Session> {
    const after = normalizeTags(tags);
    return this.changeStatus(sessionId, (transitions, session) => {
      const before = [...session.tags];
      if (JSON.stringify(before) === JSON.stringify(after)) return session;
      const next = transitions.update(session, { tags: after });
      transitions.event(session.id, ENGINE_EVENT.tagsChanged, {
        before,
        after: [...after],
        added: after.filter((tag) => !before.includes(tag)),
        removed: before.filter((tag) => !after.includes(tag)),
      });
      return next;
    });
  }

  /** The session's pending command, or a new one from its current step; never two pending at once. */
  async next(sessionId: string, options: NextOptions = {}): Promise<NextStep> {
    // A spawn whose children all ended while nobody was listening (e.g. the parent was interrupted) settles now.
    await this.settleParent(sessionId);
    return this.locks.run(sessionId, () => this.nextLocked(sessionId, options));
  }

  /** Records the result of the pending interaction (validated) and applies the step's decision atomically. */
  async recordResult(sessionId: string, interactionId: string, result: unknown): Promise<Session> {
    const parsed = parseWith(InteractionResultInputSchema, result, 'result');
    return this.locks.run(sessionId, () => this.recordResultLocked(sessionId, interactionId, parsed));
  }

  /** Active → paused, with its active children (their runner stops with the parent's); a pending command stays pending. */
  pause(sessionId: string, reason = 'paused by request'): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      const paused = transitions.setStatus(session, 'paused', reason);
      transitions.pauseChildren(paused);
      return paused;
    });
  }

  /**
   * Paused or interrupted → active, with the children that were paused because it was. An
   * interrupted command is issued again by the next `next`.
   */
  resume(sessionId: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      const resumed = transitions.setStatus(session, 'active', `resumed from ${session.status}`);
      transitions.resumeChildren(resumed);
      return resumed;
    });
  }

  cancel(sessionId: string, reason = 'cancelled by request'): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => transitions.setStatus(session, 'cancelled', reason));
  }

  fail(sessionId: string, reason: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => this.failSession(transitions, session, reason));
  }

  /** Ends a session the person considers done (freeform); with summaries on, it goes to the summary step first. */
  complete(sessionId: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      transitions.closePending(session.id, 'cancelled', 'The session was completed by request.', true);
      return this.applyCompletion(transitions, session, session.state, 'completed by request');
    });
  }

  /**
   * Edit Goal: changes the goal fields given, recorded as one `session.goal_edited` event with the
   * goal before and after. Nothing changes (and no event) when the edit changes nothing. Allowed in
   * any status: a goal can be corrected after the session ended.
   */
  async editGoal(sessionId: string, edit: GoalEdit): Promise<Session> {
    const parsed = parseWith(SessionGoalSchema.partial(), edit, 'goal edit');
    return this.changeStatus(sessionId, (transitions, session) => {
      const before = goalOf(session);
      const after: SessionGoal = { ...before, ...parsed };
      const fields = GOAL_FIELDS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
      if (fields.length === 0) return session;
      const next = transitions.update(session, after);
      transitions.event(session.id, ENGINE_EVENT.goalEdited, { before: { ...before }, after: { ...after }, fields: [...fields] });
      return next;
    });
  }

  /**
   * Complete Session: records the outcome (summary, rating, completion %, follow-up, next session)
   * and ends the session as complete. A pending command is closed as cancelled; the summary step is
   * skipped (the person wrote the summary). On a session that has already ended, only the outcome
   * is recorded (a correction), its status stays.
   */
  async completeWithOutcome(sessionId: string, input: SessionOutcomeInput): Promise<Session> {
    const parsed = parseWith(SessionOutcomeInputSchema, input, 'session outcome');
    return this.changeStatus(sessionId, (transitions, session) => {
      const recorded = this.recordOutcome(transitions, session, parsed, 'person');
      if (isTerminalSessionStatus(recorded.status)) return recorded;
      transitions.closePending(session.id, 'cancelled', 'The session was completed by request.', true);
      return transitions.setStatus(recorded, 'complete', 'completed by request');
    });
  }

  /**
   * Check Progress by a person: each criterion met / not met / unknown with its evidence (criteria
   * left out read as unknown), recorded as the session's progress and a `session.progress_checked`
   * event. A session whose workflow completes on criteria (`completeWhen: "criteria"`) completes
   * when every completion criterion is met.
   */
  async recordProgress(sessionId: string, checks: readonly CriterionCheck[]): Promise<Session> {
    const parsed = parseWith(z.array(CriterionCheckSchema), checks, 'progress check');
    return this.changeStatus(sessionId, (transitions, session) => {
      const checked = this.recordProgressChecks(transitions, session, parsed, 'person');
      return this.completeOnCriteria(transitions, checked);
    });
  }

  /**
   * Check Progress by Claude: the session's next command is a Claude step that sees its artifacts
   * and recent results and answers for each criterion (after a command already pending). The
   * runner runs it like any other step.
   */
  async requestProgressCheck(sessionId: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      if (isTerminalSessionStatus(session.status))
        throw new Error(`"${session.title}" has ended (${session.status}): its progress can only be ticked by hand.`);
      if (criteriaOf(session).length === 0)
        throw new Error(`"${session.title}" has no success or completion criteria to check: add some with Edit Goal.`);
      if (session.state[PROGRESS_CHECK_STATE_KEY] === 'requested') return session;
      return transitions.update(session, { state: { ...session.state, [PROGRESS_CHECK_STATE_KEY]: 'requested' } });
    });
  }

  /** Approve at a review gate: the artifacts become approved (by whom, when) and what the step decided applies. */
  async approveReview(sessionId: string, by: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      const gate = this.requireGate(session);
      const at = Date.now();
      for (const id of gate.artifactIds) transitions.tx.artifacts.setReview(id, { state: 'approved', by, at, comment: null });
      const { [REVIEW_GATE_STATE_KEY]: _gate, ...state } = session.state;
      transitions.event(session.id, ENGINE_EVENT.reviewApproved, {
        step: gate.step,
        seq: gate.seq,
        artifactKeys: [...gate.artifactKeys],
        by,
      });
      if ('complete' in gate.then) return this.applyCompletion(transitions, session, state, `the ${gate.step} step was approved`);
      return transitions.update(session, { state, phase: gate.then.phase });
    });
  }

  /** Request Changes at a review gate: the same step is asked again, with `comment` in its prompt. */
  async requestChanges(sessionId: string, comment: string, by: string): Promise<Session> {
    const text = parseWith(z.string().trim().min(1, 'say what to change').max(20_000), comment, 'review comment');
    return this.changeStatus(sessionId, (transitions, session) => {
      const gate = this.requireGate(session);
      const at = Date.now();
      for (const id of gate.artifactIds) transitions.tx.artifacts.setReview(id, { state: 'changes_requested', by, at, comment: text });
      const { [REVIEW_GATE_STATE_KEY]: _gate, ...state } = session.state;
      transitions.event(session.id, ENGINE_EVENT.reviewChangesRequested, {
        step: gate.step,
        seq: gate.seq,
        artifactKeys: [...gate.artifactKeys],
        by,
        comment: text,
      });
      return transitions.update(session, { state: { ...state, [REVIEW_COMMENT_STATE_KEY]: { step: gate.step, comment: text } } });
    });
  }

  /**
   * The runner of this session died (window closed, crash): its running command is recorded as
   * `interrupted` and the session waits for `resume`. Spawn commands stay pending: the children carry on.
   */
  markInterrupted(sessionId: string, reason = 'the runner stopped before the command finished'): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      transitions.closePending(session.id, 'interrupted', reason, false);
      return transitions.setStatus(session, 'interrupted', reason);
    });
  }

  /**
   * At startup no runner is alive (terminal steps and agentic loops die with the extension host),
   * so these sessions lost theirs and are marked interrupted: every active session with a command
   * still pending, and every active agentic session even between steps (its loop would have
   * issued the next command). A manual session between steps is fine: the person advances it.
   */
  async interruptOrphans(): Promise<Session[]> {
    const { store } = this.options;
    const reasons = new Map<string, string>();
    for (const pending of store.interactions.listPending()) {
      if (pending.command.kind !== 'spawn_sessions') reasons.set(pending.sessionId, 'the extension stopped while the command was running');
    }
    for (const session of store.sessions.listAll({ status: 'active' })) {
      // A session at a review gate runs nothing until a person decides.
      if (session.executionMode === 'agentic' && !reasons.has(session.id) && reviewGateOf(session) === undefined)
        reasons.set(session.id, 'the extension stopped between steps of the agentic run');
    }
    const interrupted: Session[] = [];
    for (const [sessionId, reason] of reasons) {
      if (store.sessions.get(sessionId)?.status !== 'active') continue;
      interrupted.push(await this.markInterrupted(sessionId, reason));
    }
    return interrupted;
  }

  private get settings(): WorkflowSettings {
    return this.options.settings?.() ?? DEFAULT_WORKFLOW_SETTINGS;
  }

  private changeStatus(sessionId: string, change: (transitions: SessionTransitions, session: Session) => Session): Promise<Session> {
    return this.locks.run(sessionId, () => this.commit((transitions) => change(transitions, transitions.tx.sessions.require(sessionId))));
  }

  private async nextLocked(sessionId: string, options: NextOptions): Promise<NextStep> {
    const session = this.options.store.sessions.require(sessionId);
    if (session.status !== 'active') {
      return { kind: 'stopped', session };
    }
    const pending = this.options.store.interactions.listPending(sessionId)[0];
    if (pending !== undefined) {
      return { kind: 'command', session, interaction: pending };
    }
    const gate = reviewGateOf(session);
    if (gate !== undefined) {
      return { kind: 'awaiting_review', session, gate };
    }
    if (session.state[PROGRESS_CHECK_STATE_KEY] === 'requested') {
      if (criteriaOf(session).length > 0) {
        return this.issueCommand(session, progressCheckCommand(session, this.historyOf(session), await this.artifactTexts(session)));
      }
      // The criteria were removed since: nothing to check.
      const { [PROGRESS_CHECK_STATE_KEY]: _request, ...state } = session.state;
      await this.commit((transitions) => transitions.update(transitions.tx.sessions.require(sessionId), { state }));
      return this.nextLocked(sessionId, options);
    }
    let decision;
    try {
      decision = await this.behaviourFor(session).getCommand(session, this.historyOf(session), this.contextFor(session, options.input));
    } catch (error) {
      const failed = await this.commit((transitions) =>
        this.failSession(
          transitions,
          transitions.tx.sessions.require(sessionId),
          `The ${session.phase} step could not produce a command: ${describeError(error)}`,
        ),
      );
      return { kind: 'stopped', session: failed };
    }
    if (decision === 'done') {
      const after = await this.commit((transitions) =>
        this.applyCompletion(transitions, transitions.tx.sessions.require(sessionId), session.state, 'the workflow has no more steps'),
      );
      return after.status === 'active' ? this.nextLocked(sessionId, options) : { kind: 'stopped', session: after };
    }
    if (decision.kind === 'await_input') {
      return { kind: 'awaiting_input', session, message: decision.message };
    }
    return this.issueCommand(session, decision);
  }

  private async issueCommand(session: Session, spec: CommandSpec): Promise<NextStep> {
    let children: PreparedSession[] = [];
    try {
      children = (spec.children ?? []).map((child) => this.prepareSession({ ...child, parentSessionId: session.id }, session));
    } catch (error) {
      const failed = await this.commit((transitions) =>
        this.failSession(
          transitions,
          transitions.tx.sessions.require(session.id),
          `The ${spec.step} step cannot spawn its sessions: ${describeError(error)}`,
        ),
      );
      return { kind: 'stopped', session: failed };
    }
    const metadata: JsonObject = { ...(spec.metadata ?? {}) };
    // The phase (agent type) the command serves; runs record it.
    if (metadata.phase === undefined)
      metadata.phase = spec.step === PROGRESS_CHECK_STEP ? PROGRESS_CHECK_STEP : (session.phase ?? spec.step);
    let command = spec.command;
    if (spec.kind === 'claude') {
      metadata.system = composeSystemPrompt(session, spec.system);
      // Request Changes: the reviewer's comment goes into the step's next prompt.
      const comment = reviewCommentOf(session.state);
      if (comment !== undefined && comment.step === spec.step) {
        command = withReviewComment(command, comment);
        metadata.reviewComment = comment.comment;
      }
    }
    if (spec.kind === 'spawn_sessions') {
      metadata.childSessionIds = children.map((child) => child.create.id);
    }
    return this.commit((transitions): NextStep => {
      const { tx } = transitions;
      const current = tx.sessions.require(session.id);
      const stillPending = tx.interactions.listPending(session.id)[0];
      if (current.status !== 'active') {
        return { kind: 'stopped', session: current };
      }
      if (stillPending !== undefined) {
        return { kind: 'command', session: current, interaction: stillPending };
      }
      const interaction = tx.interactions.append({
        sessionId: session.id,
        step: spec.step,
        kind: spec.kind,
        command,
        metadata,
      });
      transitions.event(session.id, ENGINE_EVENT.commandIssued, { seq: interaction.seq, step: spec.step, kind: spec.kind }, interaction.id);
      if (children.length > 0) {
        for (const child of children) {
          this.createSession(transitions, child);
        }
        transitions.event(session.id, ENGINE_EVENT.childrenSpawned, { childSessionIds: metadata.childSessionIds ?? [] }, interaction.id);
      }
      return { kind: 'command', session: tx.sessions.require(session.id), interaction };
    });
  }

  private async recordResultLocked(sessionId: string, interactionId: string, result: InteractionResultInput): Promise<Session> {
    const session = this.options.store.sessions.require(sessionId);
    const interaction = this.requirePending(this.options.store.interactions.get(interactionId), sessionId, interactionId);
    if (result.status === 'cancelled' || result.status === 'interrupted') {
      return this.commit((transitions) => {
        this.requirePending(transitions.tx.interactions.get(interactionId), sessionId, interactionId);
        transitions.tx.interactions.setResult(interactionId, result);
        transitions.event(
          sessionId,
          ENGINE_EVENT.resultRecorded,
          { seq: interaction.seq, step: interaction.command.step, status: result.status },
          interactionId,
        );
        const current = transitions.tx.sessions.require(sessionId);
        // A cancelled command is offered again by the next `next`; an interrupted one waits for `resume`.
        return result.status === 'interrupted' && !isTerminalSessionStatus(current.status)
          ? transitions.setStatus(current, 'interrupted', result.errorMessage ?? 'the command was interrupted')
          : current;
      });
    }
    const context = this.contextFor(session);
    let outcome: StepOutcome;
    try {
      const behaviour = interaction.command.step === PROGRESS_CHECK_STEP ? progressCheckStep : this.behaviourFor(session);
      outcome = await behaviour.handleResult(session, interaction, result, context);
    } catch (error) {
      outcome = {
        status: 'failed',
        failureReason: `The ${interaction.command.step} step could not handle its result: ${describeError(error)}`,
      };
    }
    let written: WrittenFile[] = [];
    try {
      written = await this.writeFiles(session, outcome);
    } catch (error) {
      outcome = { state: outcome.state, status: 'failed', failureReason: `Could not write the step's files: ${describeError(error)}` };
    }
    return this.commit((transitions) => {
      this.requirePending(transitions.tx.interactions.get(interactionId), sessionId, interactionId);
      return this.applyOutcome(transitions, interaction, result, outcome, written);
    });
  }

  private applyOutcome(
    transitions: SessionTransitions,
    interaction: Interaction,
    result: InteractionResultInput,
    outcome: StepOutcome,
    written: readonly WrittenFile[],
  ): Session {
    const { tx } = transitions;
    const sessionId = interaction.sessionId;
    const gated = (outcome.status ?? 'active') !== 'failed' && gateApplies(outcome.approve, tx.sessions.require(sessionId));
    const gatedArtifacts: { id: string; key: string }[] = [];
    tx.interactions.setResult(interaction.id, result);
    transitions.event(
      sessionId,
      ENGINE_EVENT.resultRecorded,
      { seq: interaction.seq, step: interaction.command.step, status: result.status, exitCode: result.exitCode ?? null },
      interaction.id,
    );
    for (const file of written) {
      const artifact = tx.artifacts.put({
        sessionId,
        key: file.key,
        kind: file.kind,
        contentType: file.contentType,
        path: file.path,
        byteSize: file.byteSize,
        sha256: file.sha256,
        ...(gated ? { review: { state: 'provisional' as const, by: null, at: null, comment: null } } : {}),
      });
      if (gated) gatedArtifacts.push({ id: artifact.id, key: file.key });
      transitions.event(
        sessionId,
        ENGINE_EVENT.artifactRecorded,
        { artifactId: artifact.id, key: file.key, path: file.path, sha256: file.sha256, byteSize: file.byteSize },
        interaction.id,
      );
    }
    for (const note of outcome.notes ?? []) {
      tx.notes.add({ sessionId, kind: 'workflow', content: note, interactionSeq: interaction.seq });
    }
    let session = tx.sessions.require(sessionId);
    let state = outcome.state ?? session.state;
    if (outcome.summary !== undefined) {
      session = transitions.update(session, { summary: outcome.summary });
      transitions.event(sessionId, ENGINE_EVENT.summaryRecorded, { length: outcome.summary.length }, interaction.id);
      // The summary step's answer may carry Claude's proposed outcome (validated there).
      const proposed = SessionOutcomeInputSchema.safeParse({
        summary: outcome.summary,
        ...(asObject(state[PROPOSED_OUTCOME_STATE_KEY]) ?? {}),
      });
      if (state[PROPOSED_OUTCOME_STATE_KEY] !== undefined) {
        const { [PROPOSED_OUTCOME_STATE_KEY]: _proposal, ...rest } = state;
        state = rest;
        if (proposed.success) session = this.recordOutcome(transitions, session, proposed.data, 'claude', interaction.id);
      }
    }
    if (state[PROPOSED_PROGRESS_STATE_KEY] !== undefined) {
      const { [PROPOSED_PROGRESS_STATE_KEY]: checks, ...rest } = state;
      state = rest;
      const parsed = z.array(CriterionCheckSchema).safeParse(checks);
      try {
        if (!parsed.success) throw new Error(parsed.error.message);
        session = this.recordProgressChecks(transitions, session, parsed.data, 'claude', interaction.id);
      } catch (error) {
        tx.notes.add({
          sessionId,
          kind: 'workflow',
          content: `The progress check was not recorded: ${describeError(error)}`,
          interactionSeq: interaction.seq,
        });
      }
    }
    // The reviewer's comment was for this answer: it is used.
    if (reviewCommentOf(state)?.step === interaction.command.step) {
      const { [REVIEW_COMMENT_STATE_KEY]: _used, ...rest } = state;
      state = rest;
    }
    if (gated) {
      const gate: ReviewGate = {
        step: interaction.command.step,
        artifactIds: gatedArtifacts.map((a) => a.id),
        artifactKeys: gatedArtifacts.map((a) => a.key),
        then: outcome.status === 'complete' ? { complete: true } : { phase: outcome.phase ?? session.phase ?? interaction.command.step },
        seq: interaction.seq,
        since: Date.now(),
      };
      transitions.event(
        sessionId,
        ENGINE_EVENT.reviewRequested,
        { step: gate.step, seq: gate.seq, artifactKeys: [...gate.artifactKeys] },
        interaction.id,
      );
      return transitions.update(session, { state: { ...state, [REVIEW_GATE_STATE_KEY]: gate } });
    }
    const patch = { state, ...(outcome.phase === undefined ? {} : { phase: outcome.phase }) };
    switch (outcome.status ?? 'active') {
      case 'failed':
        return this.failSession(
          transitions,
          session,
          outcome.failureReason ?? `The ${interaction.command.step} step failed.`,
          patch,
          interaction.seq,
        );
      case 'complete':
        return this.applyCompletion(transitions, session, state, `the ${interaction.command.step} step completed the workflow`);
      case 'active':
        return this.afterActiveStep(transitions, transitions.update(session, patch), interaction);
    }
  }

  /**
   * A session that completes on criteria: after its progress check, completes when every completion
   * criterion is met; after any other step, has its progress checked before the next.
   */
  private afterActiveStep(transitions: SessionTransitions, session: Session, interaction: Interaction): Session {
    if (session.status !== 'active' || !this.completesOnCriteria(session) || session.completionCriteria.length === 0) return session;
    if (interaction.command.step === PROGRESS_CHECK_STEP) return this.completeOnCriteria(transitions, session);
    if (session.state[SUMMARY_STATE_KEY] !== undefined) return session;
    return transitions.update(session, { state: { ...session.state, [PROGRESS_CHECK_STATE_KEY]: 'requested' } });
  }

  private completeOnCriteria(transitions: SessionTransitions, session: Session): Session {
    if (
      isTerminalSessionStatus(session.status) ||
      !this.completesOnCriteria(session) ||
      !completionCriteriaMet(session, session.progress)
    ) {
      return session;
    }
    transitions.closePending(session.id, 'cancelled', 'Every completion criterion is met.', true);
    const { [PROGRESS_CHECK_STATE_KEY]: _request, ...state } = session.state;
    return this.applyCompletion(transitions, session, state, 'every completion criterion is met');
  }

  private completesOnCriteria(session: Session): boolean {
    try {
      return this.options.types.forSession(session).completesOnCriteria?.(session) ?? false;
    } catch {
      return false;
    }
  }

  private recordProgressChecks(
    transitions: SessionTransitions,
    session: Session,
    checks: readonly CriterionCheck[],
    checkedBy: SessionProgress['checkedBy'],
    interactionId: string | null = null,
  ): Session {
    const progress = progressOf(session, checks, checkedBy, Date.now());
    const next = transitions.update(session, { progress });
    transitions.event(
      session.id,
      ENGINE_EVENT.progressChecked,
      {
        progress: JSON.parse(JSON.stringify(progress)) as JsonObject,
        previous: session.progress === null ? null : (JSON.parse(JSON.stringify(session.progress)) as JsonObject),
      },
      interactionId,
    );
    return next;
  }

  private requireGate(session: Session): ReviewGate {
    const gate = reviewGateOf(session);
    if (gate === undefined) throw new Error(`"${session.title}" has no answer waiting for review.`);
    if (isTerminalSessionStatus(session.status)) throw new Error(`"${session.title}" has ended (${session.status}).`);
    return gate;
  }

  /** The latest live artifact of each key (at most 12), with its text where it can be read, for the progress check. */
  private async artifactTexts(session: Session): Promise<ArtifactText[]> {
    const latest = new Map<string, ArtifactText & { path: string | null; content: string | null }>();
    for (const a of this.options.store.artifacts?.list(session.id) ?? []) {
      latest.set(a.key, { key: a.key, kind: a.kind, path: a.path, content: a.content, text: undefined });
    }
    const texts: ArtifactText[] = [];
    for (const a of [...latest.values()].slice(-12)) {
      let text = a.content ?? undefined;
      if (text === undefined && a.path !== null) text = await this.options.workspaceFiles.readText(a.path).catch(() => undefined);
      texts.push({ key: a.key, kind: a.kind, path: a.path, text });
    }
    return texts;
  }

  /** Completes the session, or first sends it to the summary step when summaries are on. */
  private applyCompletion(transitions: SessionTransitions, session: Session, state: JsonObject, reason: string): Session {
    if (this.settings.summarizeOnComplete && state[SUMMARY_STATE_KEY] === undefined) {
      const summarizing = session.status === 'paused' ? session.status : 'active';
      return transitions.setStatus(session, summarizing, undefined, {
        state: { ...state, [SUMMARY_STATE_KEY]: 'pending' },
        phase: SUMMARY_PHASE,
      });
    }
    return transitions.setStatus(session, 'complete', reason, { state });
  }

  private recordOutcome(
    transitions: SessionTransitions,
    session: Session,
    input: ReturnType<typeof SessionOutcomeInputSchema.parse>,
    recordedBy: SessionOutcome['recordedBy'],
    interactionId: string | null = null,
  ): Session {
    const { summary, ...fields } = input;
    const outcome: SessionOutcome = { ...fields, recordedBy, recordedAt: Date.now() };
    const next = transitions.update(session, { summary, outcome });
    transitions.event(
      session.id,
      ENGINE_EVENT.outcomeRecorded,
      { summary, outcome: { ...outcome }, previous: session.outcome === null ? null : { ...session.outcome } },
      interactionId,
    );
    return next;
  }

  private failSession(
    transitions: SessionTransitions,
    session: Session,
    reason: string,
    patch = {},
    interactionSeq: number | null = null,
  ): Session {
    transitions.tx.notes.add({ sessionId: session.id, kind: 'failure', content: reason, interactionSeq });
    return transitions.setStatus(session, 'failed', reason, patch);
  }

  private requirePending(interaction: Interaction | undefined, sessionId: string, interactionId: string): Interaction {
    if (interaction === undefined || interaction.sessionId !== sessionId) {
      throw new InteractionNotPendingError(interactionId, `it is not an interaction of session ${sessionId}`);
    }
    if (interaction.result.status !== 'pending') {
      throw new InteractionNotPendingError(interactionId, `its result is already recorded (${interaction.result.status})`);
    }
    return interaction;
  }

  private behaviourFor(session: Session): StepBehaviour {
    return session.state[SUMMARY_STATE_KEY] === 'pending' ? summaryStep : this.options.types.forSession(session).behaviourFor(session);
  }

  private contextFor(session: Session, input?: string): StepContext {
    return { settings: this.settings, files: sessionFilesFor(this.options.workspaceFiles, session.slug), input };
  }

  /** The most recent interactions (enough for any prompt), oldest first. */
  private historyOf(session: Session): Interaction[] {
    const limit = 200;
    return this.options.store.interactions.list(session.id, { after: Math.max(0, session.interactionCount - limit), limit });
  }

  private prepareSession(input: StartSessionInput, parent: Session | undefined): PreparedSession {
    const type = this.options.types.require(input.type);
    const { phase, state } = type.start(input.options ?? {}, this.settings);
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

  private createSession(transitions: SessionTransitions, prepared: PreparedSession): Session {
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

  private async writeFiles(session: Session, outcome: StepOutcome): Promise<WrittenFile[]> {
    const files = sessionFilesFor(this.options.workspaceFiles, session.slug);
    const written: WrittenFile[] = [];
    for (const file of outcome.files ?? []) {
      const path = files.pathOf(file.name);
      const bytes = Buffer.from(file.content, 'utf8');
      await this.options.workspaceFiles.writeText(path, file.content);
      written.push({
        path,
        key: file.artifactKey,
        kind: file.artifactKind,
        contentType: file.contentType,
        byteSize: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    return written;
  }

  /** Runs `work` in one transaction; once durable, mirrors `state.json` and settles parents of ended children. */
  private async commit<T>(work: (transitions: SessionTransitions) => T): Promise<T> {
    let changed: Session[] = [];
    const value = await this.options.store.transaction((tx: EngineTransaction) => {
      const transitions = new SessionTransitions(tx);
      const result = work(transitions);
      changed = [...transitions.changed.values()];
      return result;
    });
    for (const session of changed) {
      await this.mirrorStateFile(session);
    }
    // Parents only ever wait on their own lock here (a parent's own calls never take a child's
    // lock, and a parent that ended has no pending spawn left), so this cannot deadlock.
    for (const parentId of new Set(
      changed.filter((s) => isTerminalSessionStatus(s.status) && s.parentSessionId !== null).map((s) => s.parentSessionId as string),
    )) {
      await this.settleParent(parentId).catch((error) => this.options.onBackgroundError?.(error, `settling parent session ${parentId}`));
    }
    return value;
  }

  private async mirrorStateFile(session: Session): Promise<void> {
    try {
      if (!this.options.types.forSession(session).mirrorsStateFile) {
        return;
      }
      const mirror = {
        sessionId: session.id,
        type: session.type,
        title: session.title,
        phase: session.phase,
        status: session.status,
        updatedAt: new Date(session.updatedAt).toISOString(),
      };
      await this.options.workspaceFiles.writeText(
        sessionFilesFor(this.options.workspaceFiles, session.slug).pathOf('state.json'),
        `${JSON.stringify(mirror, null, 2)}\n`,
      );
    } catch (error) {
      this.options.onBackgroundError?.(error, `writing state.json of session ${session.id}`);
    }
  }

  /** When every child of a pending spawn command has ended, records the spawn's result on the parent. */
  private async settleParent(parentId: string): Promise<void> {
    const { store } = this.options;
    for (const spawn of store.interactions.listPending(parentId).filter((pending) => pending.command.kind === 'spawn_sessions')) {
      const childIds = spawn.command.metadata.childSessionIds;
      const children = (Array.isArray(childIds) ? childIds : []).map((id) => store.sessions.require(String(id)));
      if (children.length === 0 || children.some((child) => !isTerminalSessionStatus(child.status))) {
        continue;
      }
      const unfinished = children.filter((child) => child.status !== 'complete');
      // What each child came to reaches the parent: its outcome, size, cost, summary and, for one
      // that did not complete, why its last step failed.
      const outcomes = children.map((child) => {
        const last = store.interactions.latest(child.id);
        const why = child.status === 'complete' ? null : (last?.result.errorMessage ?? null);
        return {
          id: child.id,
          title: child.title,
          status: child.status,
          steps: child.interactionCount,
          costUsd: child.totalCostUsd,
          costUnknown: child.costUnknown,
          summary: child.summary,
          error: why,
        };
      });
      const result: InteractionResultInput = {
        status: unfinished.length === 0 ? 'ok' : 'error',
        output: outcomes
          .map((c) => {
            const cost = `${formatUsdPrecise(c.costUsd)}${c.costUnknown ? ' + unknown' : ''}`;
            const detail = [c.summary, c.error]
              .filter((line): line is string => Boolean(line))
              .map((line) => `\n  ${line}`)
              .join('');
            return `${c.status}: ${c.title} (${c.steps} step${c.steps === 1 ? '' : 's'}, ${cost})${detail}`;
          })
          .join('\n'),
        data: { children: outcomes },
        errorMessage: unfinished.length === 0 ? null : `${unfinished.length} of ${children.length} child sessions did not complete`,
      };
      try {
        await this.recordResult(parentId, spawn.id, result);
      } catch (error) {
        if (!(error instanceof InteractionNotPendingError)) {
          throw error;
        }
      }
    }
  }
}
