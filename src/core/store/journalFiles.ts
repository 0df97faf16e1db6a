// The journal's file operations (a seam for fault-injection tests), and how it finds its segment lost.
import * as fs from 'node:fs';

/**
 * The file operations the journal uses: Node's `fs` by default. A seam for fault-injection tests
 * (a full disk, a failing fdatasync), so no global needs patching.
 */
export interface JournalFiles {
  openSync(file: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  fstatSync(fd: number): { readonly dev: number; readonly ino: number; readonly nlink: number };
  statSync(file: string): { readonly dev: number; readonly ino: number };
  rmSync(file: string): void;
}

export const nodeJournalFiles: JournalFiles = {
  openSync: (file, flags) => fs.openSync(file, flags),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd, callback) => fs.fdatasync(fd, callback),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  closeSync: (fd) => fs.closeSync(fd),
  fstatSync: (fd) => fs.fstatSync(fd),
  statSync: (file) => fs.statSync(file),
  rmSync: (file) => fs.rmSync(file, { force: true }),
};

/** A batch of records up to this size is written with one write (see {@link writeRecords}). */
const JOIN_WRITES_BYTES = 1024 * 1024;

/**
 * Writes `records` one after another from `position` of `fd`; returns the bytes written. Small
 * records (concurrent appends) are joined into one write; large ones (an import's, megabytes each)
 * are written one by one, as joining them would copy them all once more.
 */
export function writeRecords(files: JournalFiles, fd: number, position: number, records: readonly Uint8Array[]): number {
  const total = records.reduce((sum, record) => sum + record.length, 0);
  let at = position;
  for (const bytes of records.length > 1 && total <= JOIN_WRITES_BYTES ? [Buffer.concat(records)] : records) {
    let written = 0;
    while (written < bytes.length) written += files.writeSync(fd, bytes, written, bytes.length - written, at + written);
    at += bytes.length;
  }
  return total;
}

/**
 * The journal's segment is no longer the file at its path: deleted (its folder removed), or
 * replaced. Writes to it would be acknowledged and lost, so the journal stops accepting them.
 */
export class JournalLostError extends Error {
  constructor(
    readonly segmentPath: string,
    readonly directory: string,
    what: string,
  ) {
    super(
      `The session store's journal ${segmentPath} ${what} while the store was open (was the folder ${directory} deleted or moved?). ` +
        'Changes are no longer saved, so no further changes are accepted. Rewrite the store (SessionStore.rewriteHome, the "Rewrite Store" action) ' +
        'to write everything it holds to a fresh snapshot and journal in that folder (recreated if missing), or close and reopen it.',
    );
    this.name = 'JournalLostError';
  }
}

export interface JournalWriterOptions {
  /** File operations (default: Node's fs): a seam for fault injection. */
  readonly files?: JournalFiles;
  /** How often the segment's identity is checked when idle (ms; default 1 s; 0: only around acknowledgements). */
  readonly fileCheckMs?: number;
  /** Called once, when the writer stops for good (a write failed, or the segment was lost). */
  readonly onFailed?: (error: Error) => void;
}

/**
 * Whether the segment open as `fd` (opened as `identity`) is still the file at its path `file`: a
 * {@link JournalLostError} when it was deleted or replaced, undefined when it is (or `fd` was closed meanwhile).
 */
export function checkSegmentFile(
  files: JournalFiles,
  directory: string,
  file: string,
  fd: number,
  identity: { readonly dev: number; readonly ino: number },
): JournalLostError | undefined {
  let open: { dev: number; ino: number; nlink: number };
  try {
    open = files.fstatSync(fd);
  } catch {
    return undefined; // closed meanwhile
  }
  let atPath: { dev: number; ino: number };
  try {
    atPath = files.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? new JournalLostError(file, directory, 'was deleted') : undefined;
  }
  if (atPath.dev !== open.dev || atPath.ino !== open.ino || open.dev !== identity.dev || open.ino !== identity.ino) {
    return new JournalLostError(file, directory, 'was replaced by another file');
  }
  if (open.nlink === 0) return new JournalLostError(file, directory, 'was deleted');
  return undefined;
}
