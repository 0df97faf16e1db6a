import type * as vscode from 'vscode';

/**
 * Owns disposables. Whatever is `register`ed is disposed exactly once, in reverse order,
 * when the owner is disposed; registering after disposal disposes the item at once.
 */
export class DisposableOwner implements vscode.Disposable {
  private readonly _disposables: vscode.Disposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  register<T extends vscode.Disposable>(disposable: T): T {
    if (this._isDisposed) {
      disposable.dispose();
    } else {
      this._disposables.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    while (this._disposables.length) {
      try {
        this._disposables.pop()!.dispose();
      } catch {
        // One failing disposal must not keep the others alive.
      }
    }
  }
}
