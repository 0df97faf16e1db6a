import { lstat, realpath } from 'node:fs/promises';
import * as path from 'node:path';

/** A tool call the agent got wrong or may not make. Its message goes back to the model as the tool result. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/**
 * Resolves `requested` (relative to `root`, or absolute) to a real path inside `root`, following
 * symlinks. `..` segments, absolute paths elsewhere and symlinks (also dangling ones) that lead out
 * of the root are refused. The path itself need not exist (for writes); its existing ancestor must
 * be inside the root.
 */
export async function resolveInsideRoot(root: string, requested: string): Promise<string> {
  return resolveAgainstRoot(path.resolve(root), await realpath(root), requested);
}

/**
 * {@link resolveInsideRoot} for a root whose real path is already known. A check of path strings
 * only: whoever opens the result must check the file it opened (see confinedFiles.ts), since the
 * tree can change between this check and the open.
 */
export async function resolveAgainstRoot(givenRoot: string, realRoot: string, requested: string): Promise<string> {
  if (typeof requested !== 'string' || requested.length === 0) throw new ToolError('A path is required.');
  if (requested.includes('\0')) throw new ToolError('The path contains a NUL character.');
  const target = path.resolve(givenRoot, requested);
  let candidate: string;
  if (isInside(givenRoot, target)) candidate = path.join(realRoot, path.relative(givenRoot, target));
  else if (isInside(realRoot, target)) candidate = target;
  else throw new ToolError(`Refused: "${requested}" is outside the workspace folder.`);
  const real = await realPathAllowingMissing(candidate);
  if (!isInside(realRoot, real)) {
    throw new ToolError(`Refused: "${requested}" leads outside the workspace folder through a symbolic link.`);
  }
  return real;
}

/** The path relative to the root, with forward slashes, for showing to the model. */
export function displayPath(realRoot: string, absolute: string): string {
  const relative = path.relative(realRoot, absolute);
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

async function realPathAllowingMissing(candidate: string): Promise<string> {
  try {
    return await realpath(candidate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Missing: it may still be a dangling symlink, whose target a write would create.
  const stat = await lstat(candidate).catch(() => undefined);
  if (stat?.isSymbolicLink()) {
    throw new ToolError(`Refused: "${path.basename(candidate)}" is a symbolic link to a missing target.`);
  }
  const parent = path.dirname(candidate);
  if (parent === candidate) return candidate;
  return path.join(await realPathAllowingMissing(parent), path.basename(candidate));
}
