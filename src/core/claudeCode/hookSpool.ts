/**
 * The hook script Claude Code runs for every hook event (bundled to `dist/hookSpool.js`).
 *
 *   node hookSpool.js <spool file> [<hook event name>] [--session-ledger-hook]
 *
 * The spool path may instead come from the `SESSION_LEDGER_SPOOL` environment variable.
 * It reads the hook's JSON from stdin and appends ONE line to the spool:
 *
 *   {"receivedAt":"<ISO time>","nonce":"<32 hex>","event":"PreToolUse","payload":{…}}
 *   {"receivedAt":"<ISO time>","nonce":"<32 hex>","event":"PreToolUse","invalid":"<why>","raw":"<first bytes>"}
 *
 * The nonce (128 random bits) makes every line unique: Claude Code can fire the same hook with
 * the same payload twice within one millisecond (parallel tool calls, a fast loop), and the
 * ingester names an event by the hash of its line, so without it the second event would be taken
 * for a re-read of the first and dropped. The payload is the hook's JSON text as received (only
 * its line breaks, which JSON allows only between tokens, become spaces), not re-serialised: a
 * number is then seen by the ingester exactly as Claude Code wrote it (`1e999` is not silently
 * turned into `null`, a 20-digit count not rounded), and a payload too deeply nested to serialise
 * is still recorded.
 *
 * Rules it keeps, because Claude Code waits for it:
 * - dependency-free (only `node:fs` and `node:crypto`), so it starts in a few tens of milliseconds;
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
 *
 * Rotation guarantee: the ingester renames a fully read spool aside, reads it for a grace period
 * and deletes it (see hookIngestion.ts). A hook that opened the spool just before the rename writes
 * into the renamed file, and one held up between its open and its write (a loaded machine, a
 * laptop suspended) could write after that file's last read, into a deleted file. So after its
 * write the script checks that the file it wrote to is still the one at the spool path (same
 * device and inode); if not, it appends the same line again to the live spool. Thanks to the
 * nonce the two copies are the same bytes, hence the same event id: whichever copies are read,
 * the event is stored once.
 */
import { randomBytes } from 'node:crypto';
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

/** 128 random bits: unique per line, so identical payloads in the same millisecond stay two events. */
const newNonce = (): string => randomBytes(16).toString('hex');

/** The line's fields before the payload, serialised once: `{"receivedAt":…,"nonce":…,"event":…` without the closing brace. */
const lineHead = (event: string | null): string =>
  JSON.stringify({ receivedAt: new Date().toISOString(), nonce: newNonce(), event }).slice(0, -1);

const invalidLine = (event: string | null, invalid: string, raw?: string): string =>
  `${lineHead(event)},${JSON.stringify(raw === undefined ? { invalid } : { invalid, raw }).slice(1)}`;

function spoolLine(text: string, eventArg: string | undefined): string {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    const invalid = text.trim() === '' ? 'empty input' : `invalid JSON: ${(err as Error).message}`;
    return invalidLine(eventArg ?? null, invalid, text.slice(0, RAW_SAMPLE_CHARS));
  }
  const named = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).hook_event_name : undefined;
  const event = typeof named === 'string' ? named : (eventArg ?? null);
  // Valid JSON has no raw CR/LF inside its strings, so replacing them keeps the same value on one line.
  return `${lineHead(event)},"payload":${text.trim().replace(/[\r\n]/g, ' ')}}`;
}

/** Writes of one line at most: a spool is rotated at most once per grace period, and a hook writes within milliseconds. */
const MAX_WRITES = 3;

/** Whether `spoolPath` still names the file `written` describes (not renamed aside or deleted since). */
function stillTheSpool(spoolPath: string, written: fs.Stats): boolean {
  try {
    const now = fs.statSync(spoolPath);
    return now.ino === written.ino && now.dev === written.dev;
  } catch {
    return false;
  }
}

/** Appends `line` in one write, and again to the live spool when the file written to was rotated aside meanwhile (see the notes at the top). */
function appendLine(spoolPath: string, line: string): void {
  const buffer = Buffer.from(line + '\n', 'utf8');
  for (let attempt = 0; attempt < MAX_WRITES; attempt++) {
    const fd = fs.openSync(spoolPath, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    let written: fs.Stats;
    try {
      if (fs.writeSync(fd, buffer, 0, buffer.length) < buffer.length) fs.writeSync(fd, '\n');
      written = fs.fstatSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (stillTheSpool(spoolPath, written)) return;
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
        size > MAX_PAYLOAD_BYTES ? invalidLine(eventArg ?? null, `payload over ${MAX_PAYLOAD_BYTES} bytes`) : spoolLine(text, eventArg);
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
