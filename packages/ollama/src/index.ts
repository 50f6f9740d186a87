export { Ollama } from './client.js';
export {
  AbortError,
  ConnectionError,
  InvalidRequestError,
  MalformedResponseError,
  OllamaError,
  OllamaErrorCode,
  ResponseError,
  TimeoutError,
} from './errors.js';
export type { HeadersInit } from './headers.js';
export { DEFAULT_HOST } from './host.js';
export type * from './interfaces.js';
export type { CallOptions, Config, ExecutionPolicy, RetryOptions } from './options.js';
export { MAX_REQUEST_DEPTH } from './request-json.js';
export { AbortableAsyncIterator } from './stream.js';
