import { createHash, randomUUID } from 'node:crypto';
import { ArtifactPutInputSchema, type Artifact } from '../../../../src/core/model/artifact';
import { EventAppendInputSchema, type LedgerEvent } from '../../../../src/core/model/event';
import { InteractionAppendInputSchema, InteractionResultInputSchema, type Interaction } from '../../../../src/core/model/interaction';
import { NoteAddInputSchema, type Note } from '../../../../src/core/model/note';
import { SessionCreateInputSchema, SessionUpdateSchema, type Session, type SessionListFilter } from '../../../../src/core/model/session';
import { assertSessionTransition, isTerminalSessionStatus } from '../../../../src/core/model/sessionStatus';
import { parseWith } from '../../../../src/core/model/validation';
import type { EngineStore, EngineTransaction } from '../../../../src/core/engine/EngineStore';

interface Tables {
  sessions: Map<string, Session>;
  interactions: Map<string, Interaction>;
  events: LedgerEvent[];
  artifacts: Artifact[];
  notes: Note[];
}

/**
 * A test double of the part of `SessionStore` the engine uses: same validation (the model's zod
 * schemas), status transition table, contiguous seqs, and all-or-nothing transactions whose
 * promise resolves a tick later (as a durable commit would). Not a store: no persistence.
 */
export class InMemoryEngineStore implements EngineStore {
  private tables: Tables = { sessions: new Map(), interactions: new Map(), events: [], artifacts: [], notes: [] };
  private clock = 1_700_000_000_000;
  transactionCount = 0;

  readonly sessions: EngineStore['sessions'] = {
    get: (id) => this.tables.sessions.get(id),
    require: (id) => this.requireSession(id),
    list: (filter?: SessionListFilter) => {
      const statuses = filter?.status === undefined ? undefined : [filter.status].flat();
      return [...this.tables.sessions.values()].filter((s) => statuses === undefined || statuses.includes(s.status)).slice(0, filter?.limit ?? 100);
    },
    children: (parentId) => [...this.tables.sessions.values()].filter((s) => s.parentSessionId === parentId),
  };

  readonly interactions: EngineStore['interactions'] = {
    get: (id) => this.tables.interactions.get(id),
    list: (sessionId, options) =>
      this.interactionsOf(sessionId)
        .filter((i) => i.seq > (options?.after ?? 0))
        .slice(0, options?.limit ?? 200),
    listPending: (sessionId) => [...this.tables.interactions.values()].filter((i) => i.result.status === 'pending' && (sessionId === undefined || i.sessionId === sessionId)),
  };

  get events(): readonly LedgerEvent[] {
    return this.tables.events;
  }
  get artifacts(): readonly Artifact[] {
    return this.tables.artifacts;
  }
  get notes(): readonly Note[] {
    return this.tables.notes;
  }

  eventsOf(sessionId: string): LedgerEvent[] {
    return this.tables.events.filter((e) => e.sessionId === sessionId);
  }

  interactionsOf(sessionId: string): Interaction[] {
    return [...this.tables.interactions.values()].filter((i) => i.sessionId === sessionId).sort((a, b) => a.seq - b.seq);
  }

  async transaction<T>(work: (tx: EngineTransaction) => T): Promise<T> {
    const before = structuredClone(this.tables);
    let value: T;
    try {
      value = work(this.transactionApi());
    } catch (error) {
      this.tables = before;
      throw error;
    }
    this.transactionCount++;
    await new Promise((resolve) => setImmediate(resolve));
    return value;
  }

  private now(): number {
    return ++this.clock;
  }

  private requireSession(id: string): Session {
    const session = this.tables.sessions.get(id);
    if (session === undefined) {
      throw new Error(`No session ${id}`);
    }
    return session;
  }

  private transactionApi(): EngineTransaction {
    const reads = { sessions: this.sessions, interactions: this.interactions };
    return {
      sessions: {
        ...reads.sessions,
        count: () => this.tables.sessions.size,
        create: (input) => {
          const parsed = parseWith(SessionCreateInputSchema, input, 'session');
          const now = this.now();
          const session: Session = {
            ...parsed,
            id: parsed.id ?? randomUUID(),
            parentSessionId: parsed.parentSessionId ?? null,
            slug: parsed.slug ?? parsed.title.toLowerCase().replace(/\W+/g, '-'),
            inputTokens: 0,
            outputTokens: 0,
            cacheCreationTokens: 0,
            cacheReadTokens: 0,
            totalCostUsd: 0,
            interactionCount: 0,
            eventCount: 0,
            lastEventAt: null,
            createdAt: now,
            updatedAt: now,
            endedAt: null,
            deletedAt: null,
          };
          this.tables.sessions.set(session.id, session);
          return session;
        },
        update: (id, patch) => {
          const parsed = parseWith(SessionUpdateSchema, patch, 'session update');
          const current = this.requireSession(id);
          if (parsed.status !== undefined) {
            assertSessionTransition(current.status, parsed.status, id);
          }
          const ended = parsed.status !== undefined && isTerminalSessionStatus(parsed.status) && current.endedAt === null;
          const next: Session = { ...current, ...parsed, updatedAt: this.now(), endedAt: ended ? this.clock : current.endedAt };
          this.tables.sessions.set(id, next);
          return next;
        },
        softDelete: () => {
          throw new Error('not used by the engine');
        },
        restore: () => {
          throw new Error('not used by the engine');
        },
      },
      interactions: {
        ...reads.interactions,
        getBySeq: (sessionId, seq) => this.interactionsOf(sessionId).find((i) => i.seq === seq),
        latest: (sessionId) => this.interactionsOf(sessionId).at(-1),
        append: (input) => {
          const parsed = parseWith(InteractionAppendInputSchema, input, 'interaction');
          const session = this.requireSession(parsed.sessionId);
          const interaction: Interaction = {
            id: parsed.id ?? randomUUID(),
            sessionId: parsed.sessionId,
            seq: session.interactionCount + 1,
            command: { step: parsed.step, kind: parsed.kind, command: parsed.command, metadata: parsed.metadata },
            commandAtMicros: this.now() * 1000,
            result: { status: 'pending', exitCode: null, output: null, data: null, errorMessage: null, durationMs: null, completedAt: null },
          };
          this.tables.interactions.set(interaction.id, interaction);
          this.tables.sessions.set(session.id, { ...session, interactionCount: interaction.seq });
          return interaction;
        },
        setResult: (id, input) => {
          const parsed = parseWith(InteractionResultInputSchema, input, 'result');
          const current = this.tables.interactions.get(id);
          if (current === undefined || current.result.status !== 'pending') {
            throw new Error(`Interaction ${id} is not pending`);
          }
          const next: Interaction = { ...current, result: { ...parsed, completedAt: this.now() } };
          this.tables.interactions.set(id, next);
          return next;
        },
      },
      events: {
        get: (id) => this.tables.events.find((e) => e.id === id),
        list: (sessionId) => this.eventsOf(sessionId),
        lastSeq: (sessionId) => this.eventsOf(sessionId).length,
        append: (input) => {
          const parsed = parseWith(EventAppendInputSchema, input, 'event');
          const existing = this.tables.events.find((e) => e.id === parsed.id);
          if (existing !== undefined) {
            return existing;
          }
          const event: LedgerEvent = { ...parsed, seq: this.eventsOf(parsed.sessionId).length + 1, ts: parsed.ts ?? this.now() };
          this.tables.events.push(event);
          return event;
        },
      },
      artifacts: {
        get: (id) => this.tables.artifacts.find((a) => a.id === id),
        getByKey: (sessionId, key) => this.tables.artifacts.filter((a) => a.sessionId === sessionId && a.key === key).at(-1),
        list: (sessionId) => this.tables.artifacts.filter((a) => a.sessionId === sessionId),
        put: (input) => {
          const parsed = parseWith(ArtifactPutInputSchema, input, 'artifact');
          const bytes = Buffer.from(parsed.content ?? '', 'utf8');
          const artifact: Artifact = {
            id: parsed.id ?? randomUUID(),
            sessionId: parsed.sessionId,
            key: parsed.key,
            kind: parsed.kind,
            contentType: parsed.contentType,
            byteSize: parsed.byteSize ?? bytes.byteLength,
            sha256: parsed.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
            path: parsed.path ?? null,
            content: parsed.content ?? null,
            createdAt: this.now(),
            deletedAt: null,
          };
          this.tables.artifacts.push(artifact);
          return artifact;
        },
        softDelete: () => {
          throw new Error('not used by the engine');
        },
      },
      notes: {
        get: (id) => this.tables.notes.find((n) => n.id === id),
        list: (sessionId) => this.tables.notes.filter((n) => n.sessionId === sessionId),
        add: (input) => {
          const parsed = parseWith(NoteAddInputSchema, input, 'note');
          const note: Note = { ...parsed, id: parsed.id ?? randomUUID(), createdAt: this.now() };
          this.tables.notes.push(note);
          return note;
        },
      },
    };
  }
}
