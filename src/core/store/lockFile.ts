import * as fs from 'node:fs';
import * as os from 'node:os';

/** How the holder of a lock is described in {@link StoreLockedError}. */
export interface LockHolder {
  readonly pid: number;
  /** Missing in a lock file that could not be read. */
  readonly hostname?: string;
  /** Milliseconds since the holder last refreshed the lock file (its mtime). */
  readonly heartbeatAgeMs?: number;
}

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

interface LockContent {
  pid: number;
  hostname: string;
  acquiredAt: string;
  /** Set by holders that refresh the lock's mtime (older versions did not, so their locks are never judged by it). */
  heartbeatMs?: number;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(lockPath: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? (parsed as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

function heartbeatAgeMs(lockPath: string): number | undefined {
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * An exclusive lock on a store directory: a file holding our pid and hostname, created with
 * O_EXCL, whose mtime the holder refreshes every `heartbeatMs` (an unref'd timer). A lock is
 * taken over when it is stale: on this host, when its pid is dead; from another host (where the
 * pid cannot be checked, e.g. a container restarted under a new hostname), when its heartbeat is
 * older than `staleAfterMs`. A live holder — including this very process — gets a
 * {@link StoreLockedError} naming the lock file, the pid and the host.
 */
export class LockFile {
  private released = false;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.touch(), heartbeatMs);
    this.heartbeat.unref();
  }

  static acquire(lockPath: string, options: LockFileOptions = {}): LockFile {
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    const content = JSON.stringify({ pid: process.pid, hostname: os.hostname(), acquiredAt: new Date().toISOString(), heartbeatMs } satisfies LockContent);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(lockPath, content, { flag: 'wx' });
        return new LockFile(lockPath, heartbeatMs);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readLock(lockPath);
      if (holder) {
        const age = heartbeatAgeMs(lockPath);
        if (holder.hostname === os.hostname() || holder.hostname === undefined) {
          if (isProcessAlive(holder.pid)) throw new StoreLockedError(lockPath, { pid: holder.pid, hostname: holder.hostname }, staleAfterMs);
        } else if (holder.heartbeatMs === undefined || age === undefined || age <= staleAfterMs) {
          // Another host: its pid means nothing here, only a heartbeat that stopped says it is gone.
          throw new StoreLockedError(lockPath, { pid: holder.pid, hostname: holder.hostname, heartbeatAgeMs: age }, staleAfterMs);
        }
      }
      // Stale (dead pid, or another host's heartbeat stopped) or unreadable (torn write of a crashed holder): take it over.
      fs.rmSync(lockPath, { force: true });
    }
    const holder = readLock(lockPath);
    throw new StoreLockedError(lockPath, { pid: holder?.pid ?? -1, hostname: holder?.hostname, heartbeatAgeMs: heartbeatAgeMs(lockPath) }, staleAfterMs);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    if (readLock(this.path)?.pid === process.pid) fs.rmSync(this.path, { force: true });
  }

  /** The heartbeat: a fresh mtime says the holder is alive. A lock file gone or taken over is left alone. */
  private touch(): void {
    const holder = readLock(this.path);
    if (holder?.pid !== process.pid || holder.hostname !== os.hostname()) return;
    const now = new Date();
    try {
      fs.utimesSync(this.path, now, now);
    } catch {
      // Gone meanwhile: nothing to refresh.
    }
  }
}
