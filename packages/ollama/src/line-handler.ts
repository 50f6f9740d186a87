import type { Dispatcher } from 'undici';
import { LineReader } from './ndjson-lines.js';

/** How many bytes of an error answer's body are kept for its message. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * What a streamed request's headers brought: lines to read; or, for a status ≥ 400, the error body's text,
 * or the failure that cut that body off (the answer had begun: not a failure to connect).
 */
export interface LineResponse {
  readonly statusCode: number;
  readonly lines?: LineReader;
  readonly errorText?: string;
  readonly bodyFailure?: unknown;
}

/**
 * An undici dispatch handler that feeds a streamed (NDJSON) answer straight into a {@link LineReader}: no
 * Readable between the socket and the line splitter, so a chunk costs no stream machinery, no event and no
 * promise. It resolves once the headers came (or, for a status ≥ 400, once the error body was read whole),
 * and rejects if the request failed before that, with undici's own error so that the transport maps and
 * retries it as it does any other.
 *
 * `signal` aborts the request at any point, the body included; while the request still waits in the pool
 * for a connection, the caller is answered at once (the request is dropped when it reaches one).
 * Backpressure goes through the dispatch controller: the reader pauses it when its queue is long, and
 * resumes it when drained.
 */
export class LineResponseHandler implements Dispatcher.DispatchHandler {
  /** Settles when the headers came; see {@link LineResponseHandler}. */
  readonly response: Promise<LineResponse>;
  private resolve!: (response: LineResponse) => void;
  private reject!: (error: unknown) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private lines: LineReader | undefined;
  private errorBody: { status: number; chunks: Buffer[]; bytes: number } | undefined;
  private readonly onAbort = () => {
    const reason = this.signal.reason as Error;
    this.reject(reason); // no-op once the headers came
    this.lines?.fail(reason); // timestamps the abort for the stream's duration; undici's error follows
    this.controller?.abort(reason);
  };

  /** When the request was handed to the pool (`performance.now()`), for the pool-wait histogram. */
  private readonly createdMs: number;

  /** `pool`, if given, is told how long the request waited for a connection. */
  constructor(
    private readonly signal: AbortSignal,
    private readonly pool?: { waited(ms: number): void },
  ) {
    this.createdMs = pool === undefined ? 0 : performance.now();
    this.response = new Promise<LineResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // undici calls this as it starts writing the request on a connection: the wait for one is over.
    this.pool?.waited(performance.now() - this.createdMs);
    if (this.signal.aborted) controller.abort(this.signal.reason as Error);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number): void {
    if (statusCode < 200) return; // an interim answer (103 Early Hints): the real one follows
    if (statusCode >= 400) {
      this.errorBody = { status: statusCode, chunks: [], bytes: 0 };
      return;
    }
    this.lines = new LineReader({
      pause: () => controller.pause(),
      resume: () => controller.resume(),
      cancel: (reason) => controller.abort(reason),
    });
    this.resolve({ statusCode, lines: this.lines });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.lines !== undefined) {
      this.lines.push(chunk);
      return;
    }
    const errorBody = this.errorBody;
    if (errorBody !== undefined && errorBody.bytes < MAX_ERROR_BODY) {
      errorBody.chunks.push(chunk);
      errorBody.bytes += chunk.length;
    }
  }

  onResponseEnd(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.lines !== undefined) {
      this.lines.end();
      return;
    }
    const errorBody = this.errorBody;
    // undici starts every answer with onResponseStart; without one there is nothing to resolve with.
    if (errorBody === undefined) this.reject(new Error('the answer ended before its headers'));
    else {
      this.resolve({
        statusCode: errorBody.status,
        errorText: Buffer.concat(errorBody.chunks).toString('utf8', 0, MAX_ERROR_BODY),
      });
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.lines !== undefined) this.lines.fail(error);
    else if (this.errorBody !== undefined) {
      this.resolve({ statusCode: this.errorBody.status, bodyFailure: error });
    } else this.reject(error);
  }
}
