import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SessionStore } from './SessionStore';
import type { StampableStore } from './ports';

/**
 * Who a ledger belongs to. `canonicalPath` finds it while the folder stays where it is; `git` (the
 * repository's remote and the folder's path inside it) is what survives a move or a rename.
 */
export interface ProjectIdentity {
  /** The folder's real path (symbolic links resolved; lower-cased on Windows, whose paths ignore case). */
  readonly canonicalPath: string;
  readonly git?: GitIdentity;
}

export interface GitIdentity {
  /** The remote's address without credentials, scheme or `.git`: `github.com/owner/repo` (see {@link normalizeRemote}). */
  readonly remote: string;
  /** The folder's path inside the repository, `/`-separated; `.` for the repository's root. */
  readonly relativePath: string;
}

/** A project identity as stamped in a ledger (`ledger_meta`), with the id that stays with the ledger for life. */
export interface LedgerIdentity extends ProjectIdentity {
  readonly ledgerId: string;
}

/** Keys of `ledger_meta` (migration 0008). */
export const META_LEDGER_ID = 'ledger_id';
export const META_CANONICAL_PATH = 'canonical_path';
export const META_GIT_REMOTE = 'git_remote';
export const META_GIT_RELATIVE_PATH = 'git_relative_path';

/** The folder's real path: symbolic links resolved, lower-cased on Windows; the resolved path when it cannot be read. */
export function canonicalFolderPath(folder: string): string {
  let real: string;
  try {
    real = fs.realpathSync.native(folder);
  } catch {
    real = path.resolve(folder);
  }
  return process.platform === 'win32' ? real.toLowerCase() : real;
}

/** The identity of `folder`: its canonical path and, inside a git repository with a remote, the remote and its path there. */
export function projectIdentity(folder: string): ProjectIdentity {
  const canonicalPath = canonicalFolderPath(folder);
  const git = readGitIdentity(canonicalPath);
  return git ? { canonicalPath, git } : { canonicalPath };
}

/**
 * The git identity of `folder`, read from the repository's files (no `git` process): the nearest
 * `.git` directory or file (worktrees and submodules point to their git directory with a
 * `gitdir:` line), the `config` of its common directory, the url of the remote `origin` (else of
 * the first remote). Undefined outside a repository, without a remote, or when a file is unreadable.
 */
export function readGitIdentity(folder: string): GitIdentity | undefined {
  try {
    for (let root = folder; ;) {
      const dotGit = path.join(root, '.git');
      if (fs.existsSync(dotGit)) {
        const gitDirectory = resolveGitDirectory(dotGit);
        if (!gitDirectory) return undefined;
        const url = remoteUrl(fs.readFileSync(path.join(commonDirectory(gitDirectory), 'config'), 'utf8'));
        if (!url) return undefined;
        const relative = path.relative(canonicalFolderPath(root), canonicalFolderPath(folder)).split(path.sep).join('/');
        return { remote: normalizeRemote(url), relativePath: relative === '' ? '.' : relative };
      }
      const parent = path.dirname(root);
      if (parent === root) return undefined;
      root = parent;
    }
  } catch {
    return undefined; // An unreadable repository is a folder without a lasting identity, not an error.
  }
}

/** `.git` is the git directory, or a file whose `gitdir: <path>` line names it (relative to the file's folder). */
function resolveGitDirectory(dotGit: string): string | undefined {
  if (fs.statSync(dotGit).isDirectory()) return dotGit;
  const match = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
  return match ? path.resolve(path.dirname(dotGit), match[1]!) : undefined;
}

/** A worktree's git directory names the repository's shared one in its `commondir` file. */
function commonDirectory(gitDirectory: string): string {
  const file = path.join(gitDirectory, 'commondir');
  if (!fs.existsSync(file)) return gitDirectory;
  return path.resolve(gitDirectory, fs.readFileSync(file, 'utf8').trim());
}

/** The url of `[remote "origin"]` in a git config text, else of the first remote with a url. */
export function remoteUrl(config: string): string | undefined {
  const urls = new Map<string, string>();
  let remote: string | undefined;
  for (const rawLine of config.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([\w.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (section) {
      remote = section[1]!.toLowerCase() === 'remote' ? section[2] : undefined;
      continue;
    }
    const entry = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
    if (remote !== undefined && entry && entry[1]!.toLowerCase() === 'url' && !urls.has(remote)) {
      const value = entry[2]!
        .replace(/\s[#;].*$/, '')
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (value) urls.set(remote, value);
    }
  }
  return urls.get('origin') ?? urls.values().next().value;
}

/**
 * A remote's address as one comparable string, with nothing secret in it: `https://user:token@GitHub.com/o/r.git`,
 * `ssh://git@github.com:22/o/r` and `git@github.com:o/r.git` all become `github.com/o/r`. Local paths
 * (`/srv/r.git`, `file:///srv/r`) become `file:/srv/r`.
 */
export function normalizeRemote(url: string): string {
  const strip = (p: string) =>
    p
      .replace(/\/+$/, '')
      .replace(/\.git$/i, '')
      .replace(/^\/+/, '');
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/.exec(url);
  if (scp && !/^[a-zA-Z]:[\\/]/.test(url)) return `${scp[1]!.toLowerCase()}/${strip(scp[2]!)}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return `file:/${strip(decodeURIComponent(parsed.pathname))}`;
    return `${parsed.hostname.toLowerCase()}/${strip(decodeURIComponent(parsed.pathname))}`;
  } catch {
    return `file:/${strip(url.split(path.sep).join('/'))}`;
  }
}

/** Whether two identities name the same folder by what survives a move (the same remote and path inside it). */
export function sameGitIdentity(a: GitIdentity | undefined, b: GitIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.remote === b.remote && a.relativePath === b.relativePath;
}

/** The identity a ledger holds in `ledger_meta` (its id undefined when it was never stamped). */
export function readLedgerIdentity(store: Pick<SessionStore, 'ledgerMeta'>): Partial<LedgerIdentity> {
  const meta = store.ledgerMeta.all();
  const git =
    meta[META_GIT_REMOTE] !== undefined && meta[META_GIT_RELATIVE_PATH] !== undefined
      ? { remote: meta[META_GIT_REMOTE], relativePath: meta[META_GIT_RELATIVE_PATH] }
      : undefined;
  return { ledgerId: meta[META_LEDGER_ID], canonicalPath: meta[META_CANONICAL_PATH], ...(git ? { git } : {}) };
}

/**
 * Writes `project` into the ledger — one journalled transaction, only what changed (nothing when it
 * already says so) — and gives the ledger an id if it has none. A read-only store is left as it is;
 * its id is then what it holds (undefined if never stamped).
 */
export async function stampLedgerIdentity(store: StampableStore, project: ProjectIdentity): Promise<Partial<LedgerIdentity>> {
  const held = readLedgerIdentity(store);
  if (store.readOnly) return held;
  const ledgerId = held.ledgerId ?? randomUUID();
  const wanted: Record<string, string | undefined> = {
    [META_LEDGER_ID]: ledgerId,
    [META_CANONICAL_PATH]: project.canonicalPath,
    [META_GIT_REMOTE]: project.git?.remote,
    [META_GIT_RELATIVE_PATH]: project.git?.relativePath,
  };
  const meta = store.ledgerMeta.all();
  const changes = Object.entries(wanted).filter(([key, value]) => value !== meta[key]);
  if (changes.length > 0) {
    await store.transaction((tx) => {
      for (const [key, value] of changes) {
        if (value === undefined) tx.ledgerMeta.remove(key);
        else tx.ledgerMeta.set(key, value);
      }
    });
  }
  return { ledgerId, canonicalPath: project.canonicalPath, ...(project.git ? { git: project.git } : {}) };
}
