export { Ollama } from './client.js';
export {
  AbortError,
  ConnectionError,
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
export { AbortableAsyncIterator } from './stream.js';
