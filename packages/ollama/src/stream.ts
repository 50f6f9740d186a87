import type { Call } from './call.js';
import { AbortError, MalformedResponseError, OllamaError, OllamaErrorCode, ResponseError } from './errors.js';
import { type LineReader, PENDING } from './ndjson-lines.js';

/**
 * A stream of answer chunks that can be aborted, as the `ollama` package's: iterate it with `for await`,
 * call `abort()` to stop it (the iteration then throws an `AbortError`). Breaking out of the loop, an abort
 * and a failure all free the connection.
 */
export class AbortableAsyncIterator<T extends object> implements AsyncIterable<T> {
  constructor(
    private readonly call: Call,
    private readonly iterator: AsyncGenerator<T>,
  ) {}

  /** Stops the stream: the connection is closed and the next step of the iteration throws `AbortError`. */
  abort(): void {
    this.call.abort(new AbortError('The Ollama stream was aborted'));
  }

  [Symbol.asyncIterator](): AsyncGenerator<T> {
    return this.iterator;
  }
}

/** What a stream reports as it goes, for the metrics. */
export interface StreamHooks<T> {
  /** The first chunk arrived. */
  first(): void;
  /** The final chunk arrived. */
  done(last: T): void;
  /** The stream failed with `error`, or (`undefined`) was left before its end. */
  failed(error: unknown): void;
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

/**
 * Reads an NDJSON body line by line. Every irregularity is an error, never a skipped line: a line that is
 * not JSON, an `{"error"}` line, a body that ends without the final `done`/`success` line. After the final
 * line the rest of the body is drained (not cancelled) so that its connection goes back to the pool.
 */
export async function* readNdjson<T extends object>(
  lines: LineReader,
  statusCode: number,
  call: Call,
  fail: (error: unknown) => unknown,
  hooks: StreamHooks<T> | undefined,
): AsyncGenerator<T> {
  let finished = false;
  let first = true;
  let reported = false;
  try {
    for (;;) {
      // A queued line is taken without awaiting: one promise less per chunk of a streamed answer.
      let line = lines.poll();
      if (line === PENDING) line = await lines.next();
      if (line === undefined) break;
      // abort() (or a timeout) ends the stream at once, even with lines already buffered.
      if (call.reason !== undefined) throw call.reason;
      if (isBlank(line)) continue;
      const message = parseLine<T & { error?: unknown; done?: unknown; status?: unknown }>(line);
      if (typeof message.error === 'string') {
        throw new ResponseError(message.error, statusCode, OllamaErrorCode.STREAM_ERROR);
      }
      if (first) {
        first = false;
        hooks?.first();
      }
      if (message.done === true || message.status === 'success') {
        finished = true;
        hooks?.done(message);
        yield message as Awaited<T>;
        return;
      }
      yield message as Awaited<T>;
    }
    throw new OllamaError(
      OllamaErrorCode.INCOMPLETE_STREAM,
      'The Ollama stream ended without its final "done" line',
    );
  } catch (error) {
    const mapped = fail(error);
    reported = true;
    hooks?.failed(mapped);
    throw mapped;
  } finally {
    if (finished) {
      lines.drain(); // the final line came: read the few bytes left so the connection is reused
    } else {
      if (!reported) hooks?.failed(call.reason);
      // An answer left unfinished: close its connection so `running` drops at once.
      lines.cancel(call.reason ?? new AbortError('The Ollama stream was left before its end'));
    }
    call.settle();
  }
}
