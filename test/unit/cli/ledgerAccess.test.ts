import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { defaultUserDataDirs, registryFileOf, registryFiles } from '../../../src/cli/ledgerAccess';

describe('session-ledger command line: where VS Code keeps the ledger registry', () => {
  it('knows desktop VS Code (Linux, macOS, Windows), Insiders, VSCodium and code-server', () => {
    assert.deepEqual(defaultUserDataDirs({}, 'linux', '/home/ann'), [
      '/home/ann/.config/Code',
      '/home/ann/.config/Code - Insiders',
      '/home/ann/.config/VSCodium',
      '/home/ann/.local/share/code-server',
    ]);
    assert.deepEqual(
      defaultUserDataDirs({ XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: '/data' }, 'linux', '/home/ann').filter(
        (d) => d.endsWith('Code') || d.endsWith('code-server'),
      ),
      ['/cfg/Code', '/data/code-server'],
    );
    assert.equal(defaultUserDataDirs({}, 'darwin', '/Users/ann')[0], '/Users/ann/Library/Application Support/Code');
    assert.equal(
      defaultUserDataDirs({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann')[0],
      path.join('C:\\Users\\ann\\AppData\\Roaming', 'Code'),
    );
    assert.equal(
      registryFileOf('/home/ann/.config/Code'),
      path.join('/home/ann/.config/Code', 'User', 'globalStorage', 'session-ledger.session-ledger', 'ledger-registry.json'),
    );
  });

  it('takes --registry over $SESSION_LEDGER_REGISTRY over the global storage folder', () => {
    const env = { SESSION_LEDGER_REGISTRY: '/env/registry.json' };
    assert.deepEqual(registryFiles({ registry: 'r.json', env, cwd: '/work', globalStorage: '/gs' }), {
      files: [path.resolve('/work', 'r.json')],
      explicit: true,
    });
    assert.deepEqual(registryFiles({ env, cwd: '/work', globalStorage: '/gs' }), { files: ['/env/registry.json'], explicit: true });
    assert.deepEqual(registryFiles({ env: {}, cwd: '/work', globalStorage: '/gs' }), {
      files: [path.join('/gs', 'ledger-registry.json')],
      explicit: true,
    });
  });
});
