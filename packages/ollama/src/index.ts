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
export { COLD_START_MIN_LOAD_SECONDS } from './genai-metrics.js';
export type { HeadersInit } from './headers.js';
export { DEFAULT_HOST } from './host.js';
export type * from './interfaces.js';
export type { CallOptions, Config, ExecutionPolicy, RetryOptions } from './options.js';
export {
  DEFAULT_PS_POLL_INTERVAL_MS,
  MIN_PS_POLL_INTERVAL_MS,
  type PsPollOptions,
} from './ps-poller.js';
export { MAX_REQUEST_DEPTH } from './request-json.js';
export { AbortableAsyncIterator } from './stream.js';
