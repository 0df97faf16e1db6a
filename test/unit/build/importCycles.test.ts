import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCycles } from '../../../scripts/importCycles';

const repoRoot = join(__dirname, '..', '..', '..');

describe('import graph', () => {
  it('has no import circle in src (type-only imports count)', () => {
    assert.deepEqual(importCycles(join(repoRoot, 'src')), []);
  });

  it('finds a circle, through a type-only import, a re-export or an index file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-cycles-'));
    try {
      mkdirSync(join(dir, 'store'));
      writeFileSync(join(dir, 'store', 'index.ts'), "export { open } from './open';\n");
      writeFileSync(join(dir, 'store', 'open.ts'), "import type { Warning } from '../warning';\nexport const open = (w?: Warning) => w;\n");
      writeFileSync(join(dir, 'warning.ts'), "import { open } from './store';\nexport type Warning = ReturnType<typeof open>;\n");
      writeFileSync(join(dir, 'alone.ts'), "import { open } from './store';\nexport const x = open;\n");
      assert.deepEqual(importCycles(dir), [[join('store', 'index.ts'), join('store', 'open.ts'), 'warning.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
