/**
 * The files beside the hook spool: the read offset (`<spool>.offset`, with the line count and, for
 * a rotated spool, when it was renamed), the rejected lines and the rotated spool. See the
 * rotation notes in ./hookIngestion.ts.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../store/storeFiles';

export const spoolOffsetPath = (spoolPath: string): string => `${spoolPath}.offset`;
export const spoolRejectedPath = (spoolPath: string): string => `${spoolPath}.rejected`;
/** A rotated spool still being read: see the rotation notes in ./hookIngestion.ts. */
export const spoolRotatedPath = (spoolPath: string): string => `${spoolPath}.ingesting`;

export interface SpoolState {
  offset: number;
  /** How many lines end before `offset` (to name a rejected line by its number); counted again when absent. */
  lines?: number;
  /** For a rotated spool: when it was renamed (ms since the epoch). */
  rotatedAt?: number;
}

export function readSpoolState(file: string): SpoolState {
  try {
    const state = JSON.parse(fs.readFileSync(spoolOffsetPath(file), 'utf8')) as { offset?: unknown; lines?: unknown; rotatedAt?: unknown };
    const offset = Number(state.offset);
    const lines = Number(state.lines);
    const rotatedAt = Number(state.rotatedAt);
    if (!Number.isSafeInteger(offset) || offset <= 0)
      return { offset: 0, lines: 0, rotatedAt: Number.isFinite(rotatedAt) ? rotatedAt : undefined };
    return {
      offset,
      lines: Number.isSafeInteger(lines) && lines >= 0 ? lines : undefined,
      rotatedAt: Number.isFinite(rotatedAt) ? rotatedAt : undefined,
    };
  } catch {
    return { offset: 0, lines: 0 };
  }
}

/** Newlines in the first `upTo` bytes of `file`: the line count of a state written before lines were counted. */
export function countLines(file: string, upTo: number): number {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const fd = fs.openSync(file, 'r');
  try {
    let count = 0;
    for (let position = 0; position < upTo;) {
      const read = fs.readSync(fd, buffer, 0, Math.min(buffer.length, upTo - position), position);
      if (read === 0) break;
      for (let i = buffer.indexOf(0x0a, 0); i >= 0 && i < read; i = buffer.indexOf(0x0a, i + 1)) count++;
      position += read;
    }
    return count;
  } finally {
    fs.closeSync(fd);
  }
}

export function writeSpoolState(file: string, state: SpoolState): void {
  writeFileAtomic(spoolOffsetPath(file), JSON.stringify(state));
}

export function readSpoolOffset(spoolPath: string): number {
  return readSpoolState(spoolPath).offset;
}

/** Sets where the next ingest of `spoolPath` starts (its line count is taken again from the file). */
export function writeSpoolOffset(spoolPath: string, offset: number): void {
  writeSpoolState(spoolPath, { offset });
}

/** Whether there is a spool (live or rotated) to ingest. */
export function spoolExists(spoolPath: string): boolean {
  return fs.existsSync(spoolPath) || fs.existsSync(spoolRotatedPath(spoolPath));
}

/** Cheap check before an ingest: a rotated spool is pending, or the live one is longer than what was read (or was replaced). */
export function spoolHasUnread(spoolPath: string): boolean {
  if (fs.existsSync(spoolRotatedPath(spoolPath))) return true;
  try {
    return fs.statSync(spoolPath).size !== readSpoolOffset(spoolPath);
  } catch {
    return false;
  }
}

export function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
