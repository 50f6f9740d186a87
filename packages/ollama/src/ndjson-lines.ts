import { MalformedResponseError } from './errors.js';

/** Lines queued before the body is paused, so a slow consumer does not make the queue grow without end. */
const HIGH_WATER = 256;
/** The longest line accepted (16 MiB): a server that never sends a newline cannot grow memory without bound. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 10;

/** What {@link LineReader.poll} answers when the next line has not arrived yet. */
export const PENDING: unique symbol = Symbol('pending');

/** How a {@link LineReader} slows, resumes or stops the body feeding it (an undici dispatch controller). */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  /** Stops the body for good, closing its connection. */
  cancel(reason: Error): void;
}

/**
 * Splits a body into lines as its bytes arrive ({@link push}, {@link end}, {@link fail}). It works on bytes,
 * not decoded text: a newline byte never occurs inside a multi-byte UTF-8 character, so each line is decoded
 * once, whole, without a StringDecoder and without re-concatenating a growing string. It is fed straight
 * from undici's dispatch handler: no Readable, no event or promise per network chunk.
 */
export class LineReader {
  private readonly lines: string[] = [];
  /** When each queued line arrived (`performance.now()`), beside {@link lines}: numbers, nothing boxed. */
  private readonly times: number[] = [];
  private head = 0;
  private partial: Buffer | undefined;
  private ended = false;
  private paused = false;
  private draining = false;
  private failure: { error: unknown } | undefined;
  private endedMs = 0;
  private failedMs = 0;
  private wake: (() => void) | undefined;

  /**
   * When the news {@link poll} last answered arrived (`performance.now()`, ms): the line's last byte, the
   * end of the body, or its failure. The GenAI chunk timings are taken from this, so they measure when the
   * client received a chunk, not when the application got round to reading it.
   */
  arrivedMs = 0;

  /** When the body failed or was stopped ({@link fail}), in `performance.now()` ms; `undefined` if it did not. */
  get failedAtMs(): number | undefined {
    return this.failure === undefined ? undefined : this.failedMs;
  }

  constructor(private readonly flow: BodyFlow) {}

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Takes the next bytes of the body. */
  push(chunk: Buffer): void {
    if (this.draining || this.failure !== undefined) return;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    // One clock read per network chunk that ends a line: every line it completes arrived at that moment.
    const now = newline === -1 ? 0 : performance.now();
    if (newline !== -1 && this.partial !== undefined) {
      this.lines.push(Buffer.concat([this.partial, chunk.subarray(0, newline)]).toString('utf8'));
      this.times.push(now);
      this.partial = undefined;
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      this.lines.push(chunk.toString('utf8', start, newline));
      this.times.push(now);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial = this.partial === undefined ? rest : Buffer.concat([this.partial, rest]);
      if (this.partial.length > MAX_LINE_BYTES) {
        const error = new MalformedResponseError(this.partial.toString('utf8', 0, 200));
        this.partial = undefined;
        this.fail(error);
        this.flow.cancel(error);
        return;
      }
    }
    if (!this.paused && this.lines.length - this.head > HIGH_WATER) {
      this.paused = true;
      this.flow.pause();
    }
    this.notify();
  }

  /** The body ended; a last line without a newline is still read. */
  end(): void {
    if (!this.ended) this.endedMs = performance.now();
    this.ended = true;
    this.notify();
  }

  /** The body failed: lines already queued are still read, then {@link poll} throws `error`. */
  fail(error: unknown): void {
    if (this.failure === undefined) {
      this.failure = { error };
      this.failedMs = performance.now();
    }
    this.notify();
  }

  /**
   * The next line if one is known now: a line, `undefined` once the body ended (the last, unterminated line
   * included), or {@link PENDING} when the next bytes have not arrived. Throws the body's error. Most lines
   * of a stream are already queued when asked for, and this answers them without a promise.
   * {@link arrivedMs} then tells when that news arrived.
   */
  poll(): string | undefined | typeof PENDING {
    if (this.head < this.lines.length) {
      this.arrivedMs = this.times[this.head] as number;
      const line = this.lines[this.head++] as string;
      if (this.head === this.lines.length) {
        this.lines.length = 0;
        this.times.length = 0;
        this.head = 0;
        if (this.paused) {
          this.paused = false;
          this.flow.resume();
        }
      }
      return line;
    }
    if (this.failure !== undefined) {
      this.arrivedMs = this.failedMs;
      throw this.failure.error;
    }
    if (this.ended) {
      this.arrivedMs = this.endedMs; // the last, unterminated line arrived with the end
      const rest = this.partial;
      this.partial = undefined;
      return rest?.toString('utf8');
    }
    return PENDING;
  }

  /** Resolves when there is news for {@link poll}: a line, the end or an error. Call it after PENDING. */
  ready(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Stops queueing lines and lets the rest of the body flow away (after the final line). */
  drain(): void {
    this.draining = true;
    if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
  }

  /** Stops the body before its end: its connection is closed, so the pool's `running` drops at once. */
  cancel(reason: Error): void {
    this.draining = true;
    this.flow.cancel(reason);
  }
}
