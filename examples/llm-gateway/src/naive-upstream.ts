import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpError } from './http-error.js';
import type { RequestKind } from './requests.js';
import type { Upstream } from './upstream.js';
import { upstreamRejection } from './upstream-errors.js';

const OLLAMA_PATHS: Record<RequestKind, string> = {
  chat: '/api/chat',
  generate: '/api/generate',
  embed: '/api/embed',
};

/** The naive upstream, with the count of connections it opened (one per call). */
export interface NaiveUpstream extends Upstream {
  readonly connectionsOpened: number;
}

/** POSTs a body on a connection of its own, closed afterwards; resolves with the status and the body text. */
function postOnce(url: URL, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'POST',
        agent: false, // no pool: a new TCP connection for this call
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function ollamaMessage(text: string): string {
  try {
    return String((JSON.parse(text) as { error?: unknown }).error ?? text).slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/**
 * The setup `--compare` measures Sightglass against, as many services start out: every call opens a new
 * connection to Ollama, nothing is cached, and nothing stops calls to an Ollama that stopped answering. It has
 * the same timeout as the Sightglass gateway, so the comparison is about the pool, the cache and the
 * breaker, not about a missing timeout.
 */
export function createNaiveUpstream(options: { ollamaUrl: string; timeoutMs: number }): NaiveUpstream {
  let connectionsOpened = 0;
  return {
    get connectionsOpened() {
      return connectionsOpened;
    },
    async answer(request) {
      const body = request.kind === 'embed' ? request.body : { ...request.body, stream: false };
      connectionsOpened++;
      let answer: { status: number; text: string };
      try {
        answer = await postOnce(
          new URL(OLLAMA_PATHS[request.kind], options.ollamaUrl),
          JSON.stringify(body),
          options.timeoutMs,
        );
      } catch (error) {
        if ((error as Error).name === 'AbortError') {
          throw new HttpError(
            504,
            'upstream_timeout',
            `Ollama did not answer within ${options.timeoutMs} ms`,
          );
        }
        throw new HttpError(
          502,
          'upstream_unreachable',
          `Ollama could not be reached (${(error as { code?: string }).code ?? 'error'})`,
        );
      }
      if (answer.status === 404) throw new HttpError(404, 'model_not_found', ollamaMessage(answer.text));
      if (answer.status === 400) throw upstreamRejection(ollamaMessage(answer.text));
      if (answer.status >= 300) {
        throw new HttpError(
          502,
          'upstream_error',
          `Ollama answered ${answer.status}: ${ollamaMessage(answer.text)}`,
        );
      }
      return { json: answer.text };
    },
  };
}
