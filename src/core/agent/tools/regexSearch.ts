/*
 * Model-supplied regular expressions run in a worker thread, never on the extension host's thread:
 * JavaScript's backtracking matcher can take exponential time (`^(a+)+$` on forty "a"s and a "b"),
 * and only terminating the thread that runs it stops it. search_text hands the worker one file's
 * text at a time, takes matches as they are found and terminates the worker when its time budget
 * is spent or the step is cancelled, so what was found before is kept.
 *
 * The worker is the plain JavaScript below, evaluated by `new Worker(…, { eval: true })`: it needs
 * no bundle entry in esbuild.mjs and no TypeScript loader when run from source.
 */
import { Worker } from 'node:worker_threads';

export interface LineMatch {
  /** 1-based. */
  readonly line: number;
  /** The line's first 300 characters. */
  readonly text: string;
}

type FromWorker =
  | { type: 'match'; id: number; line: number; text: string }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; message: string };

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.pattern);
parentPort.on('message', ({ id, text, limit }) => {
	try {
		const lines = text.split('\\n');
		let found = 0;
		for (let i = 0; i < lines.length && found < limit; i++) {
			if (!re.test(lines[i])) continue;
			found++;
			parentPort.postMessage({ type: 'match', id, line: i + 1, text: lines[i].slice(0, 300) });
		}
		parentPort.postMessage({ type: 'done', id });
	} catch (error) {
		parentPort.postMessage({ type: 'failed', id, message: String(error && error.message || error) });
	}
});
`;

interface Pending {
  readonly id: number;
  readonly onMatch: (match: LineMatch) => void;
  resolve(): void;
  reject(error: Error): void;
}

/** One worker thread testing lines against one regular expression (already known to compile). */
export class RegexLineMatcher {
  private readonly worker: Worker;
  private pending: Pending | undefined;
  private stopped: Error | undefined;
  private nextId = 1;

  constructor(pattern: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pattern }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.stop(new Error(`the search worker failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.stop(new Error(`the search worker stopped (exit code ${code})`)));
  }

  /** Tests each line of `text` (split at "\n"); calls `onMatch` for at most `limit` matching lines, in order, as they are found. */
  match(text: string, limit: number, onMatch: (match: LineMatch) => void): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (this.pending) return Promise.reject(new Error('RegexLineMatcher.match: the previous file is not done yet'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending = { id, onMatch, resolve, reject };
      this.worker.postMessage({ id, text, limit });
    });
  }

  /** Stops the worker, also in the middle of a match. */
  async terminate(): Promise<void> {
    this.stop(new Error('the search was stopped'));
    await this.worker.terminate();
  }

  private receive(message: FromWorker): void {
    const pending = this.pending;
    if (!pending || message.id !== pending.id) return;
    if (message.type === 'match') {
      pending.onMatch({ line: message.line, text: message.text });
      return;
    }
    this.pending = undefined;
    if (message.type === 'done') pending.resolve();
    else pending.reject(new Error(message.message));
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(reason);
  }
}
