/*
 * Issue 14, item 6: the journal keeps zero-filled space ahead of its records (so a record's
 * fdatasync overwrites allocated blocks), but the zeros are flushed by their own fdatasync after a
 * batch is acknowledged, never carried by a record's: a record's acknowledgement does not wait for
 * megabytes of zeros. Observed through the journal's file-operations seam.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSegment, type JournalRecord } from '../../../src/core/store/journalRecord';
import { JournalWriter, nodeJournalFiles, type JournalFiles } from '../../../src/core/store/journalWriter';
import { journalFiles, temporaryDirectory } from './storeTestSupport';

type Operation = { kind: 'write-zeros' | 'write-record'; bytes: number } | { kind: 'fdatasync'; id: number };

/** Node's fs, logging writes (zeros or records) and fdatasyncs; `holdZeroSyncs` keeps the zeros' fdatasync from completing until released. */
function loggingFiles(log: Operation[], options: { holdZeroSyncs?: boolean } = {}) {
  const held: (() => void)[] = [];
  let zerosSinceSync = false;
  let syncs = 0;
  const files: JournalFiles = {
    ...nodeJournalFiles,
    writeSync(fd, buffer, offset, length, position) {
      const zeros = buffer.subarray(offset, offset + length).every((byte) => byte === 0);
      log.push({ kind: zeros ? 'write-zeros' : 'write-record', bytes: length });
      if (zeros) zerosSinceSync = true;
      return nodeJournalFiles.writeSync(fd, buffer, offset, length, position);
    },
    fdatasync(fd, callback) {
      const id = ++syncs;
      log.push({ kind: 'fdatasync', id });
      const carriesZeros = zerosSinceSync;
      zerosSinceSync = false;
      if (options.holdZeroSyncs && carriesZeros) held.push(() => nodeJournalFiles.fdatasync(fd, callback));
      else nodeJournalFiles.fdatasync(fd, callback);
    },
  };
  return { files, release: () => held.splice(0).forEach((run) => run()), held: () => held.length };
}

const record = (recordNumber: number): JournalRecord => ({
  recordNumber,
  statements: [['INSERT INTO t VALUES (?)', [`record ${recordNumber} `.repeat(40)]]],
});

describe('journal zeros ahead of the records (issue 14, item 6)', function () {
  this.timeout(30_000);
  let directory: string;
  let writer: JournalWriter<number> | undefined;

  beforeEach(() => {
    directory = temporaryDirectory('ledger-zeros-');
  });
  afterEach(async () => {
    await writer?.close();
    writer = undefined;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('never makes a record wait for zeros: they are written after its fdatasync and flushed by their own', async () => {
    const log: Operation[] = [];
    const { files } = loggingFiles(log);
    writer = JournalWriter.open<number>(directory, 1, () => undefined, { files, fileCheckMs: 0 });
    for (let n = 1; n <= 20; n++) await writer.append(record(n), n);
    await writer.close();
    writer = undefined;
    assert.ok(
      log.some((op) => op.kind === 'write-zeros'),
      'zeros are written ahead of the records',
    );
    // Between zeros written and the next record written, an fdatasync of the zeros alone was started.
    for (let i = 0; i < log.length; i++) {
      if (log[i].kind !== 'write-zeros') continue;
      const nextRecord = log.findIndex((op, j) => j > i && op.kind === 'write-record');
      const nextSync = log.findIndex((op, j) => j > i && op.kind === 'fdatasync');
      assert.ok(
        nextSync > i && (nextRecord < 0 || nextSync < nextRecord),
        `zeros at operation ${i} are flushed before any record is written after them: ${JSON.stringify(log.slice(Math.max(0, i - 2), i + 4))}`,
      );
    }
    const [segment] = journalFiles(directory);
    const decoded = decodeSegment(fs.readFileSync(segment));
    assert.deepEqual(
      decoded.records.map((r) => r.recordNumber),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.ok(fs.statSync(segment).size >= decoded.validBytes + 1024 * 1024, 'at least a megabyte of zeros stays ahead of the records');
    assert.equal(decoded.damage, undefined, 'the zeros read as the clean end of the segment');
  });

  it('acknowledges records while the zeros are still being flushed, and closes only once they are', async () => {
    const log: Operation[] = [];
    const { files, release, held } = loggingFiles(log, { holdZeroSyncs: true });
    let closed = 0;
    writer = JournalWriter.open<number>(directory, 1, () => undefined, {
      files: { ...files, closeSync: (fd) => (closed++, nodeJournalFiles.closeSync(fd)) },
      fileCheckMs: 0,
    });
    await writer.append(record(1), 1);
    assert.equal(held(), 1, 'the first acknowledgement started the zeros’ fdatasync (held here)');
    for (let n = 2; n <= 5; n++) await writer.append(record(n), n); // would hang if a record's acknowledgement waited for the zeros
    const closing = writer.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(closed, 0, 'the segment is not closed while its zeros are being flushed');
    release();
    await closing;
    writer = undefined;
    assert.equal(closed, 1);
    const decoded = decodeSegment(fs.readFileSync(path.join(journalFiles(directory)[0])));
    assert.deepEqual(
      decoded.records.map((r) => r.recordNumber),
      [1, 2, 3, 4, 5],
    );
  });

  it('a failing flush of the zeros cuts them off and the records go on, each flushed by its own fdatasync', async () => {
    let failZeros = true;
    let zerosWritten = false;
    const files: JournalFiles = {
      ...nodeJournalFiles,
      writeSync(fd, buffer, offset, length, position) {
        if (buffer.subarray(offset, offset + length).every((byte) => byte === 0)) zerosWritten = true;
        return nodeJournalFiles.writeSync(fd, buffer, offset, length, position);
      },
      fdatasync(fd, callback) {
        const zeros = zerosWritten;
        zerosWritten = false;
        if (zeros && failZeros) setImmediate(() => callback(Object.assign(new Error('EIO: injected'), { code: 'EIO' })));
        else nodeJournalFiles.fdatasync(fd, callback);
      },
    };
    writer = JournalWriter.open<number>(directory, 1, () => undefined, { files, fileCheckMs: 0 });
    await writer.append(record(1), 1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the zeros' fdatasync fails meanwhile
    failZeros = false;
    for (let n = 2; n <= 5; n++) await writer.append(record(n), n);
    assert.equal(writer.failed, undefined, 'the journal still works');
    await writer.close();
    writer = undefined;
    const [segment] = journalFiles(directory);
    const decoded = decodeSegment(fs.readFileSync(segment));
    assert.deepEqual(
      decoded.records.map((r) => r.recordNumber),
      [1, 2, 3, 4, 5],
    );
    assert.equal(fs.statSync(segment).size, decoded.validBytes, 'no zeros left after the records');
  });
});
