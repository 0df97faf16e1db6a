/**
 * The hook command must not name the extension's install folder: that folder is versioned and
 * removed by an update, after which every hook fails and its events are lost. So the bundled
 * script is copied to a stable place (the extension's storage, beside the spool) when hooks are
 * connected and again at every activation while they are, and the command runs the copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../store/storeFiles';

/** The file name of the installed copy, in the storage folder. */
export const INSTALLED_HOOK_SCRIPT = 'hookSpool.js';

export type HookScriptInstall = 'installed' | 'updated' | 'unchanged';

export const installedHookScriptPath = (storageDir: string): string => path.join(storageDir, INSTALLED_HOOK_SCRIPT);

/**
 * Copies `source` (the bundled `dist/hookSpool.js`) to `target` unless `target` already has the
 * same bytes. Written through a temp file and a rename, so a hook starting at that moment runs
 * the old or the new script, never half of one.
 */
export function installHookScript(source: string, target: string): HookScriptInstall {
  let wanted: Buffer;
  try {
    wanted = fs.readFileSync(source);
  } catch (err) {
    throw new Error(
      `The Claude Code hook script ${source} is missing or unreadable (${(err as Error).message}); reinstall Session Ledger.`,
    );
  }
  let existing: Buffer | undefined;
  try {
    existing = fs.readFileSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing?.equals(wanted)) return 'unchanged';
  writeFileAtomic(target, wanted);
  return existing ? 'updated' : 'installed';
}
