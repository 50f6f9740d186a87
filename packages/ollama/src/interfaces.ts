/**
 * Request and response shapes of Ollama's REST API, the same as the `ollama` package's (0.6.4) so that code
 * typed against it compiles unchanged: every request the `ollama` types accept, ours accept, and every answer
 * of ours can be assigned to its type. Dates are typed `Date` as there, though the wire carries strings.
 *
 * A few fields Ollama sends or takes (api/types.go) that the `ollama` types leave out are typed here too, all
 * optional, each marked "Not in the `ollama` package's types": tool call `id` and `index`,
 * `tool_call_id`, the `max` think level, `truncate`/`shift`, logprob `bytes`, and the `capabilities` of
 * `/api/tags` and `context_length` of `/api/ps`. Both clients pass them through unchanged.
 */

/**
 * How hard a thinking model thinks: `true` (Ollama's default level, `medium`), `false` (not at all), or a
 * level. `'max'` is not in the `ollama` package's types; Ollama accepts it since v0.22.
 */
export type Think = boolean | 'high' | 'medium' | 'low' | 'max';

/** Model options (`options` of generate, chat, embed). */
export interface Options {
  numa: boolean;
  num_ctx: number;
  num_batch: number;
  num_gpu: number;
  main_gpu: number;
  low_vram: boolean;
  f16_kv: boolean;
  logits_all: boolean;
  vocab_only: boolean;
  use_mmap: boolean;
  use_mlock: boolean;
  embedding_only: boolean;
  num_thread: number;
  num_keep: number;
  seed: number;
  num_predict: number;
  top_k: number;
  top_p: number;
  min_p: number;
  tfs_z: number;
  typical_p: number;
  repeat_last_n: number;
  temperature: number;
  repeat_penalty: number;
  presence_penalty: number;
  frequency_penalty: number;
  mirostat: number;
  mirostat_tau: number;
  mirostat_eta: number;
  penalize_newline: boolean;
  stop: string[];
}

/** `POST /api/generate`. */
export interface GenerateRequest {
  model: string;
  prompt: string;
  suffix?: string;
  system?: string;
  template?: string;
  context?: number[];
  stream?: boolean;
  raw?: boolean;
  /** `'json'` for any JSON object, or a JSON schema the answer must fit. */
  format?: string | object;
  /**
   * Images for a vision model: bytes (`Uint8Array`, `Buffer`), base64 text, or the path of a file, which is
   * read. Sent as base64, as the `ollama` package sends them; the request itself is left unchanged.
   */
  images?: Uint8Array[] | string[];
  /** Seconds, or a duration string such as `5m`. */
  keep_alive?: string | number;
  /** Whether (and how hard) a thinking model thinks; its thoughts come back in `thinking`. */
  think?: Think;
  /** Shorten a prompt longer than the context instead of failing. Not in the `ollama` package's types. */
  truncate?: boolean;
  /** Shift the context when it fills instead of stopping. Not in the `ollama` package's types. */
  shift?: boolean;
  /** Return each output token's log probability in `logprobs`. */
  logprobs?: boolean;
  /** How many of the most likely alternatives (0–20) to return beside each token; needs `logprobs`. */
  top_logprobs?: number;
  /** Image generation (experimental in Ollama): width of the image in pixels. */
  width?: number;
  /** Image generation (experimental in Ollama): height of the image in pixels. */
  height?: number;
  /** Image generation (experimental in Ollama): diffusion steps. */
  steps?: number;
  options?: Partial<Options>;
}

/**
 * A call the model made to one of the request's {@link Tool}s (`message.tool_calls`): run the function with
 * `arguments`, then send its result back in a `tool` message.
 */
export interface ToolCall {
  /**
   * Ollama's id of the call (`call_…`), to quote in the `tool` message's `tool_call_id`. Not in the
   * `ollama` package's types; Ollama sends it since v0.12.10.
   */
  id?: string;
  function: {
    /** The call's place among the answer's calls, from 0. Not in the `ollama` package's types. */
    index?: number;
    /** The tool's `function.name`. */
    name: string;
    /** The arguments, an object that fits the tool's `parameters` schema. */
    arguments: { [key: string]: unknown };
  };
}

/** One parameter of a {@link Tool}: a JSON schema for its value. */
export interface ToolProperty {
  type?: string | string[];
  items?: unknown;
  description?: string;
  enum?: unknown[];
  /** Not in the `ollama` package's types (Ollama reads it). */
  anyOf?: ToolProperty[];
  /** An object's properties. Not in the `ollama` package's types (Ollama reads it). */
  properties?: { [key: string]: ToolProperty };
  /** An object's required properties. Not in the `ollama` package's types (Ollama reads it). */
  required?: string[];
}

/**
 * A function the model may call (`tools` of chat), described by a JSON schema of its parameters; a model
 * without the `tools` capability refuses a request with tools (400).
 *
 * @example
 * const weather: Tool = {
 *   type: 'function',
 *   function: {
 *     name: 'get_weather',
 *     description: 'The current weather in a city',
 *     parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
 *   },
 * };
 */
export interface Tool {
  /** `'function'`. */
  type: string;
  function: {
    name?: string;
    description?: string;
    type?: string;
    parameters?: {
      type?: string;
      $defs?: unknown;
      items?: unknown;
      required?: string[];
      properties?: { [key: string]: ToolProperty };
    };
  };
}

/** One chat message: `system`, `user`, `assistant` or `tool` (a tool's result). */
export interface Message {
  role: string;
  content: string;
  /** An assistant's thoughts before its answer (a thinking model, with `think`). */
  thinking?: string;
  /** Images for a vision model: bytes, base64 text or file paths, sent as base64 (see `GenerateRequest`). */
  images?: Uint8Array[] | string[];
  /** The calls an assistant message made; send the message back as it came with the tools' results. */
  tool_calls?: ToolCall[];
  /** In a `tool` message: the name of the tool whose result `content` holds. */
  tool_name?: string;
  /** In a `tool` message: the {@link ToolCall.id} it answers. Not in the `ollama` package's types. */
  tool_call_id?: string;
}

/** `POST /api/chat`. */
export interface ChatRequest {
  model: string;
  messages?: Message[];
  stream?: boolean;
  /** `'json'` for any JSON object, or a JSON schema the answer's `message.content` must fit. */
  format?: string | object;
  /** Seconds, or a duration string such as `5m`. */
  keep_alive?: string | number;
  /** Functions the model may call; it then answers with `message.tool_calls`. */
  tools?: Tool[];
  /** Whether (and how hard) a thinking model thinks; its thoughts come back in `message.thinking`. */
  think?: Think;
  /** Drop the oldest messages when the chat outgrows the context. Not in the `ollama` package's types. */
  truncate?: boolean;
  /** Shift the context when it fills instead of stopping. Not in the `ollama` package's types. */
  shift?: boolean;
  /** Return each output token's log probability in `logprobs`. */
  logprobs?: boolean;
  /** How many of the most likely alternatives (0–20) to return beside each token; needs `logprobs`. */
  top_logprobs?: number;
  options?: Partial<Options>;
}

/** `POST /api/pull`. */
export interface PullRequest {
  model: string;
  insecure?: boolean;
  stream?: boolean;
}

/** `POST /api/push`. */
export interface PushRequest {
  model: string;
  insecure?: boolean;
  stream?: boolean;
}

/** `POST /api/create`. */
export interface CreateRequest {
  model: string;
  from?: string;
  stream?: boolean;
  quantize?: string;
  template?: string;
  license?: string | string[];
  system?: string;
  parameters?: Record<string, unknown>;
  messages?: Message[];
  adapters?: Record<string, string>;
}

/** `DELETE /api/delete`. */
export interface DeleteRequest {
  model: string;
}

/** `POST /api/copy`. */
export interface CopyRequest {
  source: string;
  destination: string;
}

/** `POST /api/show`. */
export interface ShowRequest {
  model: string;
  system?: string;
  template?: string;
  options?: Partial<Options>;
}

/** `POST /api/embed`. */
export interface EmbedRequest {
  model: string;
  input: string | string[];
  truncate?: boolean;
  keep_alive?: string | number;
  dimensions?: number;
  options?: Partial<Options>;
}

/** `POST /api/embeddings` (the legacy single-prompt endpoint). */
export interface EmbeddingsRequest {
  model: string;
  prompt: string;
  keep_alive?: string | number;
  options?: Partial<Options>;
}

/** A token's log probability. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** The token's UTF-8 bytes (left out for an empty token). Not in the `ollama` package's types. */
  bytes?: number[];
}

/** A token's log probability with the alternatives. */
export interface Logprob extends TokenLogprob {
  top_logprobs?: TokenLogprob[];
}

/** An answer (or one chunk of a stream) of generate. Durations are in nanoseconds. */
export interface GenerateResponse {
  model: string;
  created_at: Date;
  response?: string;
  /** The model's thoughts (a thinking model): streamed in chunks of their own before `response`. */
  thinking?: string;
  done: boolean;
  done_reason: string;
  context: number[];
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
  /** With `logprobs`: one per output token (streamed, one per chunk). */
  logprobs?: Logprob[];
  image?: string;
  completed?: number;
  total?: number;
}

/**
 * An answer (or one chunk of a stream) of chat. Durations are in nanoseconds. Streamed, `message.thinking`
 * and `message.tool_calls` come in chunks of their own (one per call), passed on as Ollama sends them.
 */
export interface ChatResponse {
  model: string;
  created_at: Date;
  message: Message;
  done: boolean;
  done_reason: string;
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
  /** With `logprobs`: one per output token (streamed, one per chunk). */
  logprobs?: Logprob[];
}

/** The answer of embed. */
export interface EmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
}

/** The answer of the legacy embeddings endpoint. */
export interface EmbeddingsResponse {
  embedding: number[];
}

/** A progress line of pull, push and create. */
export interface ProgressResponse {
  status: string;
  digest: string;
  total: number;
  completed: number;
}

/** A model's details. */
export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

/** A model in list (`/api/tags`) or ps. */
export interface ModelResponse {
  name: string;
  modified_at: Date;
  model: string;
  size: number;
  digest: string;
  details: ModelDetails;
  /** ps: when the model is unloaded. */
  expires_at: Date;
  /** ps: bytes of the model in GPU memory. */
  size_vram: number;
  /**
   * list (`/api/tags`): what the model can do (`completion`, `tools`, `thinking`, `vision`, `embedding`…).
   * Not in the `ollama` package's types; Ollama sends it since v0.30.
   */
  capabilities?: string[];
  /** ps: the context length the model was loaded with. Not in the `ollama` package's types. */
  context_length?: number;
}

/** The answer of show. */
export interface ShowResponse {
  license: string;
  modelfile: string;
  parameters: string;
  template: string;
  system: string;
  details: ModelDetails;
  messages: Message[];
  modified_at: Date;
  /** A plain object on the wire, whatever the type (the `ollama` package's) says. */
  model_info: Map<string, unknown>;
  /** What the model can do: `completion`, `tools`, `thinking`, `vision`, `embedding`, `insert`… */
  capabilities: string[];
  projector_info?: Map<string, unknown>;
}

/** The answer of version. */
export interface VersionResponse {
  version: string;
}

/** The answer of list and ps. */
export interface ListResponse {
  models: ModelResponse[];
}

/** What Ollama sends instead of an answer. */
export interface ErrorResponse {
  error: string;
}

/** The answer of delete and copy. */
export interface StatusResponse {
  status: string;
}
