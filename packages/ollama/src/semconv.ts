/**
 * The names the GenAI client spans use, in one place: local copies of the GenAI semantic conventions'
 * attributes (v1.41.0, `GENAI_SEMCONV_VERSION`; development status, so not taken from
 * `@opentelemetry/semantic-conventions`' incubating entry point, whose names move between releases), and the
 * events and attributes of our own (`sightglass.ollama.*`), which the README and docs/tracing.md list.
 */

export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

/** `gen_ai.provider.name` of every span and metric of this client (as the metrics have it). */
export const PROVIDER_NAME = 'ollama';

/** Another attempt of a traced call began after a failed one: the client's retry of a connection that never carried the request. */
export const EVENT_OLLAMA_RETRY = 'sightglass.ollama.retry';
/** The application stopped reading a stream before its final chunk (`break`, `return()`): its span ends there. */
export const EVENT_OLLAMA_STREAM_LEFT = 'sightglass.ollama.stream_left';

/** The retry's number: 1 for the first retry (the second attempt), as `@sightglass/resilience` counts. */
export const ATTR_RETRY_ATTEMPT = 'sightglass.retry.attempt';
/** How long the client waits before the attempt, in milliseconds. */
export const ATTR_RETRY_DELAY_MS = 'sightglass.retry.delay_ms';
/** Output chunks the application had read when it left a stream. */
export const ATTR_OLLAMA_STREAM_CHUNKS = 'sightglass.ollama.stream.chunks';

export { ATTR_ERROR_TYPE } from '@sightglass/core/internal';
