import type { z } from 'zod';

/**
 * Thrown when untrusted input fails a schema. The message names every bad field by its path,
 * e.g. `Invalid session update: status: Invalid option: expected one of "active"|"paused"…`.
 * (Here so the webviews can use it; `src/core/model/validation` re-exports it.)
 */
export class ValidationError extends Error {
  constructor(
    readonly subject: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`Invalid ${subject}: ${issues.map(describeIssue).join('; ')}`);
    this.name = 'ValidationError';
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(value)';
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  }
  return `${path}: ${issue.message}`;
}
