import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');

export interface ManifestSetting {
  type: string;
  enum?: unknown[];
  enumDescriptions?: unknown[];
  description?: string;
  markdownDescription?: string;
  order?: unknown;
  scope?: string;
}

export interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string };
  completionEvents: string[];
}

/** The parts of package.json these tests read. */
export interface Manifest {
  name: string;
  publisher: string;
  displayName: string;
  description: string;
  capabilities?: { untrustedWorkspaces?: { description?: string } };
  contributes: {
    commands: { command: string; title: string; category?: string; shortTitle?: string }[];
    viewsContainers?: Record<string, { id: string; title: string }[]>;
    views?: Record<string, { id: string; name: string; contextualTitle?: string }[]>;
    viewsWelcome?: { view: string; contents: string }[];
    walkthroughs?: { id: string; title: string; description: string; steps: WalkthroughStep[] }[];
    configuration: { title: string; properties: Record<string, ManifestSetting> };
  };
}

/** package.json and package.nls.json as they are on disk now. */
export function readManifest(): { pkg: Manifest; nls: Record<string, unknown> } {
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
