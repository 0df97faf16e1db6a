import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { writeFileAtomic } from '../../../src/core/store/storeFiles';
import { ManualClock, openStore, temporaryDirectory } from './storeTestSupport';

describe('store helpers used outside the store', () => {
  describe('writeFileAtomic', () => {
    let dir: string;
    beforeEach(() => {
      dir = temporaryDirectory('atomic-write-');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('replaces a file whole, creating its folder, and leaves no temporary file', () => {
      const file = path.join(dir, 'nested', 'state.json');
      writeFileAtomic(file, '{"a":1}');
      writeFileAtomic(file, new Uint8Array(Buffer.from('{"a":2}')));
      assert.equal(fs.readFileSync(file, 'utf8'), '{"a":2}');
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['state.json']);
    });

    it('durable: writes text or bytes through a synced temporary file, into a folder that must exist', () => {
      const file = path.join(dir, 'registry.json');
      writeFileAtomic(file, 'first', { durable: true });
      writeFileAtomic(file, Buffer.from('second ✓', 'utf8'), { durable: true });
      assert.equal(fs.readFileSync(file, 'utf8'), 'second ✓');
      assert.deepEqual(fs.readdirSync(dir), ['registry.json']);
      assert.throws(() => writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'x', { durable: true }), /ENOENT/);
    });
  });

  describe('sessions.listAll', () => {
    let store: SessionStore;
    before(async () => {
      const clock = new ManualClock();
      store = await openStore(temporaryDirectory(), { clock });
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        const session = await store.sessions.create({ type: 'test-fix', title: `Session ${i}`, intention: 'x' });
        if (i % 2 === 1) await store.sessions.update(session.id, { status: 'paused' });
        if (i === 4) await store.sessions.softDelete(session.id);
      }
    });
    after(() => store.close());

    it('returns what list returns without a page limit, filters included', () => {
      assert.deepEqual(store.sessions.listAll(), store.sessions.list({ limit: 10_000 }));
      assert.equal(store.sessions.listAll().length, 4);
      assert.equal(store.sessions.listAll({ deleted: 'include' }).length, 5);
      assert.deepEqual(
        store.sessions.listAll({ status: 'paused' }).map((s) => s.title),
        ['Session 3', 'Session 1'],
      );
    });
  });
});
