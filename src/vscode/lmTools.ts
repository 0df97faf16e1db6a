import * as vscode from 'vscode';
import { z } from 'zod';
import { SearchHistoryInput, UsageSummaryInput, searchHistory, usageSummary } from '../core/ledger/mcpTools';
import type { AgentToolReads } from '../core/store/ports';

/**
 * Language-model tools for VS Code's agent mode (`contributes.languageModelTools`): search the
 * session history and summarise usage, answered from this window's ledger. `vscode.lm.registerTool`
 * is newer than the engine this extension declares (^1.93), so it is looked up at run time and
 * typed here; without it nothing is registered.
 */

/** The tool names, as contributed in package.json. */
export const LM_TOOL_NAMES = { searchHistory: 'sessionLedger_searchHistory', usageSummary: 'sessionLedger_usageSummary' } as const;

/** The part of the language-model tool API used here (VS Code ≥ 1.95). */
interface LmToolApi {
  registerTool<T>(
    name: string,
    tool: { invoke(options: { input: T }, token: vscode.CancellationToken): Promise<unknown> },
  ): vscode.Disposable;
}
interface LmResultConstructors {
  LanguageModelToolResult: new (content: unknown[]) => unknown;
  LanguageModelTextPart: new (value: string) => unknown;
}

/** `vscode.lm.registerTool` and the result classes, when this VS Code has them. */
export function languageModelToolApi(): (LmToolApi & LmResultConstructors) | undefined {
  const lm = (vscode as unknown as { lm?: Partial<LmToolApi> }).lm;
  const classes = vscode as unknown as Partial<LmResultConstructors>;
  if (
    typeof lm?.registerTool !== 'function' ||
    typeof classes.LanguageModelToolResult !== 'function' ||
    typeof classes.LanguageModelTextPart !== 'function'
  )
    return undefined;
  return {
    registerTool: lm.registerTool.bind(lm) as LmToolApi['registerTool'],
    LanguageModelToolResult: classes.LanguageModelToolResult,
    LanguageModelTextPart: classes.LanguageModelTextPart,
  };
}

const searchInput = z.object(SearchHistoryInput);
const usageInput = z.object(UsageSummaryInput);

/** Registers the tools over `store`; returns their names (empty when the API is absent). */
export function registerLanguageModelTools(store: AgentToolReads, own: (d: vscode.Disposable) => void): string[] {
  const api = languageModelToolApi();
  if (!api) return [];
  const result = (text: string) => new api.LanguageModelToolResult([new api.LanguageModelTextPart(text)]);
  // Input is the model's JSON: checked here too (VS Code validates against the contributed schema only loosely).
  const tool = <S extends z.ZodTypeAny>(schema: S, answer: (input: z.infer<S>) => string) => ({
    invoke: async (options: { input: unknown }) => {
      const parsed = schema.safeParse(options.input ?? {});
      if (!parsed.success)
        return result(`Invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
      return result(answer(parsed.data));
    },
  });
  own(
    api.registerTool(
      LM_TOOL_NAMES.searchHistory,
      tool(searchInput, (input) => searchHistory(store, input)),
    ),
  );
  own(
    api.registerTool(
      LM_TOOL_NAMES.usageSummary,
      tool(usageInput, (input) => usageSummary(store, input)),
    ),
  );
  return Object.values(LM_TOOL_NAMES);
}
