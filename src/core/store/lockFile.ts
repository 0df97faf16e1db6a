import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  createExclusively,
  judge,
  openLock,
  removeLeftovers,
  sameFile,
  stillAt,
  takeOver,
  type FileIdentity,
  type LockContent,
  type LockHolder,
} from './lockTakeover';

export { takeoverClaimPathForTests, type LockHolder } from './lockTakeover';

export class StoreLockedError extends Error {
  readonly pid: number;
  readonly hostname: string | undefined;

  constructor(
    readonly lockPath: string,
    holder: LockHolder,
    staleAfterMs = DEFAULT_STALE_AFTER_MS,
  ) {
    super(StoreLockedError.describe(lockPath, holder, staleAfterMs));
    this.name = 'StoreLockedError';
    this.pid = holder.pid;
    this.hostname = holder.hostname;
  }

  private static describe(lockPath: string, holder: LockHolder, staleAfterMs: number): string {
    if (holder.unreadable) {
      const changed = holder.heartbeatAgeMs === undefined ? '' : `, last changed ${Math.round(holder.heartbeatAgeMs / 1000)} s ago`;
      return (
        `The session store is being opened by another process: its lock file ${lockPath} is still empty or incomplete${changed}. ` +
        `Try again in a moment. If no other process uses the store, delete the lock file; an unreadable lock is taken over once it is ${Math.round(staleAfterMs / 1000)} s old.`
      );
    }
    const thisHost = holder.hostname === undefined || holder.hostname === os.hostname();
    if (thisHost) {
      return (
        `The session store is already open in another process (pid ${holder.pid} on this machine; lock file ${lockPath}). ` +
        'Close the other VS Code window using this workspace, or delete the lock file if that process is gone.'
      );
    }
    const refreshed = holder.heartbeatAgeMs === undefined ? '' : `, last refreshed ${Math.round(holder.heartbeatAgeMs / 1000)} s ago`;
    return (
      `The session store is already open on another machine or container (host "${holder.hostname}", pid ${holder.pid}; lock file ${lockPath}${refreshed}). ` +
      `Close the VS Code window using this workspace there. If that machine or container is gone, the lock is taken over once it has not been refreshed for ${Math.round(staleAfterMs / 1000)} s; ` +
      'a lock written by an older version of Session Ledger is never refreshed: delete the lock file once you are sure nothing there uses the store.'
    );
  }
}

export interface LockFileOptions {
  /** How often the holder refreshes the lock file's mtime (its heartbeat). Default 10 s. */
  heartbeatMs?: number;
  /** A lock held from another host is stale once its heartbeat is older than this. Default 60 s. */
  staleAfterMs?: number;
}

const DEFAULT_HEARTBEAT_MS = 10_000;
const DEFAULT_STALE_AFTER_MS = 60_000;
/** Rounds of "the lock file changed while we looked at it" before giving up (each needs another process to act). */
const MAX_ATTEMPTS = 20;
/** What a lock file says about its holder, for a process that waits for it (a read-only store). */
export interface LockInspection {
  /** -1 when the file cannot be read (being created this very moment, or torn). */
  readonly pid: number;
  readonly hostname?: string;
  /** When the holder took the lock (ISO 8601), as it wrote it. */
  readonly acquiredAt?: string;
  /** The holder is gone (its pid is dead here; from another host, its heartbeat is stale): the lock can be taken over. */
  readonly stale: boolean;
}

/**
 * Reads the lock file at `lockPath` without touching it: undefined when there is none (free), else
 * who holds it and whether that holder is gone, judged as {@link LockFile.acquire} judges a lock
 * before taking it over. A few system calls: cheap enough to ask a few times a second.
 */
export function inspectLock(lockPath: string, options: LockFileOptions = {}): LockInspection | undefined {
  const lock = openLock(lockPath);
  if (lock === undefined) return undefined;
  try {
    const verdict = judge(lock, options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
    const content = lock.content;
    return {
      pid: content?.pid ?? -1,
      hostname: content?.hostname,
      acquiredAt: typeof content?.acquiredAt === 'string' ? content.acquiredAt : undefined,
      stale: verdict.stale,
    };
  } finally {
    fs.closeSync(lock.fd);
  }
}

/**
 * An exclusive lock on a store directory: a file holding our pid, hostname and a unique token, created
 * complete and atomically (a hard link of a fsynced temporary file, which fails if the lock exists), whose
 * mtime the holder refreshes every `heartbeatMs` (an unref'd timer). A lock is taken over when it is
 * stale: on this host, when its pid is dead; from another host (where the pid cannot be checked, e.g. a
 * container restarted under a new hostname), when its heartbeat is older than `staleAfterMs`; a lock
 * file that cannot be read, only once its mtime is older than `staleAfterMs`. The takeover cannot
 * remove a lock another process has just taken (see {@link takeOver}). A live holder — including this
 * very process — gets a {@link StoreLockedError} naming the lock file, the pid and the host.
 */
export class LockFile {
  private released = false;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly identity: FileIdentity,
    private readonly token: string,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.touch(), heartbeatMs);
    this.heartbeat.unref();
  }

  static acquire(lockPath: string, options: LockFileOptions = {}): LockFile {
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    const token = randomUUID();
    const content = JSON.stringify({
      pid: process.pid,
      hostname: os.hostname(),
      acquiredAt: new Date().toISOString(),
      heartbeatMs,
      token,
    } satisfies LockContent);
    const held = (identity: FileIdentity): LockFile => {
      removeLeftovers(lockPath, staleAfterMs);
      return new LockFile(lockPath, identity, token, heartbeatMs);
    };
    let lastHolder: LockHolder = { pid: -1 };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const created = createExclusively(lockPath, content);
      if (created) return held(created);
      const current = openLock(lockPath);
      if (current === undefined) continue; // Released meanwhile: try again.
      try {
        const verdict = judge(current, staleAfterMs);
        if (!verdict.stale) throw new StoreLockedError(lockPath, verdict.holder, staleAfterMs);
        lastHolder = { pid: current.content?.pid ?? -1, hostname: current.content?.hostname };
        const takeover = takeOver(lockPath, current, content, staleAfterMs);
        if (takeover.kind === 'taken') return held(takeover.identity);
        if (takeover.kind === 'held') throw new StoreLockedError(lockPath, takeover.holder, staleAfterMs);
      } finally {
        fs.closeSync(current.fd);
      }
    }
    throw new StoreLockedError(lockPath, lastHolder, staleAfterMs);
  }

  /** Deletes the lock file, only if it is still ours (same file, same token): a lock taken over is left to its holder. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    try {
      const current = openLock(this.path);
      if (current === undefined) return;
      let ours: boolean;
      try {
        ours = sameFile(current.identity, this.identity) && current.content?.token === this.token;
      } finally {
        fs.closeSync(current.fd);
      }
      if (ours) fs.rmSync(this.path, { force: true });
    } catch {
      // Unreadable or not removable (e.g. the directory is gone): a lock whose holder exited is taken over anyway.
    }
  }

  /** The heartbeat: a fresh mtime says the holder is alive. A lock file gone or taken over is left alone. */
  private touch(): void {
    try {
      if (!stillAt(this.path, this.identity)) return;
      const now = new Date();
      fs.utimesSync(this.path, now, now);
    } catch {
      // Gone meanwhile: nothing to refresh.
    }
  }
}
