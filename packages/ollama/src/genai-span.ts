import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { reportInstrumentationError } from '@sightglass/core/internal';
import {
  type ContentMessage,
  cappedJson,
  chatInput,
  generateInput,
  OutputCollector,
  outputMessages,
  systemInstructions,
} from './content.js';
import { errorType, MalformedResponseError } from './errors.js';
import type { GenAiOperation } from './genai-metrics.js';
import type { ParsedHost } from './host.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_OLLAMA_STREAM_CHUNKS,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_DELAY_MS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  EVENT_OLLAMA_RETRY,
  EVENT_OLLAMA_STREAM_LEFT,
  PROVIDER_NAME,
} from './semconv.js';
import type { RequestTracing } from './transport.js';

/** The client's tracing options with defaults applied. */
export interface ResolvedTracing {
  readonly captureContent: boolean;
  readonly maxContentBytes: number;
  readonly propagateContext: boolean;
  readonly requireParentSpan: boolean;
}

/** The longest span status description, in characters (the error's message). */
const MAX_STATUS_MESSAGE = 256;

/** What one GenAI call's span is started from. */
export interface GenAiCallStart {
  readonly tracing: ResolvedTracing;
  readonly host: ParsedHost;
  readonly operation: GenAiOperation;
  readonly model: string;
  /** The request as the caller passed it (read for its parameters and, opted in, its content). */
  readonly request: object;
  readonly stream: boolean;
  /** When the call started (`performance.now()`), the span's start: the same instant as the metrics'. */
  readonly startedMs: number;
  /** The headers every request of the client sends. */
  readonly headers: Record<string, string>;
}

/** An answer, or a stream's final chunk, as far as the span reads it. */
interface Answer {
  model?: unknown;
  done_reason?: unknown;
  prompt_eval_count?: unknown;
  eval_count?: unknown;
  message?: { content?: unknown; thinking?: unknown; tool_calls?: unknown } | null;
  response?: unknown;
  thinking?: unknown;
}

/** Copies the base headers on the first field the propagator sets, leaving alone any the user set. */
interface Carrier {
  readonly base: Record<string, string>;
  headers: Record<string, string>;
}

const SETTER: TextMapSetter<Carrier> = {
  set(carrier, key, value) {
    const name = key.toLowerCase();
    if (name in carrier.base) return;
    if (carrier.headers === carrier.base) {
      // A key-by-key copy: object spread of a record of header names measured 10× slower here (~800 ns).
      const copy: Record<string, string> = {};
      for (const header in carrier.base) copy[header] = carrier.base[header]!;
      carrier.headers = copy;
    }
    carrier.headers[name] = value;
  },
};

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The model parameters of a request that the conventions name, as they were set. */
function requestAttributes(request: Record<string, unknown>, attributes: Attributes): void {
  const options = request.options as Record<string, unknown> | undefined;
  if (options !== null && typeof options === 'object') {
    const { seed, num_predict, temperature, top_p, top_k, frequency_penalty, presence_penalty, stop } =
      options;
    if (isNumber(seed)) attributes[ATTR_GEN_AI_REQUEST_SEED] = seed;
    // num_predict -1 (no limit) and -2 (fill the context) set no maximum.
    if (isNumber(num_predict) && num_predict > 0) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = num_predict;
    if (isNumber(temperature)) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = temperature;
    if (isNumber(top_p)) attributes[ATTR_GEN_AI_REQUEST_TOP_P] = top_p;
    if (isNumber(top_k)) attributes[ATTR_GEN_AI_REQUEST_TOP_K] = top_k;
    if (isNumber(frequency_penalty)) attributes[ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY] = frequency_penalty;
    if (isNumber(presence_penalty)) attributes[ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY] = presence_penalty;
    if (Array.isArray(stop) && stop.every((entry) => typeof entry === 'string')) {
      attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop as string[];
    }
  }
  const format = request.format;
  if ((typeof format === 'string' && format !== '') || (format !== null && typeof format === 'object')) {
    attributes[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  }
  if (isNumber(request.dimensions)) attributes[ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = request.dimensions;
}

/**
 * The CLIENT span of one GenAI call (chat, generate, embed, embeddings), as the GenAI semantic conventions
 * v1.41.0 describe it: started before the request, active while the request runs, so that HTTP
 * instrumentation's spans land under it, and ended with the call: when
 * the answer arrived, or for a stream when its final line arrived, when it failed, when it was aborted, or
 * when the application stopped reading. Nothing here throws into the call.
 */
export class GenAiSpan implements RequestTracing {
  /** The headers of this call's requests: the client's, with the trace context when it is propagated. */
  readonly headers: Record<string, string>;
  /** The context the call's work runs in: the span active. */
  readonly context: Context;
  private readonly recording: boolean;
  private ended = false;
  private output: OutputCollector | undefined;
  private chunks = 0;
  private abortSignal: AbortSignal | undefined;

  private constructor(
    readonly span: Span,
    parent: Context,
    private readonly start: GenAiCallStart,
  ) {
    this.context = trace.setSpan(parent, span);
    this.recording = span.isRecording();
    this.headers = start.tracing.propagateContext ? this.inject(start.headers) : start.headers;
    if (this.recording) this.describeRequest();
  }

  /**
   * Starts the span of a call with `tracer` (see `activeTracer()`, undefined when no tracer provider is
   * registered: then the client builds nothing), or returns undefined when the tracer failed. The
   * attributes the conventions want at creation, for samplers, are given then; the rest only once the span
   * is known to be recording.
   */
  static start(tracer: Tracer, start: GenAiCallStart): GenAiSpan | undefined {
    try {
      const { operation, model, host } = start;
      const attributes: Attributes = {
        [ATTR_GEN_AI_OPERATION_NAME]: operation,
        [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_NAME,
        [ATTR_SERVER_ADDRESS]: host.address,
        [ATTR_SERVER_PORT]: host.port,
      };
      if (model !== '') attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
      const parent = context.active();
      const span = tracer.startSpan(
        model === '' ? operation : `${operation} ${model}`,
        { kind: SpanKind.CLIENT, attributes, startTime: start.startedMs },
        parent,
      );
      return new GenAiSpan(span, parent, start);
    } catch (error) {
      reportInstrumentationError('ollama span start', error);
      return undefined;
    }
  }

  /** The trace context in the headers, by the registered propagator, unless the user set `traceparent`. */
  private inject(base: Record<string, string>): Record<string, string> {
    if ('traceparent' in base) return base;
    try {
      const carrier: Carrier = { base, headers: base };
      propagation.inject(this.context, carrier, SETTER);
      return carrier.headers;
    } catch (error) {
      reportInstrumentationError('ollama trace context propagation', error);
      return base;
    }
  }

  private describeRequest(): void {
    try {
      const { request, stream, tracing, operation } = this.start;
      const attributes: Attributes = {};
      if (stream) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
      requestAttributes(request as Record<string, unknown>, attributes);
      if (tracing.captureContent && operation !== 'embeddings') {
        const max = tracing.maxContentBytes;
        const fields = request as {
          messages?: unknown;
          prompt?: unknown;
          images?: unknown;
          system?: unknown;
        };
        const input: ContentMessage[] =
          operation === 'chat' ? chatInput(fields.messages) : generateInput(fields);
        attributes[ATTR_GEN_AI_INPUT_MESSAGES] = cappedJson(input, max);
        const system = operation === 'chat' ? undefined : systemInstructions(fields);
        if (system !== undefined) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = cappedJson(system, max);
        if (stream) this.output = new OutputCollector(max);
      }
      this.span.setAttributes(attributes);
    } catch (error) {
      reportInstrumentationError('ollama span attributes', error);
    }
  }

  /** Another attempt begins after a failed one (see {@link RequestTracing.retried}). */
  retried(attempt: number, failure: string, delayMs: number): void {
    if (!this.recording || this.ended) return;
    try {
      this.span.addEvent(EVENT_OLLAMA_RETRY, {
        [ATTR_RETRY_ATTEMPT]: attempt,
        [ATTR_ERROR_TYPE]: failure,
        [ATTR_RETRY_DELAY_MS]: delayMs,
      });
    } catch (error) {
      reportInstrumentationError('ollama span retry event', error);
    }
  }

  /**
   * A stream began: from now on an abort of the call (its `abort()`, a signal, `timeoutMs`, the client's
   * `close()`) ends the span at once, even when the application never reads again.
   */
  streaming(signal: AbortSignal): void {
    if (this.ended) return;
    this.abortSignal = signal;
    // Aborted while the request was being sent: no abort event is coming.
    if (signal.aborted) this.handleEvent();
    else signal.addEventListener('abort', this, { once: true });
  }

  /** The call's signal aborted a stream (see {@link streaming}): an EventListener object, no closure per call. */
  handleEvent(): void {
    this.failed(this.abortSignal?.reason, performance.now());
  }

  /** A stream's first chunk arrived at `atMs`. */
  firstChunk(chunk: object, atMs: number): void {
    if (!this.recording || this.ended) return;
    try {
      const seconds = Math.max(0, atMs - this.start.startedMs) / 1000;
      this.span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, seconds);
    } catch (error) {
      reportInstrumentationError('ollama span first chunk', error);
    }
    this.chunk(chunk);
  }

  /** A stream's chunk, as the application read it. */
  chunk(chunk: object): void {
    this.chunks++;
    if (this.output === undefined || this.ended) return;
    try {
      this.output.add(chunk as Answer);
    } catch (error) {
      reportInstrumentationError('ollama span output', error);
    }
  }

  /** The call succeeded with `answer` (a stream: its final chunk, arrived at `atMs`). */
  succeeded(answer: unknown, atMs?: number): void {
    if (this.ended) return;
    if (this.recording) {
      try {
        this.describeAnswer((answer ?? {}) as Answer);
      } catch (error) {
        reportInstrumentationError('ollama span answer', error);
      }
    }
    this.end(atMs);
  }

  private describeAnswer(answer: Answer): void {
    const attributes: Attributes = {};
    if (typeof answer.model === 'string' && answer.model !== '') {
      attributes[ATTR_GEN_AI_RESPONSE_MODEL] = answer.model;
    }
    const finishReason = typeof answer.done_reason === 'string' ? answer.done_reason : undefined;
    if (finishReason !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [finishReason];
    if (isNumber(answer.prompt_eval_count)) {
      attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = answer.prompt_eval_count;
    }
    if (isNumber(answer.eval_count)) attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = answer.eval_count;
    const { tracing, operation } = this.start;
    if (tracing.captureContent && operation !== 'embeddings') {
      const max = tracing.maxContentBytes;
      const messages =
        this.output?.messages(finishReason ?? 'stop') ?? outputMessages(answer, finishReason ?? 'stop', max);
      attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = cappedJson(messages, max);
    }
    this.span.setAttributes(attributes);
  }

  /**
   * The span status's description of a failure: the error's message, except where the message quotes what
   * Ollama sent (a malformed answer is the start of the completion itself), which only content capture
   * may record: then the error's kind says what happened.
   */
  private statusMessage(error: unknown): unknown {
    if (error instanceof MalformedResponseError && !this.start.tracing.captureContent) {
      return 'Ollama sent malformed JSON';
    }
    return (error as { message?: unknown } | null | undefined)?.message;
  }

  /** The call failed with `error` (mapped, as the caller gets it), at `atMs` for a stream. */
  failed(error: unknown, atMs?: number): void {
    if (this.ended) return;
    if (this.recording) {
      try {
        this.span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
        const message = this.statusMessage(error);
        this.span.setStatus(
          typeof message === 'string' && message !== ''
            ? { code: SpanStatusCode.ERROR, message: message.slice(0, MAX_STATUS_MESSAGE) }
            : { code: SpanStatusCode.ERROR },
        );
      } catch (failure) {
        reportInstrumentationError('ollama span failure', failure);
      }
    }
    this.end(atMs);
  }

  /** The application stopped reading the stream before its end: not a failure, the span ends now. */
  left(): void {
    if (this.ended) return;
    if (this.recording) {
      try {
        this.span.addEvent(EVENT_OLLAMA_STREAM_LEFT, { [ATTR_OLLAMA_STREAM_CHUNKS]: this.chunks });
      } catch (error) {
        reportInstrumentationError('ollama span stream left', error);
      }
    }
    this.end(undefined);
  }

  private end(atMs: number | undefined): void {
    this.ended = true;
    this.abortSignal?.removeEventListener('abort', this);
    try {
      this.span.end(atMs ?? performance.now());
    } catch (error) {
      reportInstrumentationError('ollama span end', error);
    }
  }
}
