/**
 * Finding (or creating) the ledger session that holds a Claude Code session's history: the
 * session whose `externalConversationId` is the Claude session id, else an imported session with
 * an id derived from the Claude session id (so two machines importing the same transcript agree).
 */
import { createHash } from 'node:crypto';
import type { Session } from '../model/session';
import type { StoreTransaction } from '../store/repositoryApi';

/** The session type of sessions created from Claude Code history. */
export const IMPORTED_SESSION_TYPE = 'claude-code';
export const IMPORTED_SESSION_TAGS = ['imported', 'claude-code'];

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A stable RFC 4122-shaped (version 5 style) uuid derived from `name`. */
export function stableUuid(name: string): string {
  const h = sha256Hex(name);
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function importedSessionId(claudeSessionId: string): string {
  return stableUuid(`claude-code-session:${claudeSessionId}`);
}

export interface ClaudeSessionDetails {
  /** First prompt, if known: becomes the title and intention. */
  firstPrompt?: string;
  cwd?: string | null;
  workspaceFolder?: string | null;
  /** When the Claude session began (epoch ms), if known: becomes the created session's `createdAt`. */
  startedAt?: number;
}

const TITLE_MAX = 80;

function titleOf(claudeSessionId: string, firstPrompt?: string): string {
  const line = firstPrompt
    ?.split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
  if (!line) return `Claude Code ${claudeSessionId.slice(0, 8)}`;
  return line.length > TITLE_MAX ? line.slice(0, TITLE_MAX - 1) + '…' : line;
}

/**
 * Resolves Claude session ids to ledger sessions within one transaction. Built once per ingest
 * or import run: it indexes every session (deleted ones too, so a soft-deleted session is not
 * silently duplicated) by its external conversation id.
 */
export class ClaudeSessionResolver {
  private readonly byConversation = new Map<string, string>();
  private readonly createdIds: string[] = [];

  constructor(sessions: readonly Session[]) {
    for (const s of sessions) {
      if (s.externalConversationId && !this.byConversation.has(s.externalConversationId)) {
        this.byConversation.set(s.externalConversationId, s.id);
      }
    }
  }

  /** Sessions created through {@link resolve} so far. */
  get created(): readonly string[] {
    return this.createdIds;
  }

  /** The ledger session id for `claudeSessionId`, creating an imported (complete) session when there is none. */
  resolve(tx: StoreTransaction, claudeSessionId: string, details: ClaudeSessionDetails = {}): string {
    const known = this.byConversation.get(claudeSessionId);
    if (known) return known;
    const id = importedSessionId(claudeSessionId);
    if (!tx.sessions.get(id)) {
      tx.sessions.create({
        id,
        type: IMPORTED_SESSION_TYPE,
        title: titleOf(claudeSessionId, details.firstPrompt),
        intention: details.firstPrompt ?? '',
        provider: 'claude-code-cli',
        environment: 'local',
        executionMode: 'manual',
        status: 'complete',
        externalConversationId: claudeSessionId,
        workingDir: details.cwd ?? null,
        workspaceFolder: details.workspaceFolder ?? null,
        tags: IMPORTED_SESSION_TAGS,
        ...(details.startedAt !== undefined ? { createdAt: details.startedAt } : {}),
      });
      this.createdIds.push(id);
    }
    this.byConversation.set(claudeSessionId, id);
    return id;
  }
}
