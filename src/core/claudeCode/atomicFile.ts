import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `file` through a temp file and a rename, so a reader never sees half of it. */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}
