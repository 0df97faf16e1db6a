import type { JsonObject } from '../model/json';

/** What a workflow step asked of the runner, as carried in its command's metadata. */
export interface StepOptions {
  /** The step's model (alias or full name); overrides the setting. */
  readonly model?: string;
  /** The step's own time limit; overrides the stepTimeoutSeconds setting. */
  readonly timeoutMs?: number;
  /** Most model turns of the step (headless runs). */
  readonly maxTurns?: number;
}

/**
 * Reads a command's step options (set by the workflow: `model`, `timeoutSeconds` → `timeoutMs`,
 * `maxTurns`). A value of the wrong type is ignored: metadata comes from the ledger, where an older
 * or hand-edited record may hold anything.
 */
export function stepOptionsOf(metadata: JsonObject): StepOptions {
  const model = typeof metadata.model === 'string' && metadata.model.trim() !== '' ? metadata.model.trim() : undefined;
  const timeoutMs = positiveNumber(metadata.timeoutMs);
  const maxTurns = positiveNumber(metadata.maxTurns);
  return {
    ...(model === undefined ? {} : { model }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(maxTurns === undefined ? {} : { maxTurns: Math.floor(maxTurns) }),
  };
}

/** The time limit of one step: its own, else the budget's (0 = none). `undefined` when there is none. */
export function stepTimeoutMs(options: StepOptions, budgetMs: number): number | undefined {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  return budgetMs > 0 ? budgetMs : undefined;
}

/**
 * The phase (agent type) a command served, for its runs: what the engine recorded in its metadata
 * (`phase`), else the step's name (commands recorded before phases were).
 */
export function commandPhaseOf(command: { readonly step: string; readonly metadata: JsonObject }): string {
  const phase = command.metadata.phase;
  return typeof phase === 'string' && phase !== '' ? phase : command.step;
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
