import type { Readable } from 'node:stream';
import { MalformedResponseError } from './errors.js';

/** Lines queued before the body is paused, so a slow consumer does not make the queue grow without end. */
const HIGH_WATER = 256;
/** The longest line accepted (16 MiB): a server that never sends a newline cannot grow memory without bound. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 10;

/** What {@link LineReader.poll} answers when the next line has not arrived yet. */
export const PENDING: unique symbol = Symbol('pending');

/**
 * Splits a body into lines as its bytes arrive. It works on bytes, not decoded text: a newline byte never
 * occurs inside a multi-byte UTF-8 character, so each line is decoded once, whole, without a StringDecoder
 * and without re-concatenating a growing string. Lines are queued from `data` events rather than read
 * through the stream's async iterator, which costs a promise per network chunk.
 */
export class LineReader {
  private readonly lines: string[] = [];
  private head = 0;
  private partial: Buffer | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => this.push(chunk);

  constructor(private readonly body: Readable) {
    body.on('data', this.onData);
    body.once('end', () => {
      this.ended = true;
      this.notify();
    });
    body.once('error', (error: unknown) => {
      this.failure ??= { error };
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (newline !== -1 && this.partial !== undefined) {
      this.lines.push(Buffer.concat([this.partial, chunk.subarray(0, newline)]).toString('utf8'));
      this.partial = undefined;
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      this.lines.push(chunk.toString('utf8', start, newline));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial = this.partial === undefined ? rest : Buffer.concat([this.partial, rest]);
      if (this.partial.length > MAX_LINE_BYTES) {
        const excerpt = this.partial.toString('utf8', 0, 200);
        this.partial = undefined;
        this.failure ??= { error: new MalformedResponseError(excerpt) };
        this.body.destroy();
      }
    }
    if (this.lines.length - this.head > HIGH_WATER) this.body.pause();
    this.notify();
  }

  /**
   * The next line if one is known now: a line, `undefined` once the body ended (the last, unterminated line
   * included), or {@link PENDING} when the next bytes have not arrived. Throws the body's error. Most lines
   * of a stream are already queued when asked for, and this answers them without a promise.
   */
  poll(): string | undefined | typeof PENDING {
    if (this.head < this.lines.length) {
      const line = this.lines[this.head++] as string;
      if (this.head === this.lines.length) {
        this.lines.length = 0;
        this.head = 0;
        if (this.body.isPaused()) this.body.resume();
      }
      return line;
    }
    if (this.failure !== undefined) throw this.failure.error;
    if (this.ended) {
      const rest = this.partial;
      this.partial = undefined;
      return rest?.toString('utf8');
    }
    return PENDING;
  }

  /** The next line, waiting for it if need be; `undefined` once the body ended. Rejects with its error. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const line = this.poll();
      if (line !== PENDING) return line;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Stops queueing lines and lets the rest of the body flow away (after the final line). */
  drain(): void {
    this.body.off('data', this.onData);
    this.body.on('error', () => {}); // nothing waits for the rest any more; a late error is not news
    this.body.resume();
  }
}
