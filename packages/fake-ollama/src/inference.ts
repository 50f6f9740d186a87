import type { RequestContext } from './context.js';
import { parseKeepAlive } from './durations.js';
import { type GenerationPlan, type Metrics, streamAnswer, withoutZeros } from './generation.js';
import { parseModelName } from './names.js';
import type { ResolvedModel } from './options.js';
import { seedFrom } from './prng.js';
import { parseRequest, stringField } from './request-body.js';
import { sendError, sendJson } from './responses.js';
import { runModel } from './run-model.js';
import { BufferSink, type ChunkSink, StreamSink } from './sinks.js';
import { answerTokens, countPromptTokens, jsonAnswerTokens, tokenIds } from './text.js';

/** Ollama's answer for a model name it cannot parse (`errtypes.InvalidModelNameErrMsg`). */
export const INVALID_MODEL_NAME = 'invalid model name';

/**
 * Ollama's 404 for a model it does not have: `model 'x' not found`, as the generate, chat, embed, show and
 * delete handlers of server/routes.go say on current main. Older releases said `model "x" not found, try
 * pulling it first`; today only the scheduler path (reached by `/api/embeddings`) still says that.
 */
export function modelNotFound(name: string): string {
  return `model '${name}' not found`;
}

/** A request both generate and chat share, read from the body. */
interface Common {
  readonly body: Record<string, unknown>;
  readonly name: string;
  readonly keepAliveMs: number;
  readonly stream: boolean;
}

/** Reads what generate and chat share, or answers the request's error and returns `undefined`. */
function readCommon(
  context: RequestContext,
  goStruct: string,
  schema: Parameters<typeof parseRequest>[2],
): Common | undefined {
  const parsed = parseRequest(context.body, goStruct, schema);
  if ('error' in parsed) {
    sendError(context.response, 400, parsed.error);
    return undefined;
  }
  const keepAlive = parseKeepAlive(parsed.body.keep_alive);
  if ('error' in keepAlive) {
    sendError(context.response, 400, keepAlive.error);
    return undefined;
  }
  return {
    body: parsed.body,
    name: stringField(parsed.body, 'model'),
    keepAliveMs: keepAlive.ms,
    stream: parsed.body.stream !== false,
  };
}

/** Go's decoder error for a chat message of the wrong shape, or `undefined` when all are fine. */
function messagesError(messages: readonly unknown[]): string | undefined {
  const typeOf = (value: unknown): string =>
    Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      if (message === null) continue;
      return `json: cannot unmarshal ${typeOf(message)} into Go struct field ChatRequest.messages of type api.Message`;
    }
    for (const field of ['role', 'content']) {
      const value = (message as Record<string, unknown>)[field];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        return `json: cannot unmarshal ${typeOf(value)} into Go struct field Message.messages.${field} of type string`;
      }
    }
  }
  return undefined;
}

/**
 * Ollama's capability checks before it schedules a model: thinking asked of a model without it, and
 * generation asked of an embedding-only model, are both 400s. Answers and returns `false` on failure.
 */
function checkCapabilities(
  context: RequestContext,
  request: Common,
  model: ResolvedModel,
  verb: string,
): boolean {
  const think = request.body.think;
  if (think !== undefined && think !== null && think !== false && !model.capabilities.includes('thinking')) {
    sendError(context.response, 400, `${JSON.stringify(request.name)} does not support thinking`);
    return false;
  }
  if (!model.capabilities.includes('completion')) {
    sendError(context.response, 400, `${JSON.stringify(request.name)} does not support ${verb}`);
    return false;
  }
  return true;
}

/** The answer's tokens and why it ended: `length` when `options.num_predict` cut it short. */
function planTokens(
  context: RequestContext,
  request: Common,
  model: ResolvedModel,
  prompt: string,
): { tokens: string[]; doneReason: 'stop' | 'length' } {
  const options = (request.body.options ?? {}) as Record<string, unknown>;
  const seed = seedFrom(
    context.state.options.seed,
    typeof options.seed === 'number' ? options.seed : '',
    model.key,
    prompt,
  );
  const format = request.body.format;
  const json =
    (typeof format === 'string' && format !== '') || (typeof format === 'object' && format !== null);
  const count = context.state.options.tokensPerAnswer;
  const tokens = json ? jsonAnswerTokens(seed, count) : answerTokens(seed, count);
  const limit = options.num_predict;
  // As in Ollama, num_predict <= 0 means no limit (-1 is its default, -2 "fill the context").
  if (typeof limit === 'number' && limit > 0 && limit < tokens.length) {
    return { tokens: tokens.slice(0, Math.floor(limit)), doneReason: 'length' };
  }
  return { tokens, doneReason: 'stop' };
}

function sinkFor(context: RequestContext, stream: boolean): ChunkSink {
  return stream
    ? new StreamSink(context.response, context.signal, context.chunkFaults)
    : new BufferSink(context.response, context.signal, context.chunkFaults);
}

const now = (): string => new Date().toISOString();

/** `POST /api/generate`: a completion, streamed as NDJSON unless `stream: false`. */
export async function handleGenerate(context: RequestContext): Promise<void> {
  const request = readCommon(context, 'GenerateRequest', {
    model: 'string',
    prompt: 'string',
    suffix: 'string',
    system: 'string',
    template: 'string',
    stream: 'bool',
    raw: 'bool',
    options: 'object',
  });
  if (request === undefined) return;
  const { body, name } = request;
  // An empty name fails Ollama's name parsing, which generate reports as a missing model (a 404).
  if (name.trim() === '') return sendError(context.response, 404, modelNotFound(name));
  if (parseModelName(name) === undefined) return sendError(context.response, 400, INVALID_MODEL_NAME);
  const model = context.state.registry.find(name);
  if (model === undefined) return sendError(context.response, 404, modelNotFound(name));
  const prompt = stringField(body, 'prompt');
  if (prompt === '' && body.keep_alive !== undefined && request.keepAliveMs === 0) {
    context.state.registry.keepLoaded(model, 0);
    return sendJson(context.response, 200, {
      model: name,
      created_at: now(),
      response: '',
      done: true,
      done_reason: 'unload',
    });
  }
  if (!checkCapabilities(context, request, model, 'generate')) return;
  const system = stringField(body, 'system');
  const raw = body.raw === true;
  if (raw && (stringField(body, 'template') !== '' || system !== '' || Array.isArray(body.context))) {
    return sendError(context.response, 400, 'raw mode does not support template, system, or context');
  }

  const run = await runModel(context, model, request.keepAliveMs);
  if (run === undefined) return;
  try {
    if (prompt === '') {
      return sendJson(context.response, 200, {
        model: name,
        created_at: now(),
        response: '',
        done: true,
        done_reason: 'load',
      });
    }
    const suffix = stringField(body, 'suffix');
    const { tokens, doneReason } = planTokens(
      context,
      request,
      model,
      `${system}\u0000${prompt}\u0000${suffix}`,
    );
    const text = tokens.join('');
    const plan: GenerationPlan = {
      tokens,
      promptTokens: countPromptTokens([system, prompt, suffix]),
      loadedNs: run.loadedNs,
      chunk: (token) => ({ model: name, created_at: now(), response: token, done: false }),
      final: (metrics: Metrics) => ({
        model: name,
        created_at: now(),
        response: request.stream ? '' : text,
        done: true,
        done_reason: doneReason,
        // The conversation's tokens, for the deprecated `context` field; raw mode has none.
        ...(raw ? {} : { context: tokenIds(`${system} ${prompt} ${text}`) }),
        ...withoutZeros(metrics),
      }),
    };
    await streamAnswer(context, sinkFor(context, request.stream), plan);
  } finally {
    run.finish();
  }
}

/** `POST /api/chat`: the next assistant message, streamed as NDJSON unless `stream: false`. */
export async function handleChat(context: RequestContext): Promise<void> {
  const request = readCommon(context, 'ChatRequest', {
    model: 'string',
    messages: 'array',
    stream: 'bool',
    options: 'object',
  });
  if (request === undefined) return;
  const { body, name } = request;
  if (name.trim() === '') return sendError(context.response, 400, 'model is required');
  if (parseModelName(name) === undefined) return sendError(context.response, 400, INVALID_MODEL_NAME);
  const messages = (body.messages ?? []) as unknown[];
  const shapeError = messagesError(messages);
  if (shapeError !== undefined) return sendError(context.response, 400, shapeError);
  const model = context.state.registry.find(name);
  if (model === undefined) return sendError(context.response, 404, modelNotFound(name));
  const emptyMessage = { role: 'assistant', content: '' };
  if (messages.length === 0 && body.keep_alive !== undefined && request.keepAliveMs === 0) {
    context.state.registry.keepLoaded(model, 0);
    return sendJson(context.response, 200, {
      model: name,
      created_at: now(),
      message: emptyMessage,
      done_reason: 'unload',
      done: true,
    });
  }
  if (!checkCapabilities(context, request, model, 'chat')) return;

  const run = await runModel(context, model, request.keepAliveMs);
  if (run === undefined) return;
  try {
    if (messages.length === 0) {
      return sendJson(context.response, 200, {
        model: name,
        created_at: now(),
        message: emptyMessage,
        done_reason: 'load',
        done: true,
      });
    }
    const turns = messages.map((m) => (m ?? {}) as { role?: string | null; content?: string | null });
    const contents = turns.map((m) => m.content ?? '');
    const transcript = turns.map((m) => `${m.role ?? ''}: ${m.content ?? ''}`).join('\n');
    const { tokens, doneReason } = planTokens(context, request, model, transcript);
    const text = tokens.join('');
    const plan: GenerationPlan = {
      tokens,
      promptTokens: countPromptTokens(contents),
      loadedNs: run.loadedNs,
      chunk: (token) => ({
        model: name,
        created_at: now(),
        message: { role: 'assistant', content: token },
        done: false,
      }),
      final: (metrics: Metrics) => ({
        model: name,
        created_at: now(),
        message: { role: 'assistant', content: request.stream ? '' : text },
        done_reason: doneReason,
        done: true,
        ...withoutZeros(metrics),
      }),
    };
    await streamAnswer(context, sinkFor(context, request.stream), plan);
  } finally {
    run.finish();
  }
}
