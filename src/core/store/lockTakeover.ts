// The lock file's operations on disk (see lockFile.ts): creating it complete and atomically,
// judging whether its holder is gone, and taking a stale one over without racing another taker.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFully } from './storeFiles';

/** How the holder of a lock is described in {@link StoreLockedError}. */
export interface LockHolder {
  readonly pid: number;
  /** Missing in a lock file that could not be read. */
  readonly hostname?: string;
  /** Milliseconds since the holder last refreshed the lock file (its mtime). */
  readonly heartbeatAgeMs?: number;
  /** The lock file exists but cannot be read (empty or incomplete) and is too young to be judged stale. */
  readonly unreadable?: boolean;
}

/** Claims on one stale lock abandoned by takers that died mid-takeover before giving up. */
const MAX_CLAIMS = 64;

export interface LockContent {
  pid: number;
  hostname: string;
  acquiredAt: string;
  /** Set by holders that refresh the lock's mtime (older versions did not, so their locks are never judged by it). */
  heartbeatMs?: number;
  /** Unique per acquisition (older versions did not write it): tells our lock from a later one of the same process. */
  token?: string;
}

/** Which file a name pointed to: stable while any descriptor of the file stays open (the inode cannot be reused). */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** A lock (or claim) file as read through one open descriptor: identity, age and content belong to the same file. */
export interface OpenedLock {
  readonly fd: number;
  readonly identity: FileIdentity;
  readonly mtimeMs: number;
  readonly bytes: Buffer;
  /** Undefined when the file is empty, incomplete or not a lock. */
  readonly content: LockContent | undefined;
}

type Verdict = { readonly stale: false; readonly holder: LockHolder } | { readonly stale: true };

type Takeover =
  | { readonly kind: 'taken'; readonly identity: FileIdentity }
  | { readonly kind: 'held'; readonly holder: LockHolder }
  /** The lock file is no longer the one judged stale: look again. */
  | { readonly kind: 'changed' };

/** `link` errors that mean the filesystem has no hard links (FAT, some network shares): fall back to O_EXCL. */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** Whether process `pid` runs on this machine (EPERM: it does, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function identityOf(stats: fs.BigIntStats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino };
}

function parseLock(bytes: Buffer): LockContent | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<LockContent> | null;
    // pid 0 and negative pids address process groups in kill(): never a holder.
    return typeof parsed === 'object' && parsed !== null && Number.isSafeInteger(parsed.pid) && (parsed.pid as number) > 0
      ? (parsed as LockContent)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `fs.openSync`, or undefined when it fails with the error `code` (the file is missing, or exists). */
function openUnless(file: string, flags: string, code: 'ENOENT' | 'EEXIST'): number | undefined {
  try {
    return fs.openSync(file, flags);
  } catch (error) {
    if (errorCode(error) === code) return undefined;
    throw error;
  }
}

/** Opens `file` and reads it through that descriptor (the caller closes `fd`); undefined when it does not exist. */
export function openLock(file: string): OpenedLock | undefined {
  const fd = openUnless(file, 'r', 'ENOENT');
  if (fd === undefined) return undefined;
  try {
    const stats = fs.fstatSync(fd, { bigint: true });
    const bytes = Buffer.alloc(Math.min(Number(stats.size), 64 * 1024));
    let length = 0;
    while (length < bytes.length) {
      const read = fs.readSync(fd, bytes, length, bytes.length - length, length);
      if (read === 0) break;
      length += read;
    }
    const content = bytes.subarray(0, length);
    return { fd, identity: identityOf(stats), mtimeMs: Number(stats.mtimeMs), bytes: content, content: parseLock(content) };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone (or, on Windows, still open elsewhere): nothing more to do.
  }
}

/** Writes `content` to a new, uniquely named file next to `file` and fsyncs it. */
function writeTemporary(file: string, content: string): { temporary: string; identity: FileIdentity } {
  const temporary = `${file}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  const fd = fs.openSync(temporary, 'wx');
  try {
    writeFully(fd, Buffer.from(content, 'utf8'), 0);
    fs.fsyncSync(fd);
    return { temporary, identity: identityOf(fs.fstatSync(fd, { bigint: true })) };
  } catch (error) {
    unlinkQuietly(temporary);
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Creates `file` holding all of `content` from the instant it exists: a complete temporary file is
 * hard-linked to the name, and `link` fails with EEXIST when the name exists. Undefined when it exists.
 * Without hard links, O_EXCL creation and then the write: a reader may see the file empty for a moment,
 * which is why an unreadable lock is never taken over while young.
 */
export function createExclusively(file: string, content: string): FileIdentity | undefined {
  const { temporary, identity } = writeTemporary(file, content);
  try {
    fs.linkSync(temporary, file);
    return identity;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    if (!LINK_UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
  } finally {
    unlinkQuietly(temporary);
  }
  const fd = openUnless(file, 'wx', 'EEXIST');
  if (fd === undefined) return undefined;
  try {
    writeFully(fd, Buffer.from(content, 'utf8'), 0);
    fs.fsyncSync(fd);
    return identityOf(fs.fstatSync(fd, { bigint: true }));
  } catch (error) {
    // Still ours: nobody takes over a young unreadable file.
    unlinkQuietly(file);
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Whether the holder named in a lock (or takeover claim) file is gone. On this host: its pid is dead.
 * From another host (where the pid cannot be checked, e.g. a container restarted under a new hostname):
 * its heartbeat (mtime) is older than `staleAfterMs`; a lock of an older version, which has no heartbeat,
 * never is. A file that cannot be read may be one being created this very moment: it is held unless its
 * mtime is older than `staleAfterMs` (then it is the torn write of a holder that crashed).
 */
export function judge(lock: OpenedLock, staleAfterMs: number): Verdict {
  const ageMs = Date.now() - lock.mtimeMs;
  const content = lock.content;
  if (content === undefined) {
    return ageMs > staleAfterMs ? { stale: true } : { stale: false, holder: { pid: -1, heartbeatAgeMs: ageMs, unreadable: true } };
  }
  if (content.hostname === undefined || content.hostname === os.hostname()) {
    return isProcessAlive(content.pid) ? { stale: false, holder: { pid: content.pid, hostname: content.hostname } } : { stale: true };
  }
  if (content.heartbeatMs === undefined || ageMs <= staleAfterMs) {
    return { stale: false, holder: { pid: content.pid, hostname: content.hostname, heartbeatAgeMs: ageMs } };
  }
  return { stale: true };
}

/** `<lock>.takeover-<key>-<n>`: the n-th claim on the stale lock file `stale`, whose key hashes its dev, inode and bytes. */
function takeoverClaimPath(lockPath: string, stale: Pick<OpenedLock, 'identity' | 'bytes'>, n: number): string {
  const key = createHash('sha256').update(`${stale.identity.dev}:${stale.identity.ino}:`).update(stale.bytes).digest('hex').slice(0, 16);
  return `${lockPath}.takeover-${key}-${n}`;
}

/** For tests: the path of the `n`-th takeover claim on the lock file now at `lockPath`. */
export function takeoverClaimPathForTests(lockPath: string, n: number): string {
  const bytes = fs.readFileSync(lockPath);
  return takeoverClaimPath(lockPath, { identity: identityOf(fs.statSync(lockPath, { bigint: true })), bytes }, n);
}

/** Whether the name `file` still points to the file `identity` (kept open by the caller, so its inode is not reused). */
export function stillAt(file: string, identity: FileIdentity): boolean {
  try {
    return sameFile(identityOf(fs.lstatSync(file, { bigint: true })), identity);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

const CLAIM_NAME = /^takeover-[0-9a-f]{16}-\d+$/;

/**
 * Replaces the stale lock file `stale` (still open through `stale.fd`) with a new one holding `content`.
 *
 * Why no two processes ever both believe they hold the lock. The name `lockPath` only ever changes in
 * three ways: (1) `link` of a complete file, which succeeds only while the name is free; (2) the
 * holder's release, which unlinks the name only while it is still the holder's own file; (3) a takeover,
 * which `rename`s a complete file over the stale one, so the name is never free during a takeover and
 * a newcomer cannot slip in with (1). A file never comes back to the name once replaced or removed.
 * So exclusivity needs only this: a stale file F is replaced by at most one taker, and only while it
 * is still the file at the name.
 *
 * Takers of F agree on a key naming F (its dev, inode and bytes, hashed; the inode cannot be reused
 * while we keep F open) and compete for the claims `<lock>.takeover-<key>-0`, `-1`, …, each created
 * with (1)'s exclusive `link`. A taker goes on to claim n + 1 only when claim n exists and its taker
 * is gone (judged like a lock holder: dead pid here, stale age from another host); a live claimant
 * makes the others give up. A claim is deleted only by its own taker once it has stopped acting on F,
 * or, as a leftover, by a later holder once F is no longer at the name. Hence at most one live process
 * acts on F at any time. That process checks that the name still points to F (same dev and inode as
 * the descriptor it judged) and renames its file over it. Between the check and the rename the name
 * cannot change: F's holder is gone, so (2) cannot happen; the name is taken, so (1) cannot; and (3)
 * over F needs the one live claim on F, which is this process's. A claimant that comes after F left
 * the name fails the check and looks again. The old lock is not kept: it names a holder that is gone.
 *
 * This rests on the staleness judgement being right: a pid that is dead here is exact, while a
 * heartbeat from another host that stopped for `staleAfterMs` (a machine suspended that long) is a
 * timing assumption, the same one the lock has always made across hosts.
 */
export function takeOver(lockPath: string, stale: OpenedLock, content: string, staleAfterMs: number): Takeover {
  for (let n = 0; n < MAX_CLAIMS; n++) {
    const claimPath = takeoverClaimPath(lockPath, stale, n);
    if (!createExclusively(claimPath, content)) {
      const other = openLock(claimPath);
      // Removed meanwhile by its taker, done or given up: look again.
      if (other === undefined) return { kind: 'changed' };
      try {
        const verdict = judge(other, staleAfterMs);
        // Another process is taking the lock over right now (unless it already did: then look again).
        if (!verdict.stale) return stillAt(lockPath, stale.identity) ? { kind: 'held', holder: verdict.holder } : { kind: 'changed' };
      } finally {
        fs.closeSync(other.fd);
      }
      continue; // That taker died mid-takeover: the next claim.
    }
    try {
      if (!stillAt(lockPath, stale.identity)) return { kind: 'changed' };
      const { temporary, identity } = writeTemporary(lockPath, content);
      try {
        fs.renameSync(temporary, lockPath);
      } catch (error) {
        unlinkQuietly(temporary);
        throw error;
      }
      return { kind: 'taken', identity };
    } finally {
      unlinkQuietly(claimPath);
    }
  }
  const claim = openLock(takeoverClaimPath(lockPath, stale, MAX_CLAIMS - 1));
  if (claim) fs.closeSync(claim.fd);
  return { kind: 'held', holder: { pid: claim?.content?.pid ?? -1, hostname: claim?.content?.hostname } };
}

/**
 * Deletes what takers that died left next to the lock: every takeover claim (each concerns a lock file
 * that is no longer at the name, now that we hold it) and temporary files older than `staleAfterMs`
 * (a live writer's exist for microseconds).
 */
export function removeLeftovers(lockPath: string, staleAfterMs: number): void {
  const directory = path.dirname(lockPath);
  const prefix = `${path.basename(lockPath)}.`;
  try {
    for (const name of fs.readdirSync(directory)) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      const file = path.join(directory, name);
      if (CLAIM_NAME.test(rest)) {
        unlinkQuietly(file);
      } else if (rest.endsWith('.tmp')) {
        try {
          if (Date.now() - fs.lstatSync(file).mtimeMs > staleAfterMs) unlinkQuietly(file);
        } catch {
          // Gone meanwhile.
        }
      }
    }
  } catch {
    // Leftovers are harmless; never fail an acquired lock over them.
  }
}
