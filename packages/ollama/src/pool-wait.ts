import type { Dispatcher } from 'undici';

/** Told how long a request waited for a connection, in ms. */
export interface PoolWaitSink {
  waited(ms: number): void;
}

/**
 * Passes every callback on to the request's own handler, and on `onRequestStart` (undici calls it as it
 * starts writing the request on a connection) reports how long the request waited since it was dispatched.
 */
class PoolWaitHandler implements Dispatcher.DispatchHandler {
  private readonly createdMs = performance.now();

  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly sink: PoolWaitSink,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.sink.waited(performance.now() - this.createdMs);
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2],
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onResponseError?.(controller, error);
  }
}

/**
 * The pool, composed with an interceptor that times how long each request waits for a connection, for the
 * requests the transport sends with `request()` (a streamed request's own handler times itself, so its
 * chunks pass through no extra layer). An interceptor sees the request's handler before the pool queues it:
 * the wait runs from dispatch to undici's `onRequestStart`, which it calls once a connection, free or newly
 * opened, starts sending the request. A request aborted or failed before that is not recorded.
 */
export function timePoolWait(pool: Dispatcher, sink: PoolWaitSink): Dispatcher {
  return pool.compose(
    (dispatch) => (options, handler) => dispatch(options, new PoolWaitHandler(handler, sink)),
  );
}
