import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installedHookScriptPath, installHookScript } from '../../../src/core/claudeCode/hookScriptInstall';
import { tempDir } from './testStore';

describe('hook script install (stable copy in the extension storage)', () => {
  it('copies the bundled script once, leaves an identical copy alone, and replaces a different one', () => {
    const extension = tempDir('ext-0.1.0');
    const storage = path.join(tempDir('storage'), 'not-yet-created');
    const bundled = path.join(extension, 'hookSpool.js');
    fs.writeFileSync(bundled, 'console.log("v1")');
    const target = installedHookScriptPath(storage);
    assert.equal(path.dirname(target), storage);

    assert.equal(installHookScript(bundled, target), 'installed');
    assert.equal(fs.readFileSync(target, 'utf8'), 'console.log("v1")');
    const before = fs.statSync(target).mtimeMs;
    assert.equal(installHookScript(bundled, target), 'unchanged');
    assert.equal(fs.statSync(target).mtimeMs, before, 'not rewritten');

    // An update: a new extension folder with a new script, the old folder gone.
    const updated = path.join(tempDir('ext-0.2.0'), 'hookSpool.js');
    fs.writeFileSync(updated, 'console.log("v2")');
    fs.rmSync(extension, { recursive: true });
    assert.equal(installHookScript(updated, target), 'updated');
    assert.equal(fs.readFileSync(target, 'utf8'), 'console.log("v2")');
    assert.deepEqual(fs.readdirSync(storage), ['hookSpool.js'], 'no temp file left behind');
  });

  it('says which script is missing', () => {
    const dir = tempDir('ext');
    assert.throws(
      () => installHookScript(path.join(dir, 'dist', 'hookSpool.js'), path.join(dir, 'copy.js')),
      /hookSpool\.js is missing.*reinstall/,
    );
  });
});
