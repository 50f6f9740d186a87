import type { Call } from './call.js';
import { AbortError, MalformedResponseError, OllamaError, OllamaErrorCode, ResponseError } from './errors.js';
import { type LineReader, PENDING } from './ndjson-lines.js';

/**
 * A stream of answer chunks that can be aborted, as the `ollama` package's: iterate it with `for await`,
 * call `abort()` to stop it (the iteration then throws an `AbortError`). Breaking out of the loop, an abort
 * and a failure all free the connection.
 */
export class AbortableAsyncIterator<T extends object> implements AsyncIterable<T> {
  // Private: only the client makes one, for a call it started (the declaration files show no way to build one).
  private constructor(
    private readonly call: Call,
    private readonly iterator: AsyncGenerator<T, void, unknown>,
  ) {}

  /** The stream of a call the client started. @internal */
  static of<T extends object>(
    call: Call,
    iterator: AsyncGenerator<T, void, unknown>,
  ): AbortableAsyncIterator<T> {
    return new AbortableAsyncIterator(call, iterator);
  }

  /** Stops the stream: the connection is closed and the next step of the iteration throws `AbortError`. */
  abort(): void {
    this.call.abort(new AbortError('The Ollama stream was aborted'));
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, void, unknown> {
    return this.iterator;
  }
}

/**
 * What a stream reports as it goes, for the metrics. Each call comes as the application reads a chunk, but
 * `atMs` (`performance.now()`) is when the client received it: the line's arrival, the end or failure of
 * the body, or (an abort) when the call was aborted. So a slow reader does not stretch the timings.
 */
export interface StreamHooks<T> {
  /** The first chunk arrived at `atMs`. */
  first(chunk: T, atMs: number): void;
  /** A chunk after the first arrived at `atMs` (the final one included). */
  chunk(chunk: T, atMs: number): void;
  /** The final chunk arrived at `atMs`. */
  done(last: T, atMs: number): void;
  /** The stream failed with `error` at `atMs`, or (`undefined`) was left before its end. */
  failed(error: unknown, atMs: number): void;
}

/** How many characters of a malformed line an error quotes. */
const EXCERPT = 200;

/** Whether a line holds only whitespace; a JSON line starts with `{`, so most lines answer at once. */
function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '');
}

function parseLine<T>(line: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new MalformedResponseError(line.slice(0, EXCERPT), { cause: error });
  }
  // Every Ollama stream line is an object; `null` or `123` is as malformed as broken JSON.
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MalformedResponseError(line.slice(0, EXCERPT));
  }
  return parsed as T;
}

const DONE: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

/**
 * Reads an NDJSON body line by line, as an async iterator. Every irregularity is an error, never a skipped
 * line: a line that is not JSON, an `{"error"}` line, a body that ends without the final `done`/`success`
 * line. After the final line the rest of the body is drained (not cancelled) so that its connection goes
 * back to the pool; a stream left early (`break`, `return()`) or failed is cancelled, closing its connection.
 *
 * Written out rather than as an async generator: a generator's `yield` awaits each value, a promise and a
 * turn of the microtask queue more per chunk, and a streamed answer is hundreds of chunks. A chunk already
 * queued is answered with one resolved promise.
 */
export class NdjsonIterator<T extends object> implements AsyncGenerator<T, void, unknown> {
  private state: 'reading' | 'finished' | 'closed' = 'reading';
  private first = true;
  private reported = false;
  /** next() calls waiting for lines, answered first in, first out, as a generator answers them. */
  private readonly waiting: Array<{
    resolve: (result: IteratorResult<T, void>) => void;
    reject: (error: unknown) => void;
  }> = [];
  /** Whether a wait for the reader's next news is under way. */
  private pumping = false;

  constructor(
    private readonly lines: LineReader,
    private readonly statusCode: number,
    private readonly call: Call,
    private readonly fail: (error: unknown) => unknown,
    private readonly hooks: StreamHooks<T> | undefined,
  ) {}

  next(): Promise<IteratorResult<T, void>> {
    if (this.waiting.length === 0) {
      // The usual case, one for-await step at a time: a line already queued answers at once.
      try {
        const result = this.step();
        if (result !== PENDING) return Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /** Stops reading: the body is drained after its final line, else cancelled. */
  return(): Promise<IteratorResult<T, void>> {
    this.close();
    this.pump(); // answers any next() still waiting with done
    return Promise.resolve(DONE);
  }

  /** Ends the stream with `error`, as a generator thrown into does: reported as the stream's failure. */
  throw(error: unknown): Promise<IteratorResult<T, void>> {
    if (this.state !== 'reading') return Promise.reject(error);
    return Promise.reject(this.failWith(error, performance.now()));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using` frees the stream as it frees a generator: like `return()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Answers waiting next() calls in order while lines are there; waits for the reader's news otherwise. */
  private pump(): void {
    while (this.waiting.length > 0) {
      const waiter = this.waiting[0]!;
      let result: IteratorResult<T, void> | typeof PENDING;
      try {
        result = this.step();
      } catch (error) {
        this.waiting.shift();
        waiter.reject(error);
        continue;
      }
      if (result === PENDING) {
        if (!this.pumping) {
          this.pumping = true;
          void this.lines.ready().then(() => {
            this.pumping = false;
            this.pump();
          });
        }
        return;
      }
      this.waiting.shift();
      waiter.resolve(result);
    }
  }

  /** The next chunk, done, or PENDING when no line has come yet. Throws the stream's (mapped) error. */
  private step(): IteratorResult<T, void> | typeof PENDING {
    if (this.state !== 'reading') {
      this.close();
      return DONE;
    }
    // When the failure (if any) happened: the news the reader answered with, unless an abort says otherwise.
    let failedMs: number | undefined;
    try {
      for (;;) {
        const line = this.lines.poll();
        if (line === PENDING) return PENDING;
        if (line === undefined) {
          throw new OllamaError(
            OllamaErrorCode.INCOMPLETE_STREAM,
            'The Ollama stream ended without its final "done" line',
          );
        }
        // abort() (or a timeout) ends the stream at once, even with lines already buffered.
        if (this.call.reason !== undefined) {
          failedMs = this.abortedAtMs();
          throw this.call.reason;
        }
        if (isBlank(line)) continue;
        const message = parseLine<T & { error?: unknown; done?: unknown; status?: unknown }>(line);
        if (typeof message.error === 'string') {
          throw new ResponseError(message.error, this.statusCode, OllamaErrorCode.STREAM_ERROR);
        }
        const arrivedMs = this.lines.arrivedMs;
        if (this.first) {
          this.first = false;
          this.hooks?.first(message, arrivedMs);
        } else this.hooks?.chunk(message, arrivedMs);
        if (message.done === true || message.status === 'success') {
          this.state = 'finished';
          this.hooks?.done(message, arrivedMs);
          this.close(); // the connection goes back to the pool now, not when the caller asks for more
        }
        return { value: message, done: false };
      }
    } catch (error) {
      throw this.failWith(error, failedMs ?? this.lines.arrivedMs);
    }
  }

  /**
   * When the call was aborted: the reader's stop (the request's abort listener timestamps it), or now when
   * the body had ended before the abort (its listener is gone then).
   */
  private abortedAtMs(): number {
    return this.lines.failedAtMs ?? performance.now();
  }

  /** Maps a failure (at `atMs`), reports it once, closes the stream and returns the error to throw. */
  private failWith(error: unknown, atMs: number): unknown {
    const mapped = this.fail(error);
    this.reported = true;
    this.hooks?.failed(mapped, atMs);
    this.close();
    return mapped;
  }

  private close(): void {
    if (this.state === 'closed') return;
    if (this.state === 'finished') {
      this.lines.drain(); // the final line came: read the few bytes left so the connection is reused
    } else {
      if (!this.reported) {
        const reason = this.call.reason;
        this.hooks?.failed(reason, reason === undefined ? 0 : this.abortedAtMs());
      }
      // An answer left unfinished: close its connection so `running` drops at once.
      this.lines.cancel(this.call.reason ?? new AbortError('The Ollama stream was left before its end'));
    }
    this.state = 'closed';
    this.call.settle();
  }
}
