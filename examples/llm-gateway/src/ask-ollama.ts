import type { Ollama } from '@sightglass/ollama';
import { invalidRequest } from './http-error.js';
import type { GatewayRequest } from './requests.js';

/** Sends a validated request to the Ollama endpoint of its kind, as one whole (non-streamed) answer. */
export function askOllama(ollama: Ollama, request: GatewayRequest, signal: AbortSignal): Promise<object> {
  switch (request.kind) {
    case 'chat':
      return ollama.chat({ ...request.body, stream: false }, { signal });
    case 'generate':
      return ollama.generate({ ...request.body, stream: false }, { signal });
    case 'embed':
      return ollama.embed(request.body, { signal });
  }
}

/** Starts a streamed chat or generate; resolves when Ollama starts answering. */
export async function streamOllama(
  ollama: Ollama,
  request: GatewayRequest,
  signal: AbortSignal,
): Promise<AsyncIterable<object>> {
  switch (request.kind) {
    case 'chat':
      return ollama.chat({ ...request.body, stream: true }, { signal });
    case 'generate':
      return ollama.generate({ ...request.body, stream: true }, { signal });
    case 'embed':
      throw invalidRequest('embed answers are never streamed');
  }
}
