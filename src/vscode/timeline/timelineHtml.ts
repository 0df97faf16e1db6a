import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** A fresh script nonce per page load (never `Math.random`). */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The timeline page: strict CSP, the bundled script by nonce, styles and codicons from `dist/`. */
export function timelineHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = createNonce()): string {
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...path)).toString();
  const csp = [
    `default-src 'none'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('codicons', 'codicon.css')}">
  <link rel="stylesheet" href="${asset('webview', 'timeline.css')}">
  <title>Session timeline</title>
</head>
<body>
  <div id="app" aria-busy="true"></div>
  <script nonce="${nonce}" src="${asset('webview', 'timeline.js')}"></script>
</body>
</html>`;
}
