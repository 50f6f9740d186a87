import type { ServerResponse } from 'node:http';
import { CATALOG, type CounterCell, createMetricGroup } from '@sightglass/core';
import { StreamIdleTimeoutError } from './watch-stream.js';

/** Ollama's own content type for streamed answers: one JSON object per line. */
export const NDJSON = 'application/x-ndjson';

/** How a streamed response ended: the `outcome` of `response_streams_total`. */
export type StreamOutcome = 'completed' | 'failed' | 'idle_timeout' | 'client_left';

/**
 * Counts streamed responses by route and outcome (`response_streams_total`). A stream's status is sent
 * before its first chunk, so `requests_total{status="200"}` cannot tell a stream that broke off from one
 * that completed: this counter can.
 */
export class StreamOutcomes {
  private readonly group = createMetricGroup();
  private readonly cells = new Map<string, CounterCell>();

  /** Counts one stream of `route` that ended with `outcome`. */
  record(route: string, outcome: StreamOutcome): void {
    const key = `${outcome} ${route}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = this.group.counter(CATALOG.responseStreams, { route, outcome });
      this.cells.set(key, cell);
    }
    cell.inc();
  }

  /** Stops reporting. */
  dispose(): void {
    this.group.dispose();
    this.cells.clear();
  }
}

/**
 * Sends a streamed answer as Ollama does: NDJSON, one chunk per line, flushed as it comes, honouring the
 * client's pace (a slow reader pauses the stream instead of growing a buffer). A failure after the first
 * line cannot change the status any more, so it is sent as a last `{"error": ...}` line, as Ollama does.
 * Resolves with how the stream ended.
 */
export async function sendStream(
  response: ServerResponse,
  chunks: AsyncIterable<object>,
): Promise<StreamOutcome> {
  response.writeHead(200, { 'content-type': NDJSON, 'x-cache': 'bypass' });
  try {
    for await (const chunk of chunks) {
      if (response.destroyed) return 'client_left';
      // A response whose client left emits `close`, never `drain`: wait for whichever comes first.
      if (!response.write(`${JSON.stringify(chunk)}\n`)) await drainedOrClosed(response);
    }
    if (response.destroyed) return 'client_left';
    response.end();
    return 'completed';
  } catch (error) {
    if (response.destroyed) return 'client_left'; // nothing to tell it
    const message = error instanceof Error ? error.message : String(error);
    response.end(`${JSON.stringify({ error: `the stream from Ollama failed: ${message}`.slice(0, 300) })}\n`);
    return error instanceof StreamIdleTimeoutError ? 'idle_timeout' : 'failed';
  }
}

function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

/** A signal that aborts when the client goes away before its response has ended. */
export function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
