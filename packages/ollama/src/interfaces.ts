/**
 * Request and response shapes of Ollama's REST API, the same as the `ollama` package's (0.6) so that code
 * typed against it compiles unchanged. Dates are typed `Date` as there, though the wire carries strings.
 */

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
  format?: string | object;
  images?: Uint8Array[] | string[];
  /** Seconds, or a duration string such as `5m`. */
  keep_alive?: string | number;
  think?: boolean | 'high' | 'medium' | 'low';
  logprobs?: boolean;
  top_logprobs?: number;
  options?: Partial<Options>;
}

/** A tool call the model made. */
export interface ToolCall {
  function: { name: string; arguments: { [key: string]: unknown } };
}

/** A tool the model may call. */
export interface Tool {
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
      properties?: {
        [key: string]: { type?: string | string[]; items?: unknown; description?: string; enum?: unknown[] };
      };
    };
  };
}

/** One chat message. */
export interface Message {
  role: string;
  content: string;
  thinking?: string;
  images?: Uint8Array[] | string[];
  tool_calls?: ToolCall[];
  tool_name?: string;
}

/** `POST /api/chat`. */
export interface ChatRequest {
  model: string;
  messages?: Message[];
  stream?: boolean;
  format?: string | object;
  keep_alive?: string | number;
  tools?: Tool[];
  think?: boolean | 'high' | 'medium' | 'low';
  logprobs?: boolean;
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
  logprobs?: Logprob[];
  image?: string;
  completed?: number;
  total?: number;
}

/** An answer (or one chunk of a stream) of chat. Durations are in nanoseconds. */
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
  expires_at: Date;
  size_vram: number;
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
  model_info: Map<string, unknown>;
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
