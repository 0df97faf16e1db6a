/**
 * The export file format: versioned JSON
 *
 *   { format: 'session-ledger', version: 1, exportedAt, sessions: [ { ...Session, interactions,
 *     events, runs, artifacts, notes, conversations: [ { ...Conversation, messages } ] } ] }
 *
 * Every record keeps its id, seq and timestamps. Written by ./ledgerExport.ts, read back by
 * ./ledgerImport.ts (validated by ./importValidation.ts).
 */
import { z } from 'zod';
import type { RedactionOptions } from './redaction';
import { ArtifactReviewSchema, ArtifactSchema } from '../model/artifact';
import { ConversationSchema, MessageSchema } from '../model/conversation';
import { LedgerEventSchema } from '../model/event';
import { InteractionSchema } from '../model/interaction';
import { NoteSchema } from '../model/note';
import { RunSchema } from '../model/run';
import { SessionOutcomeSchema, SessionProgressSchema, SessionSchema } from '../model/session';

export const EXPORT_FORMAT = 'session-ledger';
export const EXPORT_VERSION = 1;

export const ExportedConversationSchema = ConversationSchema.extend({ messages: z.array(MessageSchema) });
/** Notes of exports from before the important / follow-up flags read as unflagged. */
export const ExportedNoteSchema = NoteSchema.extend({ important: z.boolean().default(false), followUp: z.boolean().default(false) });
export const ExportedRunSchema = RunSchema.extend({
  modelAlias: z.string().nullable().default(null),
  phase: z.string().nullable().default(null),
});
export const ExportedArtifactSchema = ArtifactSchema.extend({ review: ArtifactReviewSchema.nullable().default(null) });
export const ExportedSessionSchema = SessionSchema.extend({
  // Exports from before these fields (migration 0010) read as an empty goal extension and no outcome.
  completionCriteria: z.array(z.string()).default([]),
  procedureNotes: z.string().default(''),
  outcome: SessionOutcomeSchema.nullable().default(null),
  // Exports from before migration 0011 read as never checked, runs without phase or alias, artifacts without review.
  progress: SessionProgressSchema.nullable().default(null),
  // Exports from before migration 0012 follow no session and were not planned; they started when
  // created (as the migration says of stored ones): `startedAt` absent reads as `createdAt`.
  followsSessionId: SessionSchema.shape.followsSessionId.default(null),
  scheduledAt: SessionSchema.shape.scheduledAt.default(null),
  expectedMinutes: SessionSchema.shape.expectedMinutes.default(null),
  startedAt: SessionSchema.shape.startedAt.optional(),
  interactions: z.array(InteractionSchema),
  events: z.array(LedgerEventSchema),
  runs: z.array(ExportedRunSchema),
  artifacts: z.array(ExportedArtifactSchema),
  notes: z.array(ExportedNoteSchema),
  conversations: z.array(ExportedConversationSchema),
});
export const LedgerExportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.number().int().nonnegative(),
  sessions: z.array(ExportedSessionSchema),
});
export type ExportedSession = z.infer<typeof ExportedSessionSchema>;
export type LedgerExport = z.infer<typeof LedgerExportSchema>;

/** How exported data is made fit to leave the machine. */
export interface ExportOptions {
  /** Absolute paths under a session's own `workspaceFolder` become relative to it; this folder is used for sessions without one. */
  workspaceFolder?: string | null;
  /** Keep absolute paths as they are (default: workspace-relative, the home directory as `~`). */
  absolutePaths?: boolean;
  /** The home directory written as `~` in paths outside the workspace (default: the current user's). */
  homeDir?: string | null;
  /** More secret patterns (the built-in ones always apply). */
  redaction?: RedactionOptions;
}

/** Parents before their children and a followed session before its follow-ups (an import inserts in file order). */
export function parentsFirst<T extends { id: string; parentSessionId: string | null; followsSessionId?: string | null }>(
  sessions: T[],
): T[] {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const ordered: T[] = [];
  const placed = new Set<string>();
  const place = (s: T): void => {
    if (placed.has(s.id)) return;
    placed.add(s.id);
    const parent = s.parentSessionId ? byId.get(s.parentSessionId) : undefined;
    if (parent) place(parent);
    const followed = s.followsSessionId ? byId.get(s.followsSessionId) : undefined;
    if (followed) place(followed);
    ordered.push(s);
  };
  sessions.forEach(place);
  return ordered;
}
