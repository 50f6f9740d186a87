import { once } from 'node:events';
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
      if (!response.write(`${JSON.stringify(chunk)}\n`)) await once(response, 'drain');
    }
    response.end();
  } catch (error) {
    if (response.destroyed) return; // the client left: nothing to tell it
    const message = error instanceof Error ? error.message : String(error);
    response.end(`${JSON.stringify({ error: `the stream from Ollama failed: ${message}`.slice(0, 300) })}\n`);
  }
}

/** A signal that aborts when the client goes away before its response has ended. */
export function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
