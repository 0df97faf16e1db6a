import * as vscode from 'vscode';

/**
 * What the integration tests may ask of a webview panel, through its `test` property. Product
 * code uses none of it.
 */
export interface WebviewTestHooks<R> {
  /** Whether the page has said `ready` since it was (re)loaded. */
  readonly ready: boolean;
  /**
   * Resolves with the first render report (the last one received, or a later one) that satisfies
   * `predicate`, e.g. `whenRendered((r) => r.loadedRows === r.totalRows)`.
   */
  whenRendered(predicate?: (report: R) => boolean): Promise<R>;
}

/** Keeps the page's last render report and resolves the waits on later ones. */
export class RenderReports<R> implements vscode.Disposable {
  private last: R | undefined;
  private readonly emitter = new vscode.EventEmitter<R>();

  record(report: R): void {
    this.last = report;
    this.emitter.fire(report);
  }

  whenRendered(predicate: (report: R) => boolean = () => true): Promise<R> {
    if (this.last !== undefined && predicate(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve) => {
      const sub = this.emitter.event((report) => {
        if (!predicate(report)) return;
        sub.dispose();
        resolve(report);
      });
    });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
