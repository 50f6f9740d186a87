import type { ServerResponse } from 'node:http';

/** Ollama's own content type for streamed answers: one JSON object per line. */
export const NDJSON = 'application/x-ndjson';

/**
 * Sends a streamed answer as Ollama does: NDJSON, one chunk per line, flushed as it comes, honouring the
 * client's pace (a slow reader pauses the stream instead of growing a buffer). A failure after the first
 * line cannot change the status any more, so it is sent as a last `{"error": ...}` line, as Ollama does.
 */
export async function sendStream(response: ServerResponse, chunks: AsyncIterable<object>): Promise<void> {
  response.writeHead(200, { 'content-type': NDJSON, 'x-cache': 'bypass' });
  try {
    for await (const chunk of chunks) {
      if (response.destroyed) return;
      // A response whose client left emits `close`, never `drain`: wait for whichever comes first.
      if (!response.write(`${JSON.stringify(chunk)}\n`)) await drainedOrClosed(response);
    }
    response.end();
  } catch (error) {
    if (response.destroyed) return; // the client left: nothing to tell it
    const message = error instanceof Error ? error.message : String(error);
    response.end(`${JSON.stringify({ error: `the stream from Ollama failed: ${message}`.slice(0, 300) })}\n`);
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
