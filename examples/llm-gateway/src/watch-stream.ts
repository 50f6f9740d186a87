import { AbortError, TimeoutError } from '@sightglass/ollama';

/** A stream that sent nothing for longer than its idle timeout after it started: Ollama stalled. */
export class StreamIdleTimeoutError extends TimeoutError {
  constructor(readonly idleTimeoutMs: number) {
    super(`Ollama sent nothing for ${idleTimeoutMs} ms in the middle of a stream`);
  }
}

/** A stream handed on, and how it ended. */
export interface WatchedStream<T> {
  readonly chunks: AsyncIterable<T>;
  /**
   * Resolves when the stream ended as Ollama meant it to; rejects with what broke it (a dropped connection,
   * an error line, a {@link StreamIdleTimeoutError}), or with an `AbortError` when its reader stopped first
   * (the client left: not Ollama's failure).
   */
  readonly ended: Promise<void>;
}

/**
 * Follows a stream as it is read: gives up on it when no chunk comes for `idleTimeoutMs` (calling
 * `abortUpstream`, so the request to Ollama is cancelled, and failing the read with a
 * {@link StreamIdleTimeoutError}), and reports in `ended` how it finished, so that a circuit breaker can count a
 * stream that failed halfway as the failure it is.
 */
export function watchStream<T>(
  source: AsyncIterable<T>,
  idleTimeoutMs: number,
  abortUpstream: (reason: Error) => void,
): WatchedStream<T> {
  let settle!: (error?: unknown) => void;
  const ended = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  async function* chunks(): AsyncGenerator<T> {
    const iterator = source[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const idleTimeout = new StreamIdleTimeoutError(idleTimeoutMs);
            abortUpstream(idleTimeout);
            reject(idleTimeout);
          }, idleTimeoutMs);
        });
        let next: IteratorResult<T>;
        try {
          next = await Promise.race([iterator.next(), idle]);
        } finally {
          clearTimeout(timer);
        }
        if (next.done === true) break;
        yield next.value;
      }
      finished = true;
      settle();
    } catch (error) {
      finished = true;
      settle(error);
      throw error;
    } finally {
      if (!finished) {
        // The reader stopped early (the client went away): close the request to Ollama too.
        const left = new AbortError('the stream was left before its end');
        settle(left);
        abortUpstream(left);
        try {
          await iterator.return?.();
        } catch {
          // An aborted stream may refuse to close cleanly; it is closed all the same.
        }
      }
    }
  }
  // Nobody has to wait for `ended`: a rejection nobody reads is not an unhandled one.
  ended.catch(() => {});
  return { chunks: chunks(), ended };
}
