import type { ChatRequest, GenerateRequest, Message, Ollama } from '@sightglass/ollama';
import { invalidRequest } from './http-error.js';
import type { GatewayRequest } from './requests.js';

function bytes(images: Uint8Array[] | string[]): Uint8Array[] {
  return images.map((image) => (typeof image === 'string' ? Buffer.from(image, 'base64') : image));
}

/**
 * The request with its images as bytes. The client (as the `ollama` package does) reads a string image that
 * names an existing file from disk: a client of the gateway sending `//etc/passwd` (valid base64 too) would
 * have the gateway read its own files and hand them to the model. Bytes are only ever encoded. The
 * validated body keeps the base64 text, which is what the cache key hashes.
 */
function withImageBytes<T extends ChatRequest | GenerateRequest>(body: T): T {
  if ('prompt' in body) {
    return body.images === undefined ? body : { ...body, images: bytes(body.images) };
  }
  const messages = body.messages;
  if (messages === undefined || !messages.some((message) => message.images !== undefined)) return body;
  return {
    ...body,
    messages: messages.map(
      (message): Message =>
        message.images === undefined ? message : { ...message, images: bytes(message.images) },
    ),
  };
}

/** Sends a validated request to the Ollama endpoint of its kind, as one whole (non-streamed) answer. */
export function askOllama(ollama: Ollama, request: GatewayRequest, signal: AbortSignal): Promise<object> {
  switch (request.kind) {
    case 'chat':
      return ollama.chat({ ...withImageBytes(request.body), stream: false }, { signal });
    case 'generate':
      return ollama.generate({ ...withImageBytes(request.body), stream: false }, { signal });
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
      return ollama.chat({ ...withImageBytes(request.body), stream: true }, { signal });
    case 'generate':
      return ollama.generate({ ...withImageBytes(request.body), stream: true }, { signal });
    case 'embed':
      throw invalidRequest('embed answers are never streamed');
  }
}
