// Checks the packaged .vsix (npm run package) against the allow-list of what ships.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const repoRoot = join(__dirname, '..', '..');

/** Reads the names (and, on request, the contents) of a zip's entries from its central directory. */
function readZip(file: string): Map<string, () => Buffer> {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, `${file} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, () => Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    entries.set(name, () => {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      return method === 0 ? data : inflateRawSync(data);
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const allowed = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package(\.nls)?\.json$/,
  /^extension\/l10n\/bundle\.l10n(\.[\w-]+)?\.json$/,
  /^extension\/(readme|changelog)\.md$/i,
  /^extension\/LICENSE(\.txt)?$/i,
  /^extension\/dist\/(extension|snapshotWorker|hookSpool|cli|cli-run|cli-mcp)\.js$/,
  /^extension\/dist\/sql-wasm\.wasm$/,
  /^extension\/dist\/webview\/[\w-]+\.(js|css)$/,
  /^extension\/dist\/codicons\/codicon\.(css|ttf)$/,
  /^extension\/migrations\/\d{4}_[\w-]+\.sql$/,
  /^extension\/migrations\/postgres\/(\d{4}_[\w-]+|setup-roles)\.sql$/,
  /^extension\/media\/[\w/.-]+$/,
];

describe('packaged .vsix', () => {
  const entries = readZip(join(repoRoot, 'session-ledger.vsix'));
  const names = [...entries.keys()];

  it('contains only allow-listed files', () => {
    const extra = names.filter((n) => !allowed.some((re) => re.test(n)));
    assert.deepEqual(extra, [], `files outside the allow-list: ${extra.join(', ')}`);
  });

  it('contains the bundle, the wasm, the migrations, the media and the docs', () => {
    for (const required of [
      'extension/dist/extension.js',
      'extension/dist/cli.js',
      'extension/dist/cli-run.js',
      'extension/dist/sql-wasm.wasm',
      'extension/media/icon.png',
      'extension/package.nls.json',
      'extension/l10n/bundle.l10n.json',
      'extension/media/walkthrough/first-session.md',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/LICENSE.txt',
    ]) {
      assert.ok(names.includes(required), `${required} is missing from the .vsix (has: ${names.join(', ')})`);
    }
    assert.ok(
      names.some((n) => /^extension\/migrations\/0001_.*\.sql$/.test(n)),
      'the first migration is missing',
    );
    // The team ledger's server schema, every file of it (the extension refuses a gap), and the admin's setup script.
    const pgFiles = readdirSync(join(repoRoot, 'migrations', 'postgres')).filter((f) => f.endsWith('.sql'));
    assert.ok(pgFiles.length >= 2);
    for (const file of pgFiles)
      assert.ok(names.includes(`extension/migrations/postgres/${file}`), `migrations/postgres/${file} is missing from the .vsix`);
  });

  it("leaves out the README's screenshots (media/readme: the Marketplace shows them through the README's links)", () => {
    const shots = names.filter((n) => n.startsWith('extension/media/readme/'));
    assert.deepEqual(shots, [], 'media/readme/ must not ship: see .vscodeignore');
  });

  it('ships a production bundle (minified, no source maps)', () => {
    assert.ok(!names.some((n) => n.endsWith('.map')), 'source maps must not ship');
    const bundle = entries.get('extension/dist/extension.js')!().toString('utf8');
    assert.ok(!bundle.includes('sourceMappingURL'), 'the bundle references a source map');
    // Minified code is a few very long lines (newlines survive only inside template strings).
    const averageLine = bundle.length / bundle.split('\n').length;
    assert.ok(averageLine > 500, `the bundle's lines average ${averageLine.toFixed(0)} characters: is it minified?`);
  });

  it('declares the wasm the store loads at run time', () => {
    const wasm = entries.get('extension/dist/sql-wasm.wasm')!();
    assert.equal(wasm.subarray(0, 4).toString('binary'), '\0asm');
  });
});
