// The timeline's message contract and view models live in src/protocol (shared with the webview).
export * from '../../protocol/timelineMessages';
export * from '../../protocol/timelineModel';
export { sessionActionStatuses, type SessionAction } from '../../protocol/sessionActions';
