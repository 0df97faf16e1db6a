// The timeline webview's entry point (bundled to dist/webview/timeline.js, iife, browser).
import { z } from 'zod';
import { describeError } from '../protocol/describeError';
import { parseHostMessage, type TimelineViewState, type WebviewMessage } from '../protocol/timelineMessages';
import { setStrings } from './l10n';
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
/** Built when `init` brings the page's strings (the extension's first answer to `ready`). */
let view: TimelineView | undefined;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const receivedAt = performance.now();
  let message;
  try {
    message = parseHostMessage(event.data);
  } catch (error) {
    vscode.postMessage({ type: 'log', level: 'warn', message: describeError(error).slice(0, 10_000) });
    return;
  }
  try {
    if (message.type === 'init') {
      setStrings(message.strings);
      view ??= new TimelineView(root, {
        post: (m) => vscode.postMessage(m),
        getState: () => vscode.getState(),
        setState: (state) => vscode.setState(state),
      });
    } else if (view) {
      view.receive(message, receivedAt);
    } else {
      vscode.postMessage({ type: 'log', level: 'warn', message: `${message.type} arrived before init; dropped` });
    }
  } catch (error) {
    vscode.postMessage({
      type: 'log',
      level: 'error',
      message: describeError(error, true).slice(0, 10_000),
    });
  }
});
window.addEventListener('error', (event) => {
  vscode.postMessage({ type: 'log', level: 'error', message: String(event.message).slice(0, 10_000) });
});

// The handshake: nothing is posted to this page before it says it is listening.
vscode.postMessage({ type: 'ready' });
