/**
 * The hook script Claude Code runs for every hook event (bundled to `dist/hookSpool.js`).
 *
 *   node hookSpool.js <spool file> [<hook event name>] [--session-ledger-hook]
 *
 * The spool path may instead come from the `SESSION_LEDGER_SPOOL` environment variable.
 * It reads the hook's JSON from stdin and appends ONE line to the spool:
 *
 *   {"receivedAt":"<ISO time>","event":"PreToolUse","payload":{…}}
 *   {"receivedAt":"<ISO time>","event":"PreToolUse","invalid":"<why>","raw":"<first bytes>"}
 *
 * Rules it keeps, because Claude Code waits for it:
 * - dependency-free (only `node:fs`), so it starts in a few tens of milliseconds;
 * - never blocks: stdin is read with a deadline ({@link STDIN_DEADLINE_MS});
 * - ALWAYS exits 0, whatever happens (garbage input, unwritable spool, exceptions), and
 *   prints nothing, so Claude Code never sees it as blocking or failing.
 *
 * Concurrency guarantee: the line is written with ONE `write(2)` of one buffer on a file
 * descriptor opened with `O_APPEND`. POSIX makes "seek to end + write" atomic for `O_APPEND`,
 * so concurrent writers never overwrite each other; on local Linux/macOS file systems a
 * single write to a regular file is also not interleaved with other writes (the inode lock
 * is held for the whole write), whatever its size — the PIPE_BUF limit applies to pipes,
 * not regular files. Windows' FILE_APPEND_DATA behaves the same. Not guaranteed on network
 * file systems (NFS emulates O_APPEND), which is why the spool lives in local extension
 * storage. A short write (disk full) is terminated with a newline so that at most that one
 * line is damaged; the ingester sets damaged lines aside.
 */
import * as fs from 'node:fs';
import { SPOOL_ENV_VAR } from './hookProtocol';

/** Claude Code closes stdin right after writing the payload; this is only a safety net. */
const STDIN_DEADLINE_MS = 2000;
/** Payloads above this are recorded as invalid rather than filling the spool. */
const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
const RAW_SAMPLE_CHARS = 2000;

function exitQuietly(): never {
  process.exit(0);
}

function spoolLine(text: string, eventArg: string | undefined): string {
  const receivedAt = new Date().toISOString();
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    const invalid = text.trim() === '' ? 'empty input' : `invalid JSON: ${(err as Error).message}`;
    return JSON.stringify({ receivedAt, event: eventArg ?? null, invalid, raw: text.slice(0, RAW_SAMPLE_CHARS) });
  }
  const named = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).hook_event_name : undefined;
  const event = typeof named === 'string' ? named : eventArg ?? null;
  return JSON.stringify({ receivedAt, event, payload });
}

function appendLine(spoolPath: string, line: string): void {
  const buffer = Buffer.from(line + '\n', 'utf8');
  const fd = fs.openSync(spoolPath, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  try {
    const written = fs.writeSync(fd, buffer, 0, buffer.length);
    if (written < buffer.length) fs.writeSync(fd, '\n');
  } finally {
    fs.closeSync(fd);
  }
}

function run(): void {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const spoolPath = args[0] || process.env[SPOOL_ENV_VAR];
  if (!spoolPath) exitQuietly();
  const eventArg = args[1];

  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    try {
      const text = size > MAX_PAYLOAD_BYTES ? '' : Buffer.concat(chunks).toString('utf8');
      const line =
        size > MAX_PAYLOAD_BYTES
          ? JSON.stringify({ receivedAt: new Date().toISOString(), event: eventArg ?? null, invalid: `payload over ${MAX_PAYLOAD_BYTES} bytes` })
          : spoolLine(text, eventArg);
      appendLine(spoolPath, line);
    } catch {
      // Unwritable spool or anything else: Claude Code must not notice.
    }
    exitQuietly();
  };

  setTimeout(finish, STDIN_DEADLINE_MS).unref();
  process.stdin.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
  });
  process.stdin.on('end', finish);
  process.stdin.on('error', finish);
}

process.on('uncaughtException', exitQuietly);
try {
  run();
} catch {
  exitQuietly();
}
