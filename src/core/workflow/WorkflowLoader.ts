import type { WorkflowFileDefinition } from '../model/workflow';
import { formatFieldPath, validateWorkflow } from './validateWorkflow';
import type { WorkflowFileSystem, WorkflowFileWatch } from './workflowFileSystem';

export interface LoadedWorkflow {
  readonly file: string;
  /** Steps (a workflow), or `extends` (a template of a built-in type). */
  readonly definition: WorkflowFileDefinition;
}

/** A workflow file that could not be used: the file, the field (`steps[1].command`) and why. */
export class WorkflowFileError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.file}: ${this.field}: ${this.message}`;
  }
}

export interface WorkflowLoadResult {
  readonly workflows: readonly LoadedWorkflow[];
  readonly errors: readonly WorkflowFileError[];
}

const RELOAD_DEBOUNCE_MS = 100;

function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads every `*.json` in the workflows directory. Each file stands alone: a broken one is
 * reported with its field path and the others still load. Ids of built-in types and ids already
 * taken by an earlier file (in name order) are refused.
 */
export class WorkflowLoader {
  constructor(
    private readonly fileSystem: WorkflowFileSystem,
    private readonly directory: string,
    private readonly reservedIds: ReadonlySet<string>,
  ) {}

  async load(): Promise<WorkflowLoadResult> {
    const workflows: LoadedWorkflow[] = [];
    const errors: WorkflowFileError[] = [];
    const takenIds = new Map<string, string>();
    for (const file of await this.fileSystem.listJsonFiles(this.directory)) {
      const outcome = await this.loadFile(file);
      if (outcome instanceof Array) {
        errors.push(...outcome);
        continue;
      }
      const { id, extends: base } = outcome.definition;
      if (base !== undefined && !this.reservedIds.has(base)) {
        errors.push(
          new WorkflowFileError(
            file,
            'extends',
            `"${base}" is not a built-in session type; use one of ${[...this.reservedIds].join(', ')}`,
          ),
        );
      } else if (this.reservedIds.has(id)) {
        errors.push(new WorkflowFileError(file, 'id', `"${id}" is the id of a built-in session type; choose another`));
      } else if (takenIds.has(id)) {
        errors.push(new WorkflowFileError(file, 'id', `"${id}" is already defined in ${takenIds.get(id)}`));
      } else {
        takenIds.set(id, file);
        workflows.push(outcome);
      }
    }
    return { workflows, errors };
  }

  /** Reloads (debounced) whenever a workflow file changes and hands the result to `onReload`. */
  watch(onReload: (result: WorkflowLoadResult) => void, onLoadFailure: (error: unknown) => void = () => undefined): WorkflowFileWatch {
    let timer: NodeJS.Timeout | undefined;
    const fileWatch = this.fileSystem.watch(this.directory, () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.load().then(onReload, onLoadFailure), RELOAD_DEBOUNCE_MS);
    });
    return {
      dispose: () => {
        clearTimeout(timer);
        fileWatch.dispose();
      },
    };
  }

  private async loadFile(file: string): Promise<LoadedWorkflow | WorkflowFileError[]> {
    let json: unknown;
    try {
      // Editors on Windows often save UTF-8 with a byte order mark; JSON.parse refuses it.
      json = JSON.parse(stripByteOrderMark(await this.fileSystem.readText(file)));
    } catch (error) {
      return [new WorkflowFileError(file, '(root)', `not valid JSON: ${(error as Error).message}`)];
    }
    const validation = validateWorkflow(json);
    if (!validation.ok) {
      return validation.issues.map((issue) => new WorkflowFileError(file, formatFieldPath(issue.path), issue.message));
    }
    return { file, definition: validation.definition };
  }
}
