import { watch as watchDirectory } from 'node:fs';
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

  watch(directory: string, onChange: () => void): WorkflowFileWatch {
    try {
      const watcher = watchDirectory(directory, () => onChange());
      watcher.on('error', () => undefined);
      return { dispose: () => watcher.close() };
    } catch {
      return { dispose: () => undefined };
    }
  }
}
