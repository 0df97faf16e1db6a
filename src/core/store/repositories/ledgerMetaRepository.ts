import type { LedgerMetaReads, LedgerMetaWrites } from '../repositoryApi';
import { text, type RepositoryContext } from './repositoryContext';

/** The ledger's own metadata (migration 0008): what project it belongs to. Keys are short names, values text. */
export class LedgerMetaRepository implements LedgerMetaReads, LedgerMetaWrites {
  constructor(private readonly context: RepositoryContext) {}

  get(key: string): string | undefined {
    const row = this.context.db.get('SELECT value FROM ledger_meta WHERE key = ?', [key]);
    return row ? text(row, 'value') : undefined;
  }

  all(): Record<string, string> {
    const entries = this.context.db
      .all('SELECT key, value FROM ledger_meta ORDER BY key')
      .map((row) => [text(row, 'key'), text(row, 'value')] as const);
    return Object.fromEntries(entries);
  }

  set(key: string, value: string): void {
    this.context.db.run('INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }

  remove(key: string): void {
    this.context.db.run('DELETE FROM ledger_meta WHERE key = ?', [key]);
  }
}
