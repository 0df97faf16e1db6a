/*
 * What a session store tells its host: the warnings it collected (see storeWarning.ts), each
 * lasting condition reported once, and its change and access events.
 */
import type { StoreChange } from '../model/change';
import type { StoreAccess } from './readOnlyStore';
import type { Disposable } from './storeOptions';
import type { StoreWarning } from './storeWarning';

type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  on(listener: Listener<T>): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A failing listener must not break the store or the other listeners.
      }
    }
  }
}

export class StoreSignals {
  readonly warnings: StoreWarning[] = [];
  readonly onDidWarn = new Emitter<StoreWarning>();
  readonly onDidChange = new Emitter<StoreChange>();
  readonly onDidChangeAccess = new Emitter<StoreAccess>();
  /** Conditions already reported (see {@link warn}): one warning per condition, not one per write. */
  private readonly reportedConditions = new Set<string>();

  /**
   * Reports `warning`. With `condition`, only once while the condition lasts (a failing snapshot or
   * a lost journal is one warning, not one per write); the store clears a condition when it ends.
   */
  warn(warning: StoreWarning, condition?: string): void {
    if (condition !== undefined) {
      if (this.reportedConditions.has(condition)) return;
      this.reportedConditions.add(condition);
    }
    this.warnings.push(warning);
    this.onDidWarn.fire(warning);
  }

  /** The condition ended: a new occurrence is reported again. */
  ended(condition: string): void {
    this.reportedConditions.delete(condition);
  }

  /** Every condition ended (the store was rewritten). */
  allEnded(): void {
    this.reportedConditions.clear();
  }
}
