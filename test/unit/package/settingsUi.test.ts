import { strict as assert } from 'node:assert';
import { localize, readManifest } from './manifestFiles';

describe('settings in the Settings editor', () => {
  const { pkg, nls } = readManifest();
  const properties = Object.entries(pkg.contributes.configuration.properties);

  it('describes every setting in Markdown, and every value of an enum', () => {
    for (const [name, p] of properties) {
      assert.equal(p.description, undefined, `${name}: use markdownDescription, not description`);
      assert.ok(localize(nls, p.markdownDescription)?.trim(), `${name} has no markdownDescription`);
      if (p.enum) {
        assert.equal(p.enumDescriptions?.length, p.enum.length, `${name}: one enumDescription per enum value`);
        for (const d of p.enumDescriptions!) assert.ok(localize(nls, d)?.trim(), `${name}: an empty enumDescription`);
      }
    }
  });

  it('orders every setting, each at its own place', () => {
    const orders = properties.map(([name, p]) => {
      assert.ok(Number.isInteger(p.order), `${name} has no integer order`);
      return p.order as number;
    });
    assert.equal(new Set(orders).size, orders.length, 'two settings share an order');
  });

  it('gives every setting a scope; executables are machine-overridable, the API endpoint in user settings only', () => {
    const scopes = new Set(['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable']);
    for (const [name, p] of properties) assert.ok(p.scope && scopes.has(p.scope), `${name} has scope ${p.scope}`);
    const scope = (name: string) => properties.find(([n]) => n === name)?.[1].scope;
    assert.equal(scope('sessionLedger.claudePath'), 'machine-overridable');
    // Where the API key is sent: a workspace must not be able to choose it, and a remote window must
    // honour the user's value ('machine' reads only the remote's own settings there).
    assert.equal(scope('sessionLedger.anthropicBaseUrl'), 'application');
    // Machine scopes ignore user settings in a remote window (code-server, SSH, WSL): people (and the test harness)
    // raise this one there when their shell starts slowly.
    assert.equal(scope('sessionLedger.shellIntegrationTimeoutMs'), 'window');
  });

  it('keeps secrets out of settings (the API key lives in SecretStorage)', () => {
    const secretLike = properties.map(([name]) => name).filter((name) => /api.?key|token$|secret|password|connection.?string/i.test(name));
    assert.deepEqual(secretLike, []);
  });
});
