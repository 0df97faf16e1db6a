import { watch as watchDirectory, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WorkflowFileWatch {
  dispose(): void;
}

/**
 * What the workflow loader needs from a file system. The VS Code layer implements it with
 * `workspace.fs` and a `FileSystemWatcher`; `NodeWorkflowFileSystem` serves tests and CLIs.
 */
export interface WorkflowFileSystem {
  /** Full paths of the `*.json` files directly in `directory`; empty when it does not exist. */
  listJsonFiles(directory: string): Promise<string[]>;
  readText(file: string): Promise<string>;
  /** Calls `onChange` when a file in `directory` is created, changed or deleted. */
  watch(directory: string, onChange: () => void): WorkflowFileWatch;
}

/** Workflow files, relative to a workspace folder. */
export const WORKFLOWS_DIRECTORY = '.vscode/session-ledger/workflows';

const MISSING_DIRECTORY_POLL_MS = 2000;

export class NodeWorkflowFileSystem implements WorkflowFileSystem {
  async listJsonFiles(directory: string): Promise<string[]> {
    try {
      const entries = await readdir(directory, { withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
        .map((entry) => join(directory, entry.name))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw error;
    }
  }

  readText(file: string): Promise<string> {
    return readFile(file, 'utf8');
  }

  /** A directory that does not exist yet is looked for every few seconds, then watched (and reported once). */
  watch(directory: string, onChange: () => void): WorkflowFileWatch {
    let watcher: FSWatcher | undefined;
    const start = (): boolean => {
      try {
        watcher = watchDirectory(directory, () => onChange());
        watcher.on('error', () => undefined);
        return true;
      } catch {
        return false;
      }
    };
    let poll: NodeJS.Timeout | undefined;
    if (!start()) {
      poll = setInterval(() => {
        if (start()) {
          clearInterval(poll);
          onChange();
        }
      }, MISSING_DIRECTORY_POLL_MS);
      poll.unref();
    }
    return {
      dispose: () => {
        clearInterval(poll);
        watcher?.close();
      },
    };
  }
}
