import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { contiguousSeqs, openStore, temporaryDirectory } from './storeTestSupport';

const CHILD = path.join(__dirname, 'fixtures', 'appendUntilKilled.ts');
const ROUNDS = 20;

/** Runs the child until it has acknowledged `killAfterAcks` events (or, if 0, at a random moment after start), then SIGKILLs it. */
function runAndKill(directory: string, sessionId: string, tag: string, killAfterAcks: number, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, directory, sessionId, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: string[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (!killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // an incomplete line was not fully reported: it does not count
      for (const line of lines) {
        if (line === 'ready') {
          if (killAfterAcks === 0) setTimeout(kill, killAfterMs);
        } else {
          acknowledged.push(line);
        }
      }
      if (killAfterAcks > 0 && acknowledged.length >= killAfterAcks) kill();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

describe('SessionStore crash safety', function () {
  this.timeout(180_000);

  it(`keeps every acknowledged event with contiguous seqs across ${ROUNDS} SIGKILLs at random moments`, async () => {
    const directory = temporaryDirectory('ledger-crash-');
    const sessionId = randomUUID();
    const everAcknowledged: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const killAfterAcks = round % 4 === 3 ? 0 : 1 + Math.floor(Math.random() * 400);
      const acknowledged = await runAndKill(directory, sessionId, `r${round}`, killAfterAcks, Math.floor(Math.random() * 150));
      everAcknowledged.push(...acknowledged);

      const store = await openStore(directory);
      try {
        assert.deepEqual(
          store.warnings.filter((w) => w.kind !== 'corrupt-journal'),
          [],
          'only a torn tail may be found',
        );
        const seqs = contiguousSeqs(store, sessionId);
        const session = store.sessions.require(sessionId);
        assert.equal(session.eventCount, seqs.length);
        const missing = everAcknowledged.filter((id) => !store.events.get(id));
        assert.deepEqual(missing, [], `round ${round}: acknowledged events lost`);
      } finally {
        await store.close();
      }
    }
    assert.ok(everAcknowledged.length > ROUNDS, `the children acknowledged ${everAcknowledged.length} events`);
  });
});
