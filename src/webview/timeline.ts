// The timeline webview's entry point (bundled to dist/webview/timeline.js, iife, browser).
import { z } from 'zod';
import { parseHostMessage, type TimelineViewState, type WebviewMessage } from '../protocol/timelineMessages';
import { TimelineView } from './TimelineView';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: TimelineViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// The CSP allows no eval: tell zod not to try (it would log a CSP violation).
z.config({ jitless: true });

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;
const view = new TimelineView(root, {
  post: (message) => vscode.postMessage(message),
  getState: () => vscode.getState(),
  setState: (state) => vscode.setState(state),
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const receivedAt = performance.now();
  let message;
  try {
    message = parseHostMessage(event.data);
  } catch (error) {
    vscode.postMessage({ type: 'log', level: 'warn', message: String(error instanceof Error ? error.message : error).slice(0, 10_000) });
    return;
  }
  try {
    view.receive(message, receivedAt);
  } catch (error) {
    vscode.postMessage({
      type: 'log',
      level: 'error',
      message: String(error instanceof Error ? (error.stack ?? error.message) : error).slice(0, 10_000),
    });
  }
});
window.addEventListener('error', (event) => {
  vscode.postMessage({ type: 'log', level: 'error', message: String(event.message).slice(0, 10_000) });
});

// The handshake: nothing is posted to this page before it says it is listening.
vscode.postMessage({ type: 'ready' });
