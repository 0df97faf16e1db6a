/**
 * Every command the extension contributes, declared once. A unit test checks this table
 * against `contributes.commands` in package.json, both ways.
 */
export const CommandId = {
  showLog: 'sessionLedger.showLog',
  refresh: 'sessionLedger.refresh',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
