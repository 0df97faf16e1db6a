import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportLedger, serializeLedgerExport } from '../../core/ledger/ledgerExport';
import { describeImportProblem, LedgerImportError, parseLedgerExport } from '../../core/ledger/importValidation';
import { importLedger } from '../../core/ledger/ledgerImport';
import { importClaudeTranscripts } from '../../core/claudeCode/transcriptImport';
import { describeTranscriptImport } from '../../core/claudeCode/transcriptImportReport';
import { loadPricing } from '../../core/agent/pricing';
import { writeFileAtomic } from '../../core/store/storeFiles';
import { CliError, EXIT } from '../cliError';
import { listOption, stringOption, type Command, type CommandContext } from '../command';
import { resolveSession } from './browse';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export sessions as lossless JSON (the format "Export All Sessions" writes)',
  usage: 'session-ledger export [--out <file>] [--session <id|slug>]... [--absolute-paths]',
  help: `Writes the JSON to stdout, or to --out <file> (written atomically).

Options:
  --out <file>         write to this file instead of stdout
  --session <id|slug>  export only this session (repeatable; default: every session)
  --absolute-paths     keep absolute paths (default: paths under a session's folder become
                       relative to it, the home directory becomes ~)
Secrets matching the built-in patterns are redacted, as in the editor's export.`,
  options: { out: { type: 'string' }, session: { type: 'string', multiple: true }, 'absolute-paths': { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(context: CommandContext): Promise<number> {
    const { store } = await context.openLedger(false);
    const refs = listOption(context.values, 'session');
    const ids = refs.length ? refs.map((ref) => resolveSession(store, ref).id) : undefined;
    const data = exportLedger(store, ids, context.now, {
      workspaceFolder: context.cwd,
      absolutePaths: Boolean(context.values['absolute-paths']),
    });
    const text = serializeLedgerExport(data);
    const out = stringOption(context.values, 'out');
    if (out) {
      const file = path.resolve(context.cwd, out);
      try {
        writeFileAtomic(file, text, { durable: true });
      } catch (error) {
        throw new CliError(`Could not write ${file}: ${(error as Error).message}. Check that its folder exists and is writable.`);
      }
      context.err(`Exported ${data.sessions.length} session(s) to ${file}.\n`);
    } else {
      context.out(text.endsWith('\n') ? text : `${text}\n`);
    }
    return EXIT.ok;
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a JSON export (merges: records already here are kept)',
  usage: 'session-ledger import <file> [--json]',
  help: `Imports everything in one transaction: an invalid file changes nothing. Records whose id
already holds different content here are conflicts: reported, the stored record kept.
Refused (exit 3) while VS Code holds the ledger: import there, or close the window first.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run(context: CommandContext): Promise<number> {
    const file = path.resolve(context.cwd, context.positionals[0]!); // positionals: { min: 1 }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`Could not read ${file}: ${(error as Error).message}.`);
    }
    let data;
    try {
      data = parseLedgerExport(text, file);
    } catch (error) {
      throw new CliError(`${(error as Error).message}`);
    }
    const { store } = await context.openLedger(true);
    let report;
    try {
      report = await importLedger(store, data, { file, workspaceFolder: context.cwd });
    } catch (error) {
      if (error instanceof LedgerImportError) throw new CliError(`${error.message}\nNothing was imported.`);
      throw error;
    }
    if (context.values.json) {
      context.out(JSON.stringify(report, null, 2) + '\n');
    } else {
      context.out(
        `Imported ${report.sessionsAdded} new session(s), completed ${report.sessionsMerged}; ${report.recordsAdded} record(s) added, ${report.recordsUnchanged} already here.\n`,
      );
      for (const conflict of report.conflicts.slice(0, 10)) context.err(`conflict: ${describeImportProblem(conflict)}\n`);
      if (report.conflicts.length > 10) context.err(`… ${report.conflicts.length - 10} more conflicts (see --json).\n`);
    }
    return report.conflicts.length ? EXIT.failure : EXIT.ok;
  },
};

export const importClaudeCommand: Command = {
  name: 'import-claude',
  summary: "Import a folder's Claude Code transcripts (incremental)",
  usage: 'session-ledger import-claude [--dir <project folder>] [--claude-config <dir>] [--json]',
  help: `Reads the transcripts Claude Code keeps for a project folder (~/.claude/projects/<folder>/)
and adds what is new since the last import. Progress goes to stderr.

Options:
  --dir <folder>          the project folder whose transcripts to import (default: the current one)
  --claude-config <dir>   Claude Code's configuration folder (default: $CLAUDE_CONFIG_DIR, else ~/.claude)
Refused (exit 3) while VS Code holds the ledger: it imports by itself there.`,
  options: { dir: { type: 'string' }, 'claude-config': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(context: CommandContext): Promise<number> {
    const workspacePath = path.resolve(context.cwd, stringOption(context.values, 'dir') ?? '.');
    if (!fs.existsSync(workspacePath))
      throw new CliError(`The folder ${workspacePath} does not exist. Pass the project folder with --dir.`, EXIT.usage);
    const configDir = stringOption(context.values, 'claude-config');
    const { store, directory } = await context.openLedger(true);
    // The extension keeps its import state beside its `ledger` folder; a ledger elsewhere keeps it inside.
    const statePath =
      path.basename(directory) === 'ledger'
        ? path.join(path.dirname(directory), 'claude-transcripts.json')
        : path.join(directory, 'claude-transcripts.json');
    let lastProgress = 0;
    const report = await importClaudeTranscripts(store, {
      workspacePath,
      statePath,
      pricing: loadPricing(),
      ...(configDir ? { configDir: path.resolve(context.cwd, configDir) } : {}),
      signal: context.signal,
      onProgress: (p) => {
        if (Date.now() - lastProgress < 500) return;
        lastProgress = Date.now();
        context.err(
          `importing: ${p.filesDone}/${p.filesTotal} files, ${Math.round(p.bytesDone / 1048576)} of ${Math.round(p.bytesTotal / 1048576)} MB\n`,
        );
      },
    });
    if (context.values.json) context.out(JSON.stringify(report, null, 2) + '\n');
    else context.out(describeTranscriptImport(report) + '\n');
    if (report.cancelled) return EXIT.interrupted;
    return report.filesFailed.length ? EXIT.failure : EXIT.ok;
  },
};
