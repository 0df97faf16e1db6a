import { z } from 'zod';
import { EpochMillisSchema, UuidSchema } from './json';

/** Well-known kinds; workflows may use others. */
export const KNOWN_ARTIFACT_KINDS = ['spec', 'plan', 'research', 'design', 'docs', 'file'] as const;

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
