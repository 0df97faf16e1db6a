/**
 * Every command the extension contributes, declared once. A unit test checks this table
 * against `contributes.commands` in package.json, both ways.
 */
export const CommandId = {
  newSession: 'sessionLedger.newSession',
  nextStep: 'sessionLedger.nextStep',
  pauseSession: 'sessionLedger.pauseSession',
  resumeSession: 'sessionLedger.resumeSession',
  cancelSession: 'sessionLedger.cancelSession',
  completeSession: 'sessionLedger.completeSession',
  editGoal: 'sessionLedger.editGoal',
  openTimeline: 'sessionLedger.openTimeline',
  setActiveSession: 'sessionLedger.setActiveSession',
  findSession: 'sessionLedger.findSession',
  addNote: 'sessionLedger.addNote',
  renameSession: 'sessionLedger.renameSession',
  deleteSession: 'sessionLedger.deleteSession',
  restoreSession: 'sessionLedger.restoreSession',
  pinSession: 'sessionLedger.pinSession',
  unpinSession: 'sessionLedger.unpinSession',
  exportSession: 'sessionLedger.exportSession',
  copyConversationId: 'sessionLedger.copyConversationId',
  sessionActions: 'sessionLedger.sessionActions',
  showMoreSessions: 'sessionLedger.showMoreSessions',
  filterSessions: 'sessionLedger.filterSessions',
  clearFilter: 'sessionLedger.clearFilter',
  refresh: 'sessionLedger.refresh',
  showLog: 'sessionLedger.showLog',
  setApiKey: 'sessionLedger.setApiKey',
  connectClaudeHooks: 'sessionLedger.connectClaudeHooks',
  disconnectClaudeHooks: 'sessionLedger.disconnectClaudeHooks',
  importClaudeHistory: 'sessionLedger.importClaudeHistory',
  searchHistory: 'sessionLedger.searchHistory',
  exportAllSessions: 'sessionLedger.exportAllSessions',
  importSessions: 'sessionLedger.importSessions',
  cleanUpHistory: 'sessionLedger.cleanUpHistory',
  showUsage: 'sessionLedger.showUsage',
  recomputeCosts: 'sessionLedger.recomputeCosts',
  newWorkflowFile: 'sessionLedger.newWorkflowFile',
  addToClaudeCode: 'sessionLedger.addToClaudeCode',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
