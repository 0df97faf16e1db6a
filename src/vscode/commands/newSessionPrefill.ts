import * as vscode from 'vscode';
import { z } from 'zod';
import { ExecutionModeSchema, ExpectedMinutesSchema } from '../../core/model/session';
import { UuidSchema } from '../../core/model/json';
import type { SessionDefaults } from '../../core/model/workflow';
import type { SessionTypeInfo } from '../../core/workflow/SessionTypeRegistry';
import { formatMinutes, formatScheduledAt, parseMinutes, parseScheduledAt } from '../../protocol/sessionDurations';

/**
 * What New Session starts from (prefilled answers): a template's or workflow's defaults, a
 * follow-up's suggestion, or a code caller's session. `plan: true` makes it Plan Session.
 */
export const NewSessionPrefillSchema = z
  .object({
    type: z.string().min(1).optional(),
    executionMode: ExecutionModeSchema.optional(),
    title: z.string().min(1).max(500).optional(),
    intention: z.string().optional(),
    successCriteria: z.array(z.string()).optional(),
    completionCriteria: z.array(z.string()).optional(),
    constraints: z.array(z.string()).optional(),
    procedureNotes: z.string().optional(),
    tags: z.array(z.string()).optional(),
    followsSessionId: UuidSchema.optional(),
    expectedMinutes: ExpectedMinutesSchema.optional(),
    scheduledAt: z.number().int().nonnegative().optional(),
    /** Type options (a test-fix session's test command…); asked when absent. */
    options: z.record(z.string(), z.unknown()).optional(),
    plan: z.boolean().optional(),
  })
  .strict();
export type NewSessionPrefill = z.infer<typeof NewSessionPrefillSchema>;

export function isPrefillObject(value: unknown): value is Record<string, unknown> {
  // A menu passes the selected tree items (an array) or a tree node ({ kind }): never a prefill.
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value);
}

/**
 * The type a pick stands for, and what to fill in: a template (`extends`) starts its built-in type
 * with the template's defaults; a workflow's own defaults fill in likewise. The prefill wins over both.
 */
export function resolvePick(
  types: readonly SessionTypeInfo[],
  picked: SessionTypeInfo,
  prefill: NewSessionPrefill,
): { type: SessionTypeInfo; template: SessionTypeInfo | undefined; answers: NewSessionPrefill } {
  const base = picked.baseType === undefined ? picked : (types.find((t) => t.id === picked.baseType) ?? picked);
  const defaults: SessionDefaults = picked.defaults ?? {};
  const answers: NewSessionPrefill = { ...definedOnly(defaults), ...prefill, type: base.id };
  return { type: base, template: picked.baseType === undefined ? undefined : picked, answers };
}

function definedOnly(defaults: SessionDefaults): NewSessionPrefill {
  return Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined)) as NewSessionPrefill;
}

/** Plan Session's two questions: when (optional) and how long (optional). Undefined: the person cancelled. */
export async function askPlan(
  typeLabel: string,
  initial: Pick<NewSessionPrefill, 'scheduledAt' | 'expectedMinutes'>,
): Promise<{ scheduledAt: number | null; expectedMinutes: number | null } | undefined> {
  const when = await vscode.window.showInputBox({
    title: vscode.l10n.t('Plan {0} Session: when (optional)', typeLabel),
    prompt: vscode.l10n.t('When to start it: "2026-12-05 14:30", "14:30", "+2h", "+1d"; empty: not scheduled.'),
    value: initial.scheduledAt === undefined ? '' : formatScheduledAt(initial.scheduledAt),
    ignoreFocusOut: true,
    validateInput: (v) =>
      !v.trim() || parseScheduledAt(v, Date.now()) !== undefined
        ? undefined
        : vscode.l10n.t('A date and time like 2026-12-05 14:30, a time like 14:30, or +2h / +1d.'),
  });
  if (when === undefined) return undefined;
  const expected = await askExpectedMinutes(typeLabel, initial.expectedMinutes);
  if (expected === undefined) return undefined;
  return { scheduledAt: when.trim() ? (parseScheduledAt(when, Date.now()) ?? null) : null, expectedMinutes: expected };
}

/** How long the session is expected to take; null when left empty, undefined when cancelled. */
export async function askExpectedMinutes(typeLabel: string, initial: number | undefined): Promise<number | null | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Plan {0} Session: expected duration (optional)', typeLabel),
    prompt: vscode.l10n.t('How long it should take: "45", "90m", "1h30"; empty: no estimate.'),
    value: initial === undefined ? '' : formatMinutes(initial).replace(/ /g, ''),
    ignoreFocusOut: true,
    validateInput: (v) =>
      !v.trim() || parseMinutes(v.replace(/\s+/g, '')) !== undefined
        ? undefined
        : vscode.l10n.t('Minutes (45), or hours and minutes (1h30).'),
  });
  if (text === undefined) return undefined;
  return text.trim() ? (parseMinutes(text.replace(/\s+/g, '').replace(/min$/, 'm')) ?? null) : null;
}
