// The usage panel's message contract lives in src/protocol (shared with the webview).
export * from '../../protocol/usageMessages';
