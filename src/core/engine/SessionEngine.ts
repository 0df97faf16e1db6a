import { InteractionResultInputSchema } from '../model/interaction';
import { z } from 'zod';
import {
  CriterionCheckSchema,
  SessionGoalSchema,
  SessionOutcomeInputSchema,
  type CriterionCheck,
  type Session,
  type SessionGoal,
  type SessionOutcomeInput,
} from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import { parseWith } from '../model/validation';
import type { SessionTypeInfo } from '../workflow/SessionTypeRegistry';
import { DEFAULT_WORKFLOW_SETTINGS, type WorkflowSettings } from '../workflow/StepBehaviour';
import { mirrorStateFile } from './engineFiles';
import type { EngineTransaction } from '../store/ports';
import { ENGINE_EVENT } from './engineEvents';
import { KeyedMutex } from './KeyedMutex';
import { TransitionRecorder } from './transitionRecorder';
import { criteriaOf, PROGRESS_CHECK_STATE_KEY } from './progressCheck';
import { REVIEW_COMMENT_STATE_KEY, reviewGateOf } from './reviewGate';
import {
  createSession,
  GOAL_FIELDS,
  goalOf,
  InteractionNotPendingError,
  normalizeTags,
  prepareSession,
  type GoalEdit,
  type NextOptions,
  type NextStep,
  type PlanSessionInput,
  type SessionEngineOptions,
  type StartSessionInput,
} from './sessionInputs';
import { nextStep, recordStepResult, spawnResult, type StepDriver } from './stepDriver';
import {
  applyCompletion,
  closeGate,
  completeOnCriteria,
  failSession,
  recordOutcome,
  recordProgressChecks,
  type OutcomeRules,
} from './stepOutcomes';

/**
 * Drives sessions through their types' step behaviours, recording everything in the store. It
 * never executes anything: runners ask `next`, run the command and hand back `recordResult`.
 * Calls for one session are serialised, and each decision is committed in one transaction.
 */
export class SessionEngine {
  private readonly locks = new KeyedMutex();

  /** What the step-result rules read: the session types and the settings at the time. */
  private readonly rules: OutcomeRules;
  /** What the step functions (`stepDriver`) use of this engine. */
  private readonly driver: StepDriver;

  constructor(private readonly options: SessionEngineOptions) {
    this.rules = { types: options.types, settings: () => this.settings };
    this.driver = { options, rules: this.rules, commit: (work) => this.commit(work) };
  }

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
    const prepared = prepareSession(this.options.types, this.settings, input, parent);
    const session = await this.commit((transitions) => createSession(transitions, prepared));
    return session;
  }

  /**
   * Plan Session: records a session that has not started (`planned`), with an optional scheduled
   * time and expected duration. Nothing runs until {@link startPlanned}.
   */
  async plan(input: PlanSessionInput): Promise<Session> {
    const prepared = prepareSession(this.options.types, this.settings, input, undefined);
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
    return this.locks.run(sessionId, () => nextStep(this.driver, sessionId, options));
  }

  /** Records the result of the pending interaction (validated) and applies the step's decision atomically. */
  async recordResult(sessionId: string, interactionId: string, result: unknown): Promise<Session> {
    const parsed = parseWith(InteractionResultInputSchema, result, 'result');
    return this.locks.run(sessionId, () => recordStepResult(this.driver, sessionId, interactionId, parsed));
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
    return this.changeStatus(sessionId, (transitions, session) => failSession(transitions, session, reason));
  }

  /** Ends a session the person considers done (freeform); with summaries on, it goes to the summary step first. */
  complete(sessionId: string): Promise<Session> {
    return this.changeStatus(sessionId, (transitions, session) => {
      transitions.closePending(session.id, 'cancelled', 'The session was completed by request.', true);
      return applyCompletion(this.rules, transitions, session, session.state, 'completed by request');
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
      const recorded = recordOutcome(transitions, session, parsed, 'person');
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
      const checked = recordProgressChecks(transitions, session, parsed, 'person');
      return completeOnCriteria(this.rules, transitions, checked);
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
      const { gate, state } = closeGate(transitions, session, { state: 'approved', by, comment: null });
      if ('complete' in gate.then) return applyCompletion(this.rules, transitions, session, state, `the ${gate.step} step was approved`);
      return transitions.update(session, { state, phase: gate.then.phase });
    });
  }

  /** Request Changes at a review gate: the same step is asked again, with `comment` in its prompt. */
  async requestChanges(sessionId: string, comment: string, by: string): Promise<Session> {
    const text = parseWith(z.string().trim().min(1, 'say what to change').max(20_000), comment, 'review comment');
    return this.changeStatus(sessionId, (transitions, session) => {
      const { gate, state } = closeGate(transitions, session, { state: 'changes_requested', by, comment: text });
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

  private changeStatus(sessionId: string, change: (transitions: TransitionRecorder, session: Session) => Session): Promise<Session> {
    return this.locks.run(sessionId, () => this.commit((transitions) => change(transitions, transitions.tx.sessions.require(sessionId))));
  }

  /** Runs `work` in one transaction; once durable, mirrors `state.json` and settles parents of ended children. */
  private async commit<T>(work: (transitions: TransitionRecorder) => T): Promise<T> {
    let changed: Session[] = [];
    const value = await this.options.store.transaction((tx: EngineTransaction) => {
      const transitions = new TransitionRecorder(tx);
      const result = work(transitions);
      changed = [...transitions.changed.values()];
      return result;
    });
    for (const session of changed) {
      await mirrorStateFile(this.options, session);
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

  /** When every child of a pending spawn command has ended, records the spawn's result on the parent. */
  private async settleParent(parentId: string): Promise<void> {
    const { store } = this.options;
    for (const spawn of store.interactions.listPending(parentId).filter((pending) => pending.command.kind === 'spawn_sessions')) {
      const childIds = spawn.command.metadata.childSessionIds;
      const children = (Array.isArray(childIds) ? childIds : []).map((id) => store.sessions.require(String(id)));
      if (children.length === 0 || children.some((child) => !isTerminalSessionStatus(child.status))) {
        continue;
      }
      const result = spawnResult(store, children);
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
