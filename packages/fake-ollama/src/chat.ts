import { collectAnswer, type PlannedToken, unfinishedToolText } from './answer-plan.js';
import type { RequestContext } from './context.js';
import { type GenerationPlan, type Metrics, streamAnswer, withoutZeros } from './generation.js';
import { IMAGE_TOKENS, imagesError } from './images.js';
import {
  checkCapabilities,
  INVALID_MODEL_NAME,
  modelNotFound,
  now,
  planOrFail,
  readCommon,
  requestSeed,
  sinkFor,
} from './inference.js';
import { tokenLogprob } from './logprobs.js';
import { parseModelName } from './names.js';
import type { ResolvedModel } from './options.js';
import { hashString, seedFrom } from './prng.js';
import { sendError, sendJson } from './responses.js';
import { runModel } from './run-model.js';
import { countPromptTokens, tokenPieces } from './text.js';
import { chooseToolCalls, type ToolCall, toolsError } from './tool-calls.js';

/** A chat message as the fake reads it (Ollama's api.Message). */
interface Message {
  readonly role?: string | null;
  readonly content?: string | null;
  readonly images?: readonly (string | null)[] | null;
  readonly tool_calls?: unknown;
  readonly tool_name?: string | null;
}

const typeOf = (value: unknown): string =>
  Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;

/** Go's decoder error for a chat message of the wrong shape, or `undefined` when all are fine. */
function messagesError(messages: readonly unknown[]): string | undefined {
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      if (message === null) continue;
      return `json: cannot unmarshal ${typeOf(message)} into Go struct field ChatRequest.messages of type api.Message`;
    }
    const fields = message as Record<string, unknown>;
    for (const field of ['role', 'content', 'thinking', 'tool_name', 'tool_call_id']) {
      const value = fields[field];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        return `json: cannot unmarshal ${typeOf(value)} into Go struct field Message.messages.${field} of type string`;
      }
    }
    const calls = fields.tool_calls;
    if (calls !== undefined && calls !== null && !Array.isArray(calls)) {
      return `json: cannot unmarshal ${typeOf(calls)} into Go struct field Message.messages.tool_calls of type []api.ToolCall`;
    }
    const images = imagesError(fields.images, 'Message.messages.images');
    if (images !== undefined) return images;
  }
  return undefined;
}

/**
 * The conversation as the seed sees it: `role: content` lines, so a plain chat's answer does not depend on
 * tool support; tool calls, tool names and (for a vision model) images are added only when present.
 */
function transcriptOf(turns: readonly Message[], vision: boolean): string {
  return turns
    .map((m) => {
      let line = `${m.role ?? ''}: ${m.content ?? ''}`;
      if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
        line += `\u0000calls ${JSON.stringify(m.tool_calls)}`;
      }
      if (m.tool_name) line += `\u0000tool ${m.tool_name}`;
      const images = (m.images ?? []).filter((image) => image !== null);
      if (vision && images.length > 0) line += `\u0000images ${images.map((i) => hashString(i!)).join(',')}`;
      return line;
    })
    .join('\n');
}

/** Prompt tokens: the messages' text, the tools' definitions, and 256 per image a vision model sees. */
function promptTokenCount(
  turns: readonly Message[],
  tools: readonly unknown[],
  model: ResolvedModel,
): number {
  let count = countPromptTokens(turns.map((m) => m.content ?? ''));
  if (tools.length > 0) count += tokenPieces(JSON.stringify(tools)).length;
  if (model.capabilities.includes('vision')) {
    for (const m of turns) count += (m.images ?? []).filter((image) => image !== null).length * IMAGE_TOKENS;
  }
  return count;
}

/** The calls a model makes: with tools, when the user spoke last (after a tool's result it answers). */
function callsFor(turns: readonly Message[], tools: readonly unknown[], seed: number): ToolCall[] {
  const last = turns.at(-1);
  if (tools.length === 0 || last?.role?.toLowerCase() !== 'user') return [];
  return chooseToolCalls(tools, last.content ?? '', seedFrom(seed, 'tools'));
}

/** The `message` of a streamed chunk carrying `token`, or `undefined` for part of a tool call's text. */
function chunkMessage(token: PlannedToken): object | undefined {
  switch (token.kind) {
    case 'thinking':
      return { role: 'assistant', content: '', thinking: token.text };
    case 'content':
      return { role: 'assistant', content: token.text };
    default:
      return token.call === undefined
        ? undefined
        : { role: 'assistant', content: '', tool_calls: [token.call] };
  }
}

/**
 * `POST /api/chat`: the next assistant message, streamed as NDJSON unless `stream: false`. A thinking model
 * streams `message.thinking` chunks before the content; with `tools` a tool-capable model answers the
 * user with `message.tool_calls` (one chunk per call, as Ollama's tool parser emits them) and a tool's
 * result with text; `format` gives JSON; `logprobs` adds them to each chunk.
 */
export async function handleChat(context: RequestContext): Promise<void> {
  const request = readCommon(context, 'ChatRequest', { messages: 'array' });
  if (request === undefined) return;
  const { body, name } = request;
  if (name.trim() === '') return sendError(context.response, 400, 'model is required');
  if (parseModelName(name) === undefined) return sendError(context.response, 400, INVALID_MODEL_NAME);
  const messages = (body.messages ?? []) as unknown[];
  const shapeError = messagesError(messages) ?? toolsError(body.tools);
  if (shapeError !== undefined) return sendError(context.response, 400, shapeError);
  const tools = ((body.tools ?? []) as unknown[]).filter((tool) => tool !== null);
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
  const checked = checkCapabilities(context, request, model, 'chat', tools.length > 0);
  if (checked === undefined) return;
  const turns = messages.map((m) => (m ?? {}) as Message);
  const seed = requestSeed(
    context,
    request,
    model,
    transcriptOf(turns, model.capabilities.includes('vision')),
  );
  // A request without messages only loads the model: its format is never looked at.
  const answer =
    turns.length === 0
      ? undefined
      : planOrFail(context, request, seed, checked.thinking, callsFor(turns, tools, seed));
  if (turns.length > 0 && answer === undefined) return;

  const run = await runModel(context, model, request.keepAliveMs);
  if (run === undefined) return;
  try {
    if (answer === undefined) {
      return sendJson(context.response, 200, {
        model: name,
        created_at: now(),
        message: emptyMessage,
        done_reason: 'load',
        done: true,
      });
    }
    const whole = collectAnswer(answer);
    const logprobs = (index: number) =>
      tokenLogprob(answer.tokens[index]!.text, seed, index, request.topLogprobs);
    const plan: GenerationPlan = {
      tokens: answer.tokens.map((token) => token.text),
      promptTokens: promptTokenCount(turns, tools, model),
      loadedNs: run.loadedNs,
      chunk: (_, index) => {
        const message = chunkMessage(answer.tokens[index]!);
        // While Ollama's tool parser holds a call's text back, logprobs still go out, with empty content.
        if (message === undefined && !request.logprobs) return undefined;
        return {
          model: name,
          created_at: now(),
          message: message ?? emptyMessage,
          done: false,
          ...(request.logprobs ? { logprobs: [logprobs(index)] } : {}),
        };
      },
      final: (metrics: Metrics) => ({
        model: name,
        created_at: now(),
        message: request.stream
          ? { role: 'assistant', content: unfinishedToolText(answer) }
          : {
              role: 'assistant',
              content: whole.content,
              ...(whole.thinking !== '' ? { thinking: whole.thinking } : {}),
              ...(whole.calls.length > 0 ? { tool_calls: whole.calls } : {}),
            },
        done_reason: answer.doneReason,
        done: true,
        ...(!request.stream && request.logprobs
          ? { logprobs: answer.tokens.map((_, i) => logprobs(i)) }
          : {}),
        ...withoutZeros(metrics),
      }),
    };
    await streamAnswer(context, sinkFor(context, request.stream), plan);
  } finally {
    run.finish();
  }
}
