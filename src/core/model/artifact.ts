import { z } from 'zod';
import { EpochMillisSchema, UuidSchema } from './json';

/** Well-known kinds; workflows may use others. */
export const KNOWN_ARTIFACT_KINDS = ['spec', 'plan', 'research', 'design', 'docs', 'file'] as const;

/** A review gate's state of an artifact (migration 0011); null on an artifact that needs no review. */
export const ArtifactReviewStateSchema = z.enum(['provisional', 'approved', 'changes_requested']);
export type ArtifactReviewState = z.infer<typeof ArtifactReviewStateSchema>;

export const ArtifactReviewSchema = z
  .object({
    state: ArtifactReviewStateSchema,
    /** Who approved or asked for changes (null while provisional). */
    by: z.string().nullable(),
    /** When (null while provisional). */
    at: EpochMillisSchema.nullable(),
    /** What the reviewer asked to change. */
    comment: z.string().nullable(),
  })
  .strict();
export type ArtifactReview = z.infer<typeof ArtifactReviewSchema>;

/** A stored artifact: either a workspace-relative file (`path`) or inline `content`. */
export const ArtifactSchema = z.object({
  id: UuidSchema,
  sessionId: UuidSchema,
  /** Stable name within the session (`spec`, `plan`, `src/foo.ts`…); the newest live one wins. */
  key: z.string().min(1),
  kind: z.string().min(1),
  contentType: z.string().min(1),
  byteSize: z.number().int().nonnegative(),
  /** Lowercase hex sha-256 of the bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  path: z.string().nullable(),
  content: z.string().nullable(),
  createdAt: EpochMillisSchema,
  deletedAt: EpochMillisSchema.nullable(),
  /** Its review gate's state, or null when no gate waits on it. */
  review: ArtifactReviewSchema.nullable(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

/**
 * Input of `artifacts.put`. With inline `content` the store computes `byteSize` and `sha256`
 * (UTF-8); with a `path` the caller supplies them (the store does not read workspace files).
 */
export const ArtifactPutInputSchema = z
  .object({
    id: UuidSchema.optional(),
    sessionId: UuidSchema,
    key: z.string().min(1),
    kind: z.string().min(1),
    contentType: z.string().min(1).default('text/markdown'),
    content: z.string().optional(),
    path: z.string().min(1).optional(),
    byteSize: z.number().int().nonnegative().optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** `provisional`: a review gate waits on it. */
    review: ArtifactReviewSchema.nullable().optional(),
  })
  .strict()
  .refine((input) => (input.content === undefined) !== (input.path === undefined), {
    message: 'exactly one of "content" or "path" is required',
    path: ['content'],
  })
  .refine((input) => input.path === undefined || (input.byteSize !== undefined && input.sha256 !== undefined), {
    message: 'a path artifact needs "byteSize" and "sha256"',
    path: ['sha256'],
  });
export type ArtifactPutInput = z.input<typeof ArtifactPutInputSchema>;
