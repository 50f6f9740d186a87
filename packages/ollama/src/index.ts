export { Ollama } from './client.js';
export { DEFAULT_MAX_CONTENT_BYTES } from './content.js';
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
export type { CallOptions, Config, RetryOptions, TracingOptions } from './options.js';
export { DEFAULT_PS_POLL_INTERVAL_MS, MIN_PS_POLL_INTERVAL_MS, type PsPollOptions } from './ps-poller.js';
export { MAX_REQUEST_DEPTH } from './request-json.js';
export {
  ATTR_OLLAMA_STREAM_CHUNKS,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_DELAY_MS,
  EVENT_OLLAMA_RETRY,
  EVENT_OLLAMA_STREAM_LEFT,
} from './semconv.js';
export { AbortableAsyncIterator } from './stream.js';
export { TRACER_NAME } from './tracer.js';
