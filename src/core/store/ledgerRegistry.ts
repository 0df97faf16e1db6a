import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { LockFile, StoreLockedError } from './lockFile';
import { sameGitIdentity, readGitIdentity, type GitIdentity, type ProjectIdentity } from './projectIdentity';
import { keptAsidePath, writeFileAtomic } from './storeFiles';

/** The registry's file name in the extension's global storage. */
export const REGISTRY_FILE = 'ledger-registry.json';
const FORMAT = 'session-ledger ledger registry';
const VERSION = 1;

const GitIdentitySchema = z.object({ remote: z.string().min(1), relativePath: z.string().min(1) });

const RegisteredLedgerSchema = z.object({
  /** The folder holding the ledger's snapshot and journal. */
  directory: z.string().min(1),
  ledgerId: z.string().min(1),
  /** The project folder it belongs to (one ledger per canonical path). */
  canonicalPath: z.string().min(1),
  git: GitIdentitySchema.optional(),
  registeredAt: z.number(),
  /** Set when this ledger is a verified copy of another (a moved folder adopted its history): the original, left in place. */
  adoptedFrom: z.object({ directory: z.string(), canonicalPath: z.string(), at: z.number() }).optional(),
});
export type RegisteredLedger = z.infer<typeof RegisteredLedgerSchema>;

const DeclinedAdoptionSchema = z.object({ canonicalPath: z.string(), ledgerId: z.string() });
export type DeclinedAdoption = z.infer<typeof DeclinedAdoptionSchema>;

const RegistryFileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  ledgers: z.array(RegisteredLedgerSchema),
  /** "Never" answered to adopting `ledgerId` into the folder `canonicalPath`: not offered again. */
  declinedAdoptions: z.array(DeclinedAdoptionSchema),
});

export interface RegistryContent {
  ledgers: RegisteredLedger[];
  declinedAdoptions: DeclinedAdoption[];
}

/** Something about the registry file the person should know (nothing about a ledger was lost: ledgers are never in it). */
export interface RegistryWarning {
  readonly message: string;
  readonly keptAsidePath?: string;
}

export interface LedgerRegistryOptions {
  /** How long an update waits for another process's update (its lock file) before failing. Default 5 s. */
  lockTimeoutMs?: number;
  now?: () => number;
  onWarning?: (warning: RegistryWarning) => void;
}

type ReadResult =
  | { kind: 'ok' | 'absent'; content: RegistryContent }
  | { kind: 'damaged'; content: RegistryContent; reason: string }
  | { kind: 'newer'; content: RegistryContent; version: unknown };

const empty = (): RegistryContent => ({ ledgers: [], declinedAdoptions: [] });

/**
 * Where each project's ledger lives, so a window finds its project's history whichever storage folder
 * VS Code hands it: a JSON file in the extension's global storage, mapping a project folder's
 * canonical path (and its git identity, for moved folders) to a ledger directory.
 *
 * Updates re-read, change and rewrite the file under a lock file (`<registry>.lock`, the store's
 * {@link LockFile}: a holder that died is taken over), written atomically and durably (temp, fsync,
 * rename, fsync directory): two windows registering at once both keep their entries. A damaged file
 * is kept aside (`<registry>.corrupt-<time>`) and rebuilt from the registrations that follow —
 * every window registers its ledger when it opens it; the ledgers themselves are never touched.
 */
export class LedgerRegistry {
  constructor(
    readonly file: string,
    private readonly options: LedgerRegistryOptions = {},
  ) {}

  /** The registry as it is now (empty when absent or damaged: reading never changes the file). */
  read(): RegistryContent {
    return this.readFile().content;
  }

  /** The ledger registered for the folder `canonicalPath`. */
  homeOf(canonicalPath: string): RegisteredLedger | undefined {
    return this.read().ledgers.find((ledger) => ledger.canonicalPath === canonicalPath);
  }

  /**
   * Ledgers of other folders that `project` may be a move or rename of: the same git remote and path
   * inside the repository, files still present (`holdsLedger`), their own folder gone (or no longer
   * that repository: a second clone is not a move), and not declined for this folder.
   */
  adoptionCandidates(project: ProjectIdentity, holdsLedger: (directory: string) => boolean): RegisteredLedger[] {
    const content = this.read();
    return content.ledgers.filter(
      (ledger) =>
        ledger.canonicalPath !== project.canonicalPath &&
        sameGitIdentity(ledger.git, project.git) &&
        !content.declinedAdoptions.some((d) => d.canonicalPath === project.canonicalPath && d.ledgerId === ledger.ledgerId) &&
        !sameGitIdentity(currentGitIdentity(ledger.canonicalPath), ledger.git) &&
        holdsLedger(ledger.directory),
    );
  }

  /** Registers `ledger` as the home of its folder (replacing the folder's entry, and any other entry for the same directory). */
  register(ledger: Omit<RegisteredLedger, 'registeredAt'>): Promise<void> {
    return this.update((content) => {
      content.ledgers = content.ledgers.filter((l) => l.canonicalPath !== ledger.canonicalPath && !samePath(l.directory, ledger.directory));
      content.ledgers.push({ ...ledger, registeredAt: this.now() });
    });
  }

  /** Remembers "Never" for adopting `ledgerId` into the folder `canonicalPath`. */
  decline(canonicalPath: string, ledgerId: string): Promise<void> {
    return this.update((content) => {
      if (!content.declinedAdoptions.some((d) => d.canonicalPath === canonicalPath && d.ledgerId === ledgerId))
        content.declinedAdoptions.push({ canonicalPath, ledgerId });
    });
  }

  /**
   * Re-registers after an adoption: `copy` becomes the home of its folder, and the original's entry
   * (its folder gone) is dropped — its files stay where they are, named in `copy.adoptedFrom`.
   */
  recordAdoption(original: RegisteredLedger, copy: Omit<RegisteredLedger, 'registeredAt' | 'adoptedFrom'>): Promise<void> {
    const now = this.now();
    return this.update((content) => {
      content.ledgers = content.ledgers.filter(
        (l) =>
          !(l.canonicalPath === original.canonicalPath && samePath(l.directory, original.directory)) &&
          l.canonicalPath !== copy.canonicalPath &&
          !samePath(l.directory, copy.directory),
      );
      content.ledgers.push({
        ...copy,
        registeredAt: now,
        adoptedFrom: { directory: original.directory, canonicalPath: original.canonicalPath, at: now },
      });
    });
  }

  /** Re-reads the file under its lock, applies `change` and writes it back atomically; a damaged file is kept aside first. */
  async update<T>(change: (content: RegistryContent) => T): Promise<T> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const lock = await this.acquireLock();
    try {
      const read = this.readFile();
      if (read.kind === 'newer') {
        throw new Error(
          `The ledger registry ${this.file} was written by a newer version of Session Ledger (version ${String(read.version)}); it was left untouched. Update the extension.`,
        );
      }
      if (read.kind === 'damaged') {
        const aside = keptAsidePath(this.file, this.now());
        fs.renameSync(this.file, aside);
        this.options.onWarning?.({
          message: `The ledger registry ${this.file} was unreadable (${read.reason}); it was kept as ${aside} and is rebuilt as each project's ledger is opened. No ledger was touched.`,
          keptAsidePath: aside,
        });
      }
      const content = read.content;
      const value = change(content);
      const text = JSON.stringify({ format: FORMAT, version: VERSION, ...content }, null, 2) + '\n';
      writeFileAtomic(this.file, text, { durable: true });
      return value;
    } finally {
      lock.release();
    }
  }

  private readFile(): ReadResult {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent', content: empty() };
      return { kind: 'damaged', content: empty(), reason: (error as Error).message };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'damaged', content: empty(), reason: 'not JSON' };
    }
    const version = (parsed as { version?: unknown } | null)?.version;
    if ((parsed as { format?: unknown } | null)?.format === FORMAT && typeof version === 'number' && version > VERSION)
      return { kind: 'newer', content: empty(), version };
    const result = RegistryFileSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      return {
        kind: 'damaged',
        content: empty(),
        reason: `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'not a valid registry'}`,
      };
    }
    return { kind: 'ok', content: { ledgers: result.data.ledgers, declinedAdoptions: result.data.declinedAdoptions } };
  }

  private async acquireLock(): Promise<LockFile> {
    const lockPath = `${this.file}.lock`;
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 5_000);
    for (;;) {
      try {
        return LockFile.acquire(lockPath);
      } catch (error) {
        if (!(error instanceof StoreLockedError) || Date.now() > deadline) {
          throw new Error(`Could not update the ledger registry ${this.file}: ${(error as Error).message}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/** The git identity of a folder now; undefined when the folder is gone. */
function currentGitIdentity(folder: string): GitIdentity | undefined {
  return fs.existsSync(folder) ? readGitIdentity(folder) : undefined;
}

export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => (process.platform === 'win32' ? path.resolve(p).toLowerCase() : path.resolve(p));
  return norm(a) === norm(b);
}
