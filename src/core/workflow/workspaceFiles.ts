import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Files in the workspace, by workspace-relative path with `/` separators. The VS Code layer
 * passes one rooted at the workspace folder; tests root one in a temp directory.
 */
export interface WorkspaceFiles {
  /** `undefined` when the file does not exist. */
  readText(relativePath: string): Promise<string | undefined>;
  /** Creates parent directories; replaces the file atomically. */
  writeText(relativePath: string, content: string): Promise<void>;
}

/** The session folder, `.sessions/<slug>/`, as seen by step behaviours. */
export interface SessionFiles {
  /** Workspace-relative path of a file in the session folder. */
  pathOf(name: string): string;
  readText(name: string): Promise<string | undefined>;
}

export const SESSIONS_DIRECTORY = '.sessions';

export function sessionFolder(slug: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(slug) || slug.includes('..')) {
    throw new Error(`Session slug "${slug}" cannot name a folder; use letters, digits, ".", "_" and "-"`);
  }
  return `${SESSIONS_DIRECTORY}/${slug}`;
}

export function sessionFilesFor(workspace: WorkspaceFiles, slug: string): SessionFiles {
  const folder = sessionFolder(slug);
  const pathOf = (name: string): string => `${folder}/${name}`;
  return { pathOf, readText: (name) => workspace.readText(pathOf(name)) };
}

export class NodeWorkspaceFiles implements WorkspaceFiles {
  constructor(private readonly root: string) {}

  async readText(relativePath: string): Promise<string | undefined> {
    try {
      return await readFile(this.resolve(relativePath), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  }

  async writeText(relativePath: string, content: string): Promise<void> {
    const target = this.resolve(relativePath);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, target);
  }

  private resolve(relativePath: string): string {
    const target = normalize(join(this.root, relativePath));
    const fromRoot = relative(this.root, target);
    if (isAbsolute(relativePath) || fromRoot === '' || fromRoot.startsWith(`..${sep}`) || fromRoot === '..') {
      throw new Error(`"${relativePath}" is outside the workspace folder`);
    }
    return target;
  }
}
