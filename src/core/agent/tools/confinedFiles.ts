/*
 * Opening files of the workspace folder so that what is opened is checked, not a path that is
 * opened again later. A check of path strings (confinedPath.ts) cannot hold while another local
 * process swaps a folder for a symbolic link between the check and the open, so:
 *
 * - Every path is walked one component at a time from the workspace folder's open descriptor, each
 *   folder opened with O_NOFOLLOW (a component that became a symbolic link is refused) and each
 *   child looked up inside its already-opened parent (Linux: through `/proc/self/fd/N/<name>`, which
 *   resolves in the folder that descriptor N holds, like openat(2)). Missing folders for a write are
 *   made inside their opened parent and then opened like the others.
 * - The last component is opened with O_NOFOLLOW | O_NONBLOCK | O_NOCTTY (a FIFO or device never
 *   blocks the open), new files with O_CREAT | O_EXCL. Then the descriptor is checked: a regular
 *   file (fstat), one link only (a hard link may be a file outside the folder, and nothing tells
 *   where its other names are: refused for reads and writes alike), and where it really is
 *   (readlink of `/proc/self/fd/N`) inside the workspace folder's real path. A file this call
 *   created and then refused is removed again.
 * - Callers read, write and truncate through the descriptor only; nothing is reopened by path.
 *
 * Without `/proc/self/fd` (macOS, Windows, Linux without /proc) the same walk runs by path: each
 * component is checked with lstat (no symbolic link) before it is used and the opened file is
 * checked afterwards (realpath of its path unchanged and inside the folder, and the same device and
 * inode as the descriptor). That refuses every link that is there when checked, but a process
 * that swaps a folder on the path and back between those checks can still redirect one
 * operation there. Where O_NOFOLLOW / O_NONBLOCK do not exist (Windows) they are left out.
 *
 * Limit on every platform: a folder of the workspace that is moved out of it (renamed elsewhere on
 * the same disk) after its descriptor was checked is still that folder; reads are refused by the
 * final check, and a file a write created there is removed again.
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, realpath, stat, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { displayPath, isInside, resolveAgainstRoot, ToolError } from './confinedPath';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOCTTY = constants.O_NOCTTY ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const SAFE = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
const FOLDER_FLAGS = constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | SAFE;
const UPDATE_FLAGS = constants.O_RDWR | SAFE;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | SAFE;

/** read: an existing file, read only. update: an existing file, read and written. write: created if missing, else updated. */
export type FileMode = 'read' | 'update' | 'write';

export interface OpenedFile {
  readonly handle: FileHandle;
  /** Where the descriptor really is (Linux: from /proc/self/fd). */
  readonly realPath: string;
  /** From fstat of the descriptor. */
  readonly size: number;
}

export interface OpenedFolder {
  readonly realPath: string;
  /** With /proc/self/fd: the folder's descriptor, in which its children are looked up. Without: undefined (by path). */
  readonly handle: FileHandle | undefined;
}

/** The workspace folder of one tool call, held open. Close it when the call is done. */
export class ConfinedRoot {
  private constructor(
    private readonly givenRoot: string,
    readonly realRoot: string,
    private readonly top: OpenedFolder,
  ) {}

  /**
   * Opens the workspace folder `root`. `checks`: 'auto' uses /proc/self/fd where it works (Linux),
   * else checks by path; 'by-path' forces the latter (to test what macOS and Windows run).
   */
  static async open(root: string, checks: 'auto' | 'by-path' = 'auto'): Promise<ConfinedRoot> {
    const givenRoot = path.resolve(root);
    const realRoot = await realpath(givenRoot);
    const byPath = new ConfinedRoot(givenRoot, realRoot, { realPath: realRoot, handle: undefined });
    if (process.platform !== 'linux' || checks === 'by-path') return byPath;
    const handle = await open(realRoot, FOLDER_FLAGS);
    let actual: string | undefined;
    try {
      actual = await readlink(descriptorPath(handle));
    } catch {
      // No /proc: checks by path.
    }
    if (actual === undefined) {
      await handle.close();
      return byPath;
    }
    if (actual !== realRoot) {
      await handle.close();
      throw new ToolError('The workspace folder was moved or replaced while it was being opened; try again.');
    }
    return new ConfinedRoot(givenRoot, realRoot, { realPath: realRoot, handle });
  }

  async close(): Promise<void> {
    await this.top.handle?.close();
  }

  /** A path check only (for messages and run_command's cwd); open through openFile / openFolder. */
  resolve(requested: string): Promise<string> {
    return resolveAgainstRoot(this.givenRoot, this.realRoot, requested);
  }

  /** The path relative to the workspace folder, as shown to the model. */
  display(absolute: string): string {
    return displayPath(this.realRoot, absolute);
  }

  /** Opens the folder `requested`; with `create`, missing folders are made on the way. Release it with {@link release}. */
  async openFolder(requested: string, create = false): Promise<OpenedFolder> {
    return this.walk(this.components(await this.resolve(requested)), create, requested);
  }

  /** Opens the regular file `requested` (see the top of this file for the checks). The caller closes its handle. */
  async openFile(requested: string, mode: FileMode): Promise<OpenedFile> {
    const parts = this.components(await this.resolve(requested));
    if (parts.length === 0) throw new ToolError(`"${requested}" is a folder; use list_files.`);
    const parent = await this.walk(parts.slice(0, -1), mode === 'write', requested);
    try {
      return await this.openChild(parent, parts[parts.length - 1]!, mode, requested);
    } finally {
      await this.release(parent);
    }
  }

  /** The entries of an opened folder. */
  list(folder: OpenedFolder): Promise<Dirent[]> {
    return readdir(folder.handle ? descriptorPath(folder.handle) : folder.realPath, { withFileTypes: true });
  }

  /** Opens the folder `name` inside an opened folder (for walking a tree). */
  openChildFolder(parent: OpenedFolder, name: string): Promise<OpenedFolder> {
    return this.openFolderIn(parent, name, false, this.display(path.join(parent.realPath, name)));
  }

  /** Opens the file `name` inside an opened folder (for walking a tree). The caller closes its handle. */
  openChildFile(parent: OpenedFolder, name: string, mode: FileMode): Promise<OpenedFile> {
    return this.openChild(parent, name, mode, this.display(path.join(parent.realPath, name)));
  }

  async release(folder: OpenedFolder): Promise<void> {
    if (folder !== this.top) await folder.handle?.close();
  }

  private components(real: string): string[] {
    const relative = path.relative(this.realRoot, real);
    return relative === '' ? [] : relative.split(path.sep);
  }

  private async walk(parts: readonly string[], create: boolean, requested: string): Promise<OpenedFolder> {
    let folder = this.top;
    try {
      for (const part of parts) {
        const next = await this.openFolderIn(folder, part, create, requested);
        await this.release(folder);
        folder = next;
      }
      return folder;
    } catch (error) {
      await this.release(folder);
      throw error;
    }
  }

  private async openFolderIn(parent: OpenedFolder, name: string, create: boolean, requested: string): Promise<OpenedFolder> {
    const expected = path.join(parent.realPath, name);
    const target = childPath(parent, name);
    const notAFolder = (): ToolError =>
      new ToolError(
        `Refused: "${this.display(expected)}" (on the path of "${requested}") is not a folder, or it was replaced by a symbolic link.`,
      );
    if (!parent.handle) {
      if (create) await mkdir(target).catch(ignoreCode('EEXIST'));
      const before = await lstat(target).catch((error) => {
        throw openError(error, requested);
      });
      if (!before.isDirectory()) throw notAFolder();
      if ((await realpath(target)) !== expected) throw changedWhileOpening(requested);
      return { realPath: expected, handle: undefined };
    }
    let handle: FileHandle | undefined;
    for (let attempt = 0; handle === undefined; attempt++) {
      try {
        handle = await open(target, FOLDER_FLAGS);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOTDIR' || code === 'ELOOP') throw notAFolder();
        if (code !== 'ENOENT' || !create || attempt > 0) throw openError(error, requested);
        await mkdir(target).catch(ignoreCode('EEXIST'));
      }
    }
    try {
      return { realPath: await this.checkInside(handle, requested), handle };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async openChild(parent: OpenedFolder, name: string, mode: FileMode, requested: string): Promise<OpenedFile> {
    const target = childPath(parent, name);
    let handle: FileHandle;
    let created = false;
    try {
      if (mode === 'write') {
        try {
          handle = await open(target, CREATE_FLAGS, 0o666);
          created = true;
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw error;
          handle = await open(target, UPDATE_FLAGS);
        }
      } else {
        handle = await open(target, mode === 'read' ? READ_FLAGS : UPDATE_FLAGS);
      }
    } catch (error) {
      throw openError(error, requested);
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new ToolError(`"${requested}" is a folder; use list_files.`);
      if (!info.isFile()) {
        throw new ToolError(
          `Refused: "${requested}" is ${kindOf(info)}, not a regular file; the file tools read and write regular files only.`,
        );
      }
      if (info.nlink > 1) {
        throw new ToolError(
          `Refused: "${requested}" has ${info.nlink} hard links, so the same file may also be outside the workspace folder. To let Claude use it, replace it with a separate copy.`,
        );
      }
      const realPath = parent.handle
        ? await this.checkInside(handle, requested)
        : await this.checkByPath(info, path.join(parent.realPath, name), requested);
      return { handle, realPath, size: info.size };
    } catch (error) {
      await handle.close();
      if (created) await unlink(target).catch(() => undefined);
      throw error;
    }
  }

  /** Where an open descriptor really is, refused unless inside the workspace folder (needs /proc/self/fd). */
  private async checkInside(handle: FileHandle, requested: string): Promise<string> {
    const actual = await readlink(descriptorPath(handle));
    if (!isInside(this.realRoot, actual)) {
      throw new ToolError(
        `Refused: "${requested}" is no longer inside the workspace folder (a folder on its path was moved or replaced while it was being opened).`,
      );
    }
    return actual;
  }

  /** Without /proc: the path still leads, without links, to the very file that was opened. */
  private async checkByPath(opened: Stats, expected: string, requested: string): Promise<string> {
    const again = await realpath(expected).catch(() => undefined);
    const now = again === expected ? await stat(expected).catch(() => undefined) : undefined;
    if (!now || now.dev !== opened.dev || now.ino !== opened.ino || !isInside(this.realRoot, expected)) {
      throw changedWhileOpening(requested);
    }
    return expected;
  }
}

export interface FilePrefix {
  readonly bytes: Buffer;
  /** Bytes of the file (by fstat at open) not in `bytes`. */
  readonly bytesLeft: number;
}

/** Reads at most `limit` bytes from the start of an opened file, never more, whatever its size. */
export async function readPrefix(file: OpenedFile, limit: number): Promise<FilePrefix> {
  const want = Math.min(limit, file.size);
  const buffer = Buffer.alloc(want);
  let filled = 0;
  while (filled < want) {
    const { bytesRead } = await file.handle.read(buffer, filled, want - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return { bytes: buffer.subarray(0, filled), bytesLeft: Math.max(0, file.size - filled) };
}

/** Replaces the whole content of an opened file through its descriptor. */
export async function replaceContent(file: OpenedFile, content: string): Promise<number> {
  const bytes = Buffer.from(content, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    const result = await file.handle.write(bytes, written, bytes.length - written, written);
    written += result.bytesWritten;
  }
  await file.handle.truncate(bytes.length);
  return bytes.length;
}

function descriptorPath(handle: FileHandle): string {
  return `/proc/self/fd/${handle.fd}`;
}

function childPath(parent: OpenedFolder, name: string): string {
  return parent.handle ? `${descriptorPath(parent.handle)}/${name}` : path.join(parent.realPath, name);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (errorCode(error) !== code) throw error;
  };
}

function changedWhileOpening(requested: string): ToolError {
  return new ToolError(`Refused: "${requested}" changed (a folder or link on its path was replaced) while it was being opened; try again.`);
}

/** An open failure as a message naming the requested path (never a /proc path). */
function openError(error: unknown, requested: string): Error {
  if (error instanceof ToolError) return error;
  switch (errorCode(error)) {
    case 'ENOENT':
      return new ToolError(`"${requested}" was not found (ENOENT). Use list_files to see what exists.`);
    case 'ELOOP':
      return new ToolError(`Refused: "${requested}" is a symbolic link that was created or changed while it was being opened.`);
    case 'EISDIR':
      return new ToolError(`"${requested}" is a folder; use list_files.`);
    case 'ENXIO':
      return new ToolError(`Refused: "${requested}" is not a regular file; the file tools read and write regular files only.`);
    case 'ENOTDIR':
      return new ToolError(`"${requested}": a part of this path is a file, not a folder.`);
    case undefined:
      return error instanceof Error ? error : new Error(String(error));
    default: {
      const code = errorCode(error)!;
      return new ToolError(`Could not open "${requested}" (${code}).`);
    }
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}
