import { createHash, randomUUID } from 'node:crypto';
import { InteractionResultInputSchema, type Interaction, type InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import {
  SessionGoalSchema,
  SessionOutcomeInputSchema,
  type ExecutionMode,
  type Provider,
  type Session,
  type SessionCreateInput,
  type SessionGoal,
  type SessionListFilter,
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
    for (const session of listAll(store, { status: 'active' })) {
      if (session.executionMode === 'agentic' && !reasons.has(session.id))
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
    let decision;
    try {
      decision = await this.behaviourFor(session).getCommand(session, this.historyOf(session), this.contextFor(session, options.input));
    } catch (error) {
      const failed = await this.commit((transitions) =>
        this.failSession(
          transitions,
          transitions.tx.sessions.require(sessionId),
          `The ${session.phase} step could not produce a command: ${messageOf(error)}`,
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
          `The ${spec.step} step cannot spawn its sessions: ${messageOf(error)}`,
        ),
      );
      return { kind: 'stopped', session: failed };
    }
    const metadata: JsonObject = { ...(spec.metadata ?? {}) };
    if (spec.kind === 'claude') {
      metadata.system = composeSystemPrompt(session, spec.system);
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
        command: spec.command,
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
      outcome = await this.behaviourFor(session).handleResult(session, interaction, result, context);
    } catch (error) {
      outcome = {
        status: 'failed',
        failureReason: `The ${interaction.command.step} step could not handle its result: ${messageOf(error)}`,
      };
    }
    let written: WrittenFile[] = [];
    try {
      written = await this.writeFiles(session, outcome);
    } catch (error) {
      outcome = { state: outcome.state, status: 'failed', failureReason: `Could not write the step's files: ${messageOf(error)}` };
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
      });
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
        return transitions.update(session, patch);
    }
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
        provider: input.provider ?? parent?.provider,
        executionMode: input.executionMode ?? parent?.executionMode,
        environment: parent?.environment,
        workingDir: input.workingDir ?? parent?.workingDir ?? null,
        workspaceFolder: input.workspaceFolder ?? parent?.workspaceFolder ?? null,
        tags: [...(input.tags ?? [])],
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
            const cost = `$${c.costUsd.toFixed(4)}${c.costUnknown ? ' + unknown' : ''}`;
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

/** Every session matching `filter` (the store pages its lists). */
function listAll(store: EngineStore, filter: Omit<SessionListFilter, 'limit' | 'offset'>): Session[] {
  const page = 1000;
  const all: Session[] = [];
  for (let offset = 0; ; offset += page) {
    const sessions = store.sessions.list({ ...filter, limit: page, offset });
    all.push(...sessions);
    if (sessions.length < page) return all;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
