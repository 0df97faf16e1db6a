import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The files a project's test command is read from (their text; absent ones undefined). */
export interface ProjectTestFiles {
  readonly packageJson?: string;
  readonly makefile?: string;
  readonly pyproject?: string;
}

export interface DetectedTestCommand {
  /** A shell command that runs the project's tests from its root, e.g. `npm test`. */
  readonly command: string;
  /** Which file said so, to show the person where it came from. */
  readonly source: 'package.json' | 'Makefile' | 'pyproject.toml';
}

/** What `npm init` writes as the test script: not a test command. */
const NPM_INIT_PLACEHOLDER = /no test specified/i;

/**
 * Guesses the project's test command — a suggestion the person confirms, never run unasked:
 * `scripts.test` of package.json (through the package manager it names), else a `test:` target
 * of the Makefile, else pytest when pyproject.toml configures or depends on it.
 */
export function detectTestCommand(files: ProjectTestFiles): DetectedTestCommand | undefined {
  return fromPackageJson(files.packageJson) ?? fromMakefile(files.makefile) ?? fromPyproject(files.pyproject);
}

function fromPackageJson(text: string | undefined): DetectedTestCommand | undefined {
  if (text === undefined) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const { scripts, packageManager } = manifest as { scripts?: unknown; packageManager?: unknown };
  const test = typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>).test : undefined;
  if (typeof test !== 'string' || test.trim() === '' || NPM_INIT_PLACEHOLDER.test(test)) return undefined;
  // "packageManager": "pnpm@9.1.0" (Corepack) names the tool the project expects.
  const manager = typeof packageManager === 'string' ? /^(npm|pnpm|yarn|bun)@/.exec(packageManager)?.[1] : undefined;
  const command = manager === 'bun' ? 'bun run test' : `${manager ?? 'npm'} test`;
  return { command, source: 'package.json' };
}

function fromMakefile(text: string | undefined): DetectedTestCommand | undefined {
  if (text === undefined) return undefined;
  // A rule whose targets include `test` (`test:`, `test check:`, `test::`), not a variable (`test := …`).
  const hasTarget = text.split(/\r?\n/).some((line) => {
    const rule = /^([^\s:=#][^:=#]*?)\s*::?(?!=)/.exec(line);
    return rule !== null && rule[1]!.split(/\s+/).includes('test');
  });
  return hasTarget ? { command: 'make test', source: 'Makefile' } : undefined;
}

function fromPyproject(text: string | undefined): DetectedTestCommand | undefined {
  if (text === undefined) return undefined;
  const configured = /^\s*\[tool\.pytest(\.ini_options)?\]/m.test(text);
  // A dependency on pytest: `"pytest>=8"` in a list, or `pytest = "^8"` in a Poetry table.
  const dependedOn = /["']pytest\b/.test(text) || /^\s*pytest\s*=/m.test(text);
  if (!configured && !dependedOn) return undefined;
  const runner = /^\s*\[tool\.poetry\]/m.test(text)
    ? 'poetry run '
    : /^\s*\[tool\.uv\]/m.test(text) || /^\s*\[dependency-groups\]/m.test(text)
      ? 'uv run '
      : '';
  return { command: `${runner}pytest`, source: 'pyproject.toml' };
}

/** Larger files are not read (a generated package.json or Makefile of this size is not a project's own). */
const MAX_FILE_BYTES = 1024 * 1024;

/** Reads the files {@link detectTestCommand} looks at from a project folder; missing or unreadable ones are left out. */
export async function readProjectTestFiles(folder: string): Promise<ProjectTestFiles> {
  const read = async (name: string): Promise<string | undefined> => {
    try {
      const buffer = await readFile(join(folder, name));
      return buffer.byteLength > MAX_FILE_BYTES ? undefined : buffer.toString('utf8');
    } catch {
      return undefined;
    }
  };
  const [packageJson, makefile, pyproject] = await Promise.all([read('package.json'), read('Makefile'), read('pyproject.toml')]);
  return { packageJson, makefile, pyproject };
}
