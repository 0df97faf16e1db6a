import { createHash } from 'node:crypto';
import {
  ArtifactPutInputSchema,
  ArtifactReviewSchema,
  ArtifactSchema,
  type Artifact,
  type ArtifactPutInput,
  type ArtifactReview,
  type ArtifactReviewState,
} from '../../model/artifact';
import { parseWith } from '../../model/validation';
import type { SqlRow } from '../ledgerDatabase';
import type { ArtifactsImport, ArtifactsReads, ArtifactsWrites } from '../repositoryApi';
import { NotFoundError, nullableNum, nullableText, num, text, type RepositoryContext } from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

function rowToArtifact(row: SqlRow): Artifact {
  return {
    id: text(row, 'id'),
    sessionId: text(row, 'session_id'),
    key: text(row, 'key'),
    kind: text(row, 'kind'),
    contentType: text(row, 'content_type'),
    byteSize: num(row, 'byte_size'),
    sha256: text(row, 'sha256'),
    path: nullableText(row, 'path'),
    content: nullableText(row, 'content'),
    createdAt: num(row, 'created_at'),
    deletedAt: nullableNum(row, 'deleted_at'),
    review: rowToReview(row),
  };
}

function rowToReview(row: SqlRow): Artifact['review'] {
  const state = nullableText(row, 'review_state');
  if (state === null) return null;
  return {
    state: state as ArtifactReviewState,
    by: nullableText(row, 'reviewed_by'),
    at: nullableNum(row, 'reviewed_at'),
    comment: nullableText(row, 'review_comment'),
  };
}

const reviewValues = (review: Artifact['review']) => [
  review?.state ?? null,
  review?.by ?? null,
  review?.at ?? null,
  review?.comment ?? null,
];

/** Artifacts (specs, plans, files…): inline content hashed by the store, or a workspace path. */
export class ArtifactRepository implements ArtifactsReads, ArtifactsWrites, ArtifactsImport {
  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): Artifact | undefined {
    const row = this.context.db.get('SELECT * FROM artifacts WHERE id = ?', [id]);
    return row ? rowToArtifact(row) : undefined;
  }

  getByKey(sessionId: string, key: string): Artifact | undefined {
    const row = this.context.db.get(
      'SELECT * FROM artifacts WHERE session_id = ? AND key = ? AND deleted_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1',
      [sessionId, key],
    );
    return row ? rowToArtifact(row) : undefined;
  }

  list(sessionId: string, options: { includeDeleted?: boolean } = {}): Artifact[] {
    const live = options.includeDeleted ? '' : 'AND deleted_at IS NULL';
    return this.context.db
      .all(`SELECT * FROM artifacts WHERE session_id = ? ${live} ORDER BY created_at, rowid`, [sessionId])
      .map(rowToArtifact);
  }

  put(input: ArtifactPutInput): Artifact {
    const parsed = parseWith(ArtifactPutInputSchema, input, 'artifact');
    this.sessions.require(parsed.sessionId);
    const bytes = parsed.content === undefined ? undefined : Buffer.from(parsed.content, 'utf8');
    const artifact: Artifact = {
      id: parsed.id ?? this.context.newId(),
      sessionId: parsed.sessionId,
      key: parsed.key,
      kind: parsed.kind,
      contentType: parsed.contentType,
      byteSize: bytes ? bytes.length : parsed.byteSize!,
      sha256: bytes ? createHash('sha256').update(bytes).digest('hex') : parsed.sha256!,
      path: parsed.path ?? null,
      content: parsed.content ?? null,
      createdAt: this.context.nowMillis(),
      deletedAt: null,
      review: parsed.review ?? null,
    };
    this.context.db.run(
      'INSERT INTO artifacts (id, session_id, key, kind, content_type, byte_size, sha256, path, content, created_at, review_state, reviewed_by, reviewed_at, review_comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        artifact.id,
        artifact.sessionId,
        artifact.key,
        artifact.kind,
        artifact.contentType,
        artifact.byteSize,
        artifact.sha256,
        artifact.path,
        artifact.content,
        artifact.createdAt,
        ...reviewValues(artifact.review),
      ],
    );
    this.context.changed(artifact.sessionId, 'artifact');
    return artifact;
  }

  softDelete(id: string): Artifact {
    const current = this.get(id);
    if (!current) throw new NotFoundError('artifact', id);
    if (current.deletedAt !== null) return current;
    const deletedAt = this.context.nowMillis();
    this.context.db.run('UPDATE artifacts SET deleted_at = ? WHERE id = ?', [deletedAt, id]);
    this.context.changed(current.sessionId, 'artifact');
    return { ...current, deletedAt };
  }

  /** Records a review gate's decision (or marks the artifact provisional again); the caller records the event. */
  setReview(id: string, review: ArtifactReview): Artifact {
    const parsed = parseWith(ArtifactReviewSchema, review, 'artifact review');
    const current = this.get(id);
    if (!current) throw new NotFoundError('artifact', id);
    this.context.db.run('UPDATE artifacts SET review_state = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ? WHERE id = ?', [
      ...reviewValues(parsed),
      id,
    ]);
    this.context.changed(current.sessionId, 'artifact');
    return { ...current, review: parsed };
  }

  insertImported(artifact: Artifact): void {
    const a = parseWith(ArtifactSchema, artifact, 'imported artifact');
    this.context.db.run(
      'INSERT INTO artifacts (id, session_id, key, kind, content_type, byte_size, sha256, path, content, created_at, deleted_at, review_state, reviewed_by, reviewed_at, review_comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        a.id,
        a.sessionId,
        a.key,
        a.kind,
        a.contentType,
        a.byteSize,
        a.sha256,
        a.path,
        a.content,
        a.createdAt,
        a.deletedAt,
        ...reviewValues(a.review),
      ],
    );
    this.context.changed(a.sessionId, 'artifact');
  }
}
