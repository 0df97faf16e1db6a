import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectTestCommand, readProjectTestFiles } from '../../../src/core/workflow/detectTestCommand';

describe('detectTestCommand', () => {
  it("runs package.json's test script through the package manager it names", () => {
    const pkg = (extra: object) => JSON.stringify({ name: 'x', scripts: { test: 'mocha' }, ...extra });
    assert.deepEqual(detectTestCommand({ packageJson: pkg({}) }), { command: 'npm test', source: 'package.json' });
    assert.equal(detectTestCommand({ packageJson: pkg({ packageManager: 'pnpm@9.1.0' }) })?.command, 'pnpm test');
    assert.equal(detectTestCommand({ packageJson: pkg({ packageManager: 'yarn@4.0.2' }) })?.command, 'yarn test');
    assert.equal(detectTestCommand({ packageJson: pkg({ packageManager: 'bun@1.1.0' }) })?.command, 'bun run test');
    assert.equal(detectTestCommand({ packageJson: `\uFEFF${pkg({})}` })?.command, 'npm test', 'a byte order mark is not an error');
  });

  it("skips npm init's placeholder, an empty or missing script and a package.json that is not JSON", () => {
    const placeholder = JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } });
    assert.equal(detectTestCommand({ packageJson: placeholder }), undefined);
    assert.equal(detectTestCommand({ packageJson: JSON.stringify({ scripts: { test: '  ' } }) }), undefined);
    assert.equal(detectTestCommand({ packageJson: JSON.stringify({ scripts: { build: 'tsc' } }) }), undefined);
    assert.equal(detectTestCommand({ packageJson: '{ "scripts": ' }), undefined);
    assert.equal(detectTestCommand({ packageJson: '[]' }), undefined);
    // …and then falls through to the next file.
    assert.deepEqual(detectTestCommand({ packageJson: placeholder, makefile: 'test:\n\tgo test ./...\n' }), {
      command: 'make test',
      source: 'Makefile',
    });
  });

  it('finds a test target in a Makefile, not a variable or a prerequisite named test', () => {
    const make = (text: string) => detectTestCommand({ makefile: text })?.command;
    assert.equal(make('build:\n\tcc x.c\n\ntest: build\n\t./run-tests\n'), 'make test');
    assert.equal(make('.PHONY: all test\ncheck test:\n\tprove\n'), 'make test');
    assert.equal(make('test::\n\tone\n'), 'make test');
    assert.equal(make('test := unit\nall:\n\techo $(test)\n'), undefined);
    assert.equal(make('.PHONY: test\nall: test\n'), undefined);
    assert.equal(make('all:\n\ttest: not a rule, a recipe line\n'), undefined);
    assert.equal(make('# test: commented out\n'), undefined);
  });

  it('runs pytest for a pyproject.toml that configures or depends on it, through Poetry or uv when used', () => {
    const py = (text: string) => detectTestCommand({ pyproject: text })?.command;
    assert.equal(py('[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'), 'pytest');
    assert.equal(py('[project]\noptional-dependencies = { test = ["pytest>=8", "hypothesis"] }\n'), 'pytest');
    assert.equal(py('[tool.poetry]\nname = "x"\n[tool.poetry.group.dev.dependencies]\npytest = "^8.0"\n'), 'poetry run pytest');
    assert.equal(py('[project]\nname = "x"\n[dependency-groups]\ndev = ["pytest"]\n'), 'uv run pytest');
    assert.equal(py('[project]\nname = "x"\ndependencies = ["requests"]\n'), undefined);
  });

  it('prefers package.json, then the Makefile, then pyproject.toml', () => {
    const all = { packageJson: JSON.stringify({ scripts: { test: 'vitest' } }), makefile: 'test:\n\tx\n', pyproject: '[tool.pytest]\n' };
    assert.equal(detectTestCommand(all)?.source, 'package.json');
    assert.equal(detectTestCommand({ ...all, packageJson: undefined })?.source, 'Makefile');
    assert.equal(detectTestCommand({ pyproject: all.pyproject })?.source, 'pyproject.toml');
    assert.equal(detectTestCommand({}), undefined);
  });

  it('reads the three files from a folder, leaving out the missing ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detect-test-'));
    try {
      assert.deepEqual(await readProjectTestFiles(dir), { packageJson: undefined, makefile: undefined, pyproject: undefined });
      writeFileSync(join(dir, 'Makefile'), 'test:\n\tsh check.sh\n');
      const files = await readProjectTestFiles(dir);
      assert.equal(files.makefile, 'test:\n\tsh check.sh\n');
      assert.deepEqual(detectTestCommand(files), { command: 'make test', source: 'Makefile' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
