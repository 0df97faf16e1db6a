import { randomUUID } from 'node:crypto';
import type { Interaction } from '../model/interaction';
import type { JsonValue } from '../model/json';
import type { Session, SessionUpdate } from '../model/session';
import { isTerminalSessionStatus, type SessionStatus } from '../model/sessionStatus';
import type { EngineTransaction } from '../store/ports';
import { ENGINE_EVENT, type EngineEventType } from './engineEvents';

/** The reason recorded on a child paused because its parent was; resuming the parent resumes exactly those children. */
export const PAUSED_WITH_PARENT = 'its parent session was paused';

/**
 * Writes inside one store transaction that keep the log honest: every status and phase change
 * is an event. `changed` collects the sessions touched, so the engine can mirror `state.json`
 * and settle parents once the transaction is durable. Which transitions are allowed is decided
 * by the rules in model/sessionStatus.ts (the repository checks them); this only records.
 */
export class TransitionRecorder {
  readonly changed = new Map<string, Session>();

  constructor(readonly tx: EngineTransaction) {}

  event(sessionId: string, type: EngineEventType, payload: JsonValue, interactionId: string | null = null): void {
    this.tx.events.append({ id: randomUUID(), sessionId, type, payload, interactionId });
  }

  /** Applies `patch`; status and phase changes get their events (`reason` goes with the status event). */
  update(session: Session, patch: SessionUpdate, reason?: string): Session {
    const next = this.tx.sessions.update(session.id, patch);
    if (next.phase !== session.phase) {
      this.event(session.id, ENGINE_EVENT.phaseChanged, { from: session.phase, to: next.phase });
    }
    if (next.status !== session.status) {
      this.event(session.id, ENGINE_EVENT.statusChanged, { from: session.status, to: next.status, reason: reason ?? null });
    }
    this.changed.set(next.id, next);
    return next;
  }

  /**
   * Moves a session to `status`. A paused or interrupted session whose last command completed it
   * passes through `active` (the transition table only completes active sessions). Ending a
   * session ends its pending commands and its unfinished children.
   */
  setStatus(session: Session, status: SessionStatus, reason?: string, patch: SessionUpdate = {}): Session {
    let current = session;
    if ((current.status === 'paused' || current.status === 'interrupted') && status === 'complete') {
      current = this.update(current, { status: 'active' }, 'its last command completed it');
    }
    const next = this.update(current, { ...patch, status }, reason);
    if (isTerminalSessionStatus(status) && !isTerminalSessionStatus(session.status)) {
      this.closePending(next.id, 'cancelled', `The session ended (${status}).`, true);
      this.endChildren(next, status);
    }
    return next;
  }

  /** Records a final result on the session's pending interactions (spawn commands only when asked). */
  closePending(sessionId: string, status: 'cancelled' | 'interrupted', message: string, includeSpawn: boolean): Interaction[] {
    const closed: Interaction[] = [];
    for (const pending of this.tx.interactions.listPending(sessionId)) {
      if (pending.command.kind === 'spawn_sessions' && !includeSpawn) {
        continue;
      }
      closed.push(this.tx.interactions.setResult(pending.id, { status, errorMessage: message }));
      this.event(sessionId, ENGINE_EVENT.resultRecorded, { seq: pending.seq, step: pending.command.step, status }, pending.id);
    }
    return closed;
  }

  /**
   * Pauses the active children of a paused session (and theirs): their runner stopped with the
   * parent's, so they must not stay `active` with nothing running them.
   */
  pauseChildren(parent: Session): void {
    for (const child of this.tx.sessions.children(parent.id)) {
      if (child.status === 'active') {
        this.pauseChildren(this.update(child, { status: 'paused' }, PAUSED_WITH_PARENT));
      }
    }
  }

  /** Resumes the children that {@link pauseChildren} paused; a child paused on its own (or for its own budget or error) stays paused. */
  resumeChildren(parent: Session): void {
    for (const child of this.tx.sessions.children(parent.id)) {
      if (child.status === 'paused' && this.lastStatusReason(child.id) === PAUSED_WITH_PARENT) {
        this.resumeChildren(this.update(child, { status: 'active' }, 'its parent session was resumed'));
      }
    }
  }

  private lastStatusReason(sessionId: string): string | null {
    // The events are paged oldest first: read to the end (a page at a time) for the latest change.
    const PAGE = 1000;
    let last: { payload: unknown } | undefined;
    for (let after = 0, page = PAGE; page === PAGE;) {
      const changes = this.tx.events.list(sessionId, { type: ENGINE_EVENT.statusChanged, after, limit: PAGE });
      page = changes.length;
      if (page > 0) {
        last = changes[page - 1];
        after = changes[page - 1]!.seq;
      }
    }
    const reason = (last?.payload as { reason?: unknown } | null | undefined)?.reason;
    return typeof reason === 'string' ? reason : null;
  }

  private endChildren(parent: Session, parentStatus: SessionStatus): void {
    for (const child of this.tx.sessions.children(parent.id)) {
      if (!isTerminalSessionStatus(child.status)) {
        this.setStatus(child, 'cancelled', `its parent session ended (${parentStatus})`);
      }
    }
  }
}
