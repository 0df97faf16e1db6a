import * as fs from 'node:fs';
import * as os from 'node:os';

export class StoreLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(
      `The session store is already open in another process (pid ${pid}; lock file ${lockPath}). ` +
        'Close the other VS Code window using this workspace, or delete the lock file if that process is gone.',
    );
    this.name = 'StoreLockedError';
  }
}

interface LockContent {
  pid: number;
  hostname: string;
  acquiredAt: string;
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

/**
 * An exclusive lock on a store directory: a file holding our pid, created with O_EXCL. A lock left
 * by a dead process (same host) is taken over; a live holder — including this very process — gets a
 * {@link StoreLockedError} naming the lock file and its pid.
 */
export class LockFile {
  private released = false;

  private constructor(readonly path: string) {}

  static acquire(lockPath: string): LockFile {
    const content = JSON.stringify({ pid: process.pid, hostname: os.hostname(), acquiredAt: new Date().toISOString() } satisfies LockContent);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(lockPath, content, { flag: 'wx' });
        return new LockFile(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readLock(lockPath);
      const sameHost = !holder || holder.hostname === os.hostname();
      if (holder && (!sameHost || isProcessAlive(holder.pid))) {
        throw new StoreLockedError(lockPath, holder.pid);
      }
      // Stale (dead pid) or unreadable (torn write of a crashed holder): take it over.
      fs.rmSync(lockPath, { force: true });
    }
    throw new StoreLockedError(lockPath, readLock(lockPath)?.pid ?? -1);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (readLock(this.path)?.pid === process.pid) fs.rmSync(this.path, { force: true });
  }
}
