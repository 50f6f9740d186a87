import { context, trace } from '@opentelemetry/api';
import { Pool } from 'undici';
import { Call } from './call.js';
import { AbortError, errorType } from './errors.js';
import { GenAiMetrics, type GenAiOperation, type Usage } from './genai-metrics.js';
import { GenAiSpan } from './genai-span.js';
import { GenAiStream } from './genai-stream.js';
import { buildHeaders } from './headers.js';
import { type ParsedHost, resolveHost } from './host.js';
import { encodeImage, encodeImages } from './images.js';
import type {
  ChatRequest,
  ChatResponse,
  CopyRequest,
  CreateRequest,
  DeleteRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  ProgressResponse,
  PullRequest,
  PushRequest,
  ShowRequest,
  ShowResponse,
  StatusResponse,
  VersionResponse,
} from './interfaces.js';
import type { LineReader } from './ndjson-lines.js';
import {
  type CallOptions,
  type Config,
  checkTimeout,
  type ResolvedConfig,
  resolveConfig,
} from './options.js';
import { PoolMonitor } from './pool-monitor.js';
import { PsPoller } from './ps-poller.js';
import { checkRequest, requestJson } from './request-json.js';
import { AbortableAsyncIterator, NdjsonIterator, type StreamHooks } from './stream.js';
import { activeTracer } from './tracer.js';
import { type OkResponse, Transport } from './transport.js';

type Method = 'GET' | 'POST' | 'DELETE';

/** Which GenAI operation an endpoint is, if any. */
const OPERATIONS: Record<string, GenAiOperation | undefined> = {
  '/api/chat': 'chat',
  '/api/generate': 'text_completion',
  '/api/embed': 'embeddings',
  '/api/embeddings': 'embeddings',
};

/**
 * An Ollama client with the `ollama` package's methods, arguments and answers, on one undici connection
 * pool, with pool and GenAI metrics, typed errors, timeouts, an `AbortSignal` on every call and retries of
 * connection failures. Every method takes a last, optional {@link CallOptions} (`signal`, `timeoutMs`). To
 * run calls under a resilience policy, wrap them: `executeWithSignal(policy, (signal) => ollama.chat(request,
 * { signal }))` (from `@sightglass/resilience`).
 *
 * @example
 * import { Ollama } from '@sightglass/ollama'; // was: import { Ollama } from 'ollama'
 * const ollama = new Ollama({ host: 'http://127.0.0.1:11434' });
 * const reply = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] });
 */
export class Ollama {
  /** The undici pool every request goes through (read `pool.stats` for live figures). */
  readonly pool: Pool;
  /** The name the pool reports under (`pool_name`, the health check). */
  readonly name: string;
  private readonly config: ResolvedConfig;
  private readonly host: ParsedHost;
  private readonly transport: Transport;
  private readonly monitor: PoolMonitor;
  private readonly genAi: GenAiMetrics | undefined;
  private readonly psPoller: PsPoller | undefined;
  /** The headers of every request, before a call's trace context is added. */
  private readonly headers: Record<string, string>;
  private readonly calls = new Set<Call>();
  private closing: Promise<void> | undefined;

  /**
   * @throws SightglassError `ERR_SIGHTGLASS_INVALID_CONFIG` for a bad option, `ERR_SIGHTGLASS_INVALID_URL`
   *   for a bad host, `ERR_SIGHTGLASS_INVALID_NAME` / `ERR_SIGHTGLASS_DUPLICATE_HEALTH_CHECK` for a bad or
   *   taken `name`.
   */
  constructor(config: Config = {}) {
    this.config = resolveConfig(config);
    this.host = resolveHost(config.host);
    const c = this.config;
    this.pool = new Pool(this.host.origin, {
      connections: c.connections,
      pipelining: c.pipelining,
      keepAliveTimeout: c.keepAliveTimeout,
      headersTimeout: c.headersTimeout,
      bodyTimeout: c.bodyTimeout,
      connectTimeout: c.connectTimeout,
    });
    this.monitor = new PoolMonitor(this.pool, c.connections, c);
    this.name = this.monitor.name;
    this.genAi = c.metrics ? new GenAiMetrics(this.host.address, this.host.port, this.name) : undefined;
    const headers = buildHeaders(config.headers, this.host.authorization);
    this.headers = headers;
    if (c.metrics && c.psPoll !== undefined) {
      this.psPoller = new PsPoller(this.host, headers, this.name, c.psPoll);
      this.monitor.attachPsPoll(() => this.psPoller!.details());
    }
    this.transport = new Transport({
      pool: this.pool,
      host: this.host,
      headers,
      retries: c.retries,
      retryDelayMs: c.retryDelayMs,
      monitor: this.monitor,
    });
  }

  /** Aborts every call in flight, streamed or not: each throws an `AbortError`. */
  abort(): void {
    for (const call of [...this.calls]) call.abort(new AbortError('The Ollama client aborted its calls'));
  }

  /**
   * An image as chat and generate send it, as the `ollama` package's `encodeImage` gives it in Node.js:
   * bytes (a `Uint8Array` or `Buffer`) as base64, a string naming an existing file as that file's bytes in
   * base64, any other string as it is (taken to be base64 already). Because a string may name a file, never
   * pass image strings from a service's callers here unchecked: decode their base64 to bytes first.
   */
  encodeImage(image: Uint8Array | string): Promise<string> {
    return encodeImage(image);
  }

  /** Aborts what is in flight, closes the pool's connections and stops its metrics and health check. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const call of [...this.calls]) call.abort(new AbortError('The Ollama client was closed'));
      this.monitor.dispose();
      this.genAi?.dispose();
      await Promise.all([this.psPoller?.stop(), this.pool.close()]);
    })();
    return this.closing;
  }

  generate(
    request: GenerateRequest & { stream: true },
    options?: CallOptions,
  ): Promise<AbortableAsyncIterator<GenerateResponse>>;
  generate(request: GenerateRequest & { stream?: false }, options?: CallOptions): Promise<GenerateResponse>;
  /**
   * Generates a response from a prompt; with `stream: true` an iterator of chunks, passed on as Ollama sends
   * them (`thinking` chunks before the `response` ones). `images` are sent as base64 (see
   * {@link Ollama.encodeImage}); the request object itself is not changed.
   */
  async generate(
    request: GenerateRequest,
    options?: CallOptions,
  ): Promise<GenerateResponse | AbortableAsyncIterator<GenerateResponse>> {
    checkRequest(request, 'generate');
    const images = await encodeImages(request.images);
    const body = images === undefined ? request : { ...request, images };
    return this.streamable<GenerateResponse>('/api/generate', body, request.model, options);
  }

  chat(
    request: ChatRequest & { stream: true },
    options?: CallOptions,
  ): Promise<AbortableAsyncIterator<ChatResponse>>;
  chat(request: ChatRequest & { stream?: false }, options?: CallOptions): Promise<ChatResponse>;
  /**
   * Chats with a model; with `stream: true` an iterator of chunks, passed on as Ollama sends them
   * (`message.thinking` chunks before the content, a chunk per `message.tool_calls` entry). Images in
   * messages may be bytes, base64 or file paths, and are sent as base64 (see {@link Ollama.encodeImage});
   * the request object itself is not changed.
   */
  async chat(
    request: ChatRequest,
    options?: CallOptions,
  ): Promise<ChatResponse | AbortableAsyncIterator<ChatResponse>> {
    checkRequest(request, 'chat');
    let body = request;
    if (request.messages?.some((message) => message.images !== undefined)) {
      const messages = await Promise.all(
        request.messages.map(async (message) =>
          message.images === undefined ? message : { ...message, images: await encodeImages(message.images) },
        ),
      );
      body = { ...request, messages: messages as ChatRequest['messages'] };
    }
    return this.streamable<ChatResponse>('/api/chat', body, request.model, options);
  }

  create(
    request: CreateRequest & { stream: true },
    options?: CallOptions,
  ): Promise<AbortableAsyncIterator<ProgressResponse>>;
  create(request: CreateRequest & { stream?: false }, options?: CallOptions): Promise<ProgressResponse>;
  /** Creates a model (`from` an existing one, with a template, system prompt, …). */
  async create(
    request: CreateRequest,
    options?: CallOptions,
  ): Promise<ProgressResponse | AbortableAsyncIterator<ProgressResponse>> {
    checkRequest(request, 'create');
    return this.streamable<ProgressResponse>('/api/create', { ...request }, request.model, options);
  }

  pull(
    request: PullRequest & { stream: true },
    options?: CallOptions,
  ): Promise<AbortableAsyncIterator<ProgressResponse>>;
  pull(request: PullRequest & { stream?: false }, options?: CallOptions): Promise<ProgressResponse>;
  /** Downloads a model from the registry; with `stream: true` an iterator of progress lines. */
  async pull(
    request: PullRequest,
    options?: CallOptions,
  ): Promise<ProgressResponse | AbortableAsyncIterator<ProgressResponse>> {
    checkRequest(request, 'pull');
    const body = { name: request.model, stream: request.stream, insecure: request.insecure };
    return this.streamable<ProgressResponse>('/api/pull', body, request.model, options);
  }

  push(
    request: PushRequest & { stream: true },
    options?: CallOptions,
  ): Promise<AbortableAsyncIterator<ProgressResponse>>;
  push(request: PushRequest & { stream?: false }, options?: CallOptions): Promise<ProgressResponse>;
  /** Uploads a model to the registry; with `stream: true` an iterator of progress lines. */
  async push(
    request: PushRequest,
    options?: CallOptions,
  ): Promise<ProgressResponse | AbortableAsyncIterator<ProgressResponse>> {
    checkRequest(request, 'push');
    const body = { name: request.model, stream: request.stream, insecure: request.insecure };
    return this.streamable<ProgressResponse>('/api/push', body, request.model, options);
  }

  /** Deletes a model. */
  async delete(request: DeleteRequest, options?: CallOptions): Promise<StatusResponse> {
    checkRequest(request, 'delete');
    await this.withoutAnswer('DELETE', '/api/delete', { name: request.model }, options);
    return { status: 'success' };
  }

  /** Copies a model under a new name. */
  async copy(request: CopyRequest, options?: CallOptions): Promise<StatusResponse> {
    checkRequest(request, 'copy');
    await this.withoutAnswer('POST', '/api/copy', { ...request }, options);
    return { status: 'success' };
  }

  /** Lists the installed models. */
  list(options?: CallOptions): Promise<ListResponse> {
    return this.json('GET', '/api/tags', undefined, undefined, options);
  }

  /** A model's modelfile, template, parameters, details and capabilities. */
  async show(request: ShowRequest, options?: CallOptions): Promise<ShowResponse> {
    checkRequest(request, 'show');
    return this.json('POST', '/api/show', { ...request }, undefined, options);
  }

  /** Embeds one or more texts. */
  async embed(request: EmbedRequest, options?: CallOptions): Promise<EmbedResponse> {
    checkRequest(request, 'embed');
    return this.json('POST', '/api/embed', { ...request }, request.model, options);
  }

  /** Embeds one prompt (the legacy endpoint). */
  async embeddings(request: EmbeddingsRequest, options?: CallOptions): Promise<EmbeddingsResponse> {
    checkRequest(request, 'embeddings');
    return this.json('POST', '/api/embeddings', { ...request }, request.model, options);
  }

  /** The models loaded in memory now. */
  ps(options?: CallOptions): Promise<ListResponse> {
    return this.json('GET', '/api/ps', undefined, undefined, options);
  }

  /** The server's version. */
  version(options?: CallOptions): Promise<VersionResponse> {
    return this.json('GET', '/api/version', undefined, undefined, options);
  }

  private startCall(options: CallOptions | undefined): Call {
    if (this.closing !== undefined) throw new AbortError('The Ollama client was closed');
    const timeoutMs =
      options?.timeoutMs === undefined ? this.config.timeoutMs : checkTimeout(options.timeoutMs);
    return new Call(this.calls, options?.signal, timeoutMs);
  }

  /**
   * The span of a GenAI call, when tracing is on and a tracer provider is registered; else undefined, with
   * nothing built.
   */
  private traceCall(
    operation: GenAiOperation | undefined,
    call: { model: string | undefined; request: object; stream: boolean; startedMs: number },
  ): GenAiSpan | undefined {
    const tracing = this.config.tracing;
    if (operation === undefined || tracing === undefined) return undefined;
    const tracer = activeTracer();
    if (tracer === undefined) return undefined;
    if (tracing.requireParentSpan && trace.getSpan(context.active()) === undefined) return undefined;
    return GenAiSpan.start(tracer, {
      tracing,
      host: this.host,
      operation,
      model: call.model ?? '',
      request: call.request,
      stream: call.stream,
      startedMs: call.startedMs,
      headers: this.headers,
    });
  }

  /** Records a finished GenAI call (a no-op for other endpoints or with metrics off). */
  private record(
    operation: GenAiOperation | undefined,
    model: string,
    started: number,
    error: unknown,
    usage: Usage | undefined,
    span: GenAiSpan | undefined,
  ): void {
    if (operation === undefined || this.genAi === undefined) return;
    const seconds = (performance.now() - started) / 1000;
    if (error === undefined) this.genAi.succeeded(operation, model, seconds, usage, span?.span);
    else this.genAi.failed(operation, model, seconds, errorType(error), undefined, span?.span);
  }

  /** A request answered by one JSON object. */
  private json<T>(
    method: Method,
    path: string,
    body: object | undefined,
    model: string | undefined,
    options: CallOptions | undefined,
  ): Promise<T> {
    return this.send(method, path, body, model, options, (response, call) =>
      this.transport.json<T>(response, call),
    );
  }

  /** A request answered with an empty body (delete, copy). */
  private withoutAnswer(
    method: Method,
    path: string,
    body: object,
    options: CallOptions | undefined,
  ): Promise<void> {
    return this.send(method, path, body, undefined, options, (response, call) =>
      this.transport.discard(response, call),
    );
  }

  /** Sends a request and reads its answer with `read`. */
  private async send<T>(
    method: Method,
    path: string,
    body: object | undefined,
    model: string | undefined,
    options: CallOptions | undefined,
    read: (response: OkResponse, call: Call) => Promise<T>,
  ): Promise<T> {
    // Serialized before the call starts: a body JSON cannot hold is refused with nothing sent or counted.
    const payload = body === undefined ? undefined : requestJson(body);
    const started = performance.now();
    const operation = OPERATIONS[path];
    const call = this.startCall(options);
    const span =
      body === undefined
        ? undefined
        : this.traceCall(operation, { model, request: body, stream: false, startedMs: started });
    try {
      if (call.reason !== undefined) throw call.reason;
      const work = async () => read(await this.transport.request(call, method, path, payload, span), call);
      // The span is active while the request runs: HTTP instrumentation's spans land under it.
      const result = span === undefined ? await work() : await context.with(span.context, work);
      this.record(operation, model ?? '', started, undefined, result as Usage, span);
      span?.succeeded(result);
      return result as T;
    } catch (error) {
      const mapped = call.reason ?? error;
      this.record(operation, model ?? '', started, mapped, undefined, span);
      span?.failed(mapped);
      throw mapped;
    } finally {
      call.settle();
    }
  }

  /** A request that answers with NDJSON when `stream` is true, else with one JSON object. */
  private async streamable<T extends object>(
    path: string,
    request: { stream?: boolean },
    model: string,
    options: CallOptions | undefined,
  ): Promise<T | AbortableAsyncIterator<T>> {
    const stream = request.stream ?? false;
    const body = { ...request, stream };
    if (!stream) return this.json<T>('POST', path, body, model, options);
    const payload = requestJson(body);
    const started = performance.now();
    const operation = OPERATIONS[path];
    const call = this.startCall(options);
    const span = this.traceCall(operation, { model, request: body, stream: true, startedMs: started });
    let response: { statusCode: number; lines: LineReader };
    try {
      if (call.reason !== undefined) throw call.reason;
      const work = () => this.transport.stream(call, path, payload, span);
      response = span === undefined ? await work() : await context.with(span.context, work);
      if (operation !== undefined) this.genAi?.accept(model);
    } catch (error) {
      const mapped = call.reason ?? error;
      this.record(operation, model, started, mapped, undefined, span);
      span?.failed(mapped);
      call.settle();
      throw mapped;
    }
    span?.streaming(call.signal);
    const hooks = this.streamHooks<T>(operation, model, started, span);
    const fail = (error: unknown) => this.transport.answerFailure(error, call);
    const iterator = new NdjsonIterator<T>(response.lines, response.statusCode, call, fail, hooks);
    return AbortableAsyncIterator.of(call, iterator);
  }

  private streamHooks<T>(
    operation: GenAiOperation | undefined,
    model: string,
    started: number,
    span: GenAiSpan | undefined,
  ): StreamHooks<T> | undefined {
    const genAi = this.genAi;
    if (operation === undefined || (genAi === undefined && span === undefined)) return undefined;
    return new GenAiStream<T & object>(genAi, operation, model, started, span);
  }
}
