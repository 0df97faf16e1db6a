import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** Text for an HTML attribute or element (the page's title and language come from the extension's strings). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fresh script nonce per page load (never `Math.random`). */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/** What a webview feature's page is made of; every asset is a path under `dist/`. */
export interface WebviewPage {
  readonly title: string;
  /** The bundled script, e.g. `['webview', 'timeline.js']`. */
  readonly script: readonly string[];
  readonly styles: readonly (readonly string[])[];
  /** What else the page may load from the extension (CSP `font-src`, `img-src`). */
  readonly fonts?: boolean;
  readonly images?: boolean;
}

/** Scripts on, and nothing loadable from outside `dist/`. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/** A page with a strict CSP (`default-src 'none'`), its bundled script by nonce and its styles from `dist/`. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage, nonce = createNonce()): string {
  const asset = (path: readonly string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...path)).toString();
  const csp = [
    `default-src 'none'`,
    `style-src ${webview.cspSource}`,
    page.fonts ? `font-src ${webview.cspSource}` : undefined,
    page.images ? `img-src ${webview.cspSource}` : undefined,
    `script-src 'nonce-${nonce}'`,
  ]
    .filter((directive) => directive !== undefined)
    .join('; ');
  const styles = page.styles.map((path) => `  <link rel="stylesheet" href="${asset(path)}">\n`).join('');
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}  <title>${escapeHtml(page.title)}</title>
</head>
<body>
  <div id="app" aria-busy="true"></div>
  <script nonce="${nonce}" src="${asset(page.script)}"></script>
</body>
</html>`;
}
