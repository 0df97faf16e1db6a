import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');

/** package.json and package.nls.json as they are on disk now. */
export function readManifest(): { pkg: any; nls: Record<string, unknown> } {
  return {
    pkg: JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')),
    nls: JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')),
  };
}

export const NLS_PLACEHOLDER = /^%([^%\s]+)%$/;

/** A manifest string as people see it: a `%key%` looked up in package.nls.json. */
export function localize(nls: Record<string, unknown>, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const key = NLS_PLACEHOLDER.exec(value)?.[1];
  if (key === undefined) return value;
  const text = nls[key];
  return typeof text === 'string' ? text : undefined;
}
