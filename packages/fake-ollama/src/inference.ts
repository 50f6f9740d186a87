import { type AnswerPlan, planAnswer } from './answer-plan.js';
import type { RequestContext } from './context.js';
import { parseKeepAlive } from './durations.js';
import { TOP_LOGPROBS_RANGE } from './logprobs.js';
import type { ResolvedModel } from './options.js';
import { seedFrom } from './prng.js';
import { type GoType, parseRequest, stringField } from './request-body.js';
import { requestOptionsError } from './request-options.js';
import { sendError } from './responses.js';
import { BufferSink, type ChunkSink, StreamSink } from './sinks.js';
import { INVALID_SCHEMA, readFormat } from './structured-output.js';
import { readThink, type ThinkLevel, thinkLevel } from './thinking.js';
import { type ToolCall, toolsRefusal } from './tool-calls.js';

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
export interface Common {
  readonly body: Record<string, unknown>;
  readonly name: string;
  readonly keepAliveMs: number;
  readonly stream: boolean;
  readonly think: boolean | ThinkLevel | undefined;
  /** `logprobs: true`, with `top_logprobs` alternatives per token (0–20). */
  readonly logprobs: boolean;
  readonly topLogprobs: number;
}

/** The fields both GenerateRequest and ChatRequest decode with a plain Go type. */
const COMMON_FIELDS: Readonly<Record<string, GoType>> = {
  model: 'string',
  stream: 'bool',
  options: 'object',
  logprobs: 'bool',
  top_logprobs: 'number',
  truncate: 'bool',
  shift: 'bool',
};

/**
 * Reads what generate and chat share, or answers the request's error and returns `undefined`: Go's
 * decoder errors first (a field of the wrong type, a bad `think` or `keep_alive`), then a `top_logprobs`
 * outside 0–20, as Ollama's handlers check them.
 */
export function readCommon(
  context: RequestContext,
  goStruct: string,
  fields: Readonly<Record<string, GoType>>,
): Common | undefined {
  const parsed = parseRequest(context.body, goStruct, { ...fields, ...COMMON_FIELDS });
  const fail = (message: string): undefined => {
    sendError(context.response, 400, message);
    return undefined;
  };
  if ('error' in parsed) return fail(parsed.error);
  const { body } = parsed;
  const think = readThink(body.think);
  if ('error' in think) return fail(think.error);
  const keepAlive = parseKeepAlive(body.keep_alive);
  if ('error' in keepAlive) return fail(keepAlive.error);
  const top = body.top_logprobs ?? 0;
  if (!Number.isInteger(top)) {
    return fail(
      `json: cannot unmarshal number ${top} into Go struct field ${goStruct}.top_logprobs of type int`,
    );
  }
  if ((top as number) < 0 || (top as number) > 20) return fail(TOP_LOGPROBS_RANGE);
  return {
    body,
    name: stringField(body, 'model'),
    keepAliveMs: keepAlive.ms,
    stream: body.stream !== false,
    think: think.think,
    logprobs: body.logprobs === true,
    topLogprobs: top as number,
  };
}

/**
 * Ollama's checks before it schedules a model, in its order: thinking asked of a model without it, then
 * the capabilities (`completion`, and `tools` when the request has tools), then the options' types. Answers
 * and returns `undefined` on failure, else how hard the model thinks.
 */
export function checkCapabilities(
  context: RequestContext,
  request: Common,
  model: ResolvedModel,
  verb: 'generate' | 'chat',
  wantsTools = false,
): { thinking: ThinkLevel | undefined } | undefined {
  const thinking = thinkLevel(model, request.name, request.think);
  let error: string | undefined;
  if ('error' in thinking) error = thinking.error;
  else if (!model.capabilities.includes('completion')) {
    error = `${JSON.stringify(request.name)} does not support ${verb}`;
  } else if (wantsTools && !model.capabilities.includes('tools')) error = toolsRefusal(model);
  else error = requestOptionsError(request.body.options as Record<string, unknown> | undefined);
  if (error !== undefined) {
    sendError(context.response, 400, error);
    return undefined;
  }
  return { thinking: (thinking as { level: ThinkLevel | undefined }).level };
}

/** The seed of a request: the server's, the request's `options.seed`, the model and the prompt. */
export function requestSeed(
  context: RequestContext,
  request: Common,
  model: ResolvedModel,
  prompt: string,
): number {
  const options = (request.body.options ?? {}) as Record<string, unknown>;
  return seedFrom(
    context.state.options.seed,
    typeof options.seed === 'number' ? options.seed : '',
    model.key,
    prompt,
  );
}

/**
 * Plans the answer's tokens, or answers 400 and returns `undefined` for a `format` Ollama would not take
 * (Ollama finds that out only when the runner starts and says it with a 500; the fake says it up front).
 * A schema past the fake's limits (`SCHEMA_LIMITS` in schema-value.ts: a `minLength` of a billion, a
 * cycle, nesting thousands deep) is the same 400, `invalid JSON schema in format`, answered at once.
 */
export function planOrFail(
  context: RequestContext,
  request: Common,
  seed: number,
  thinking: ThinkLevel | undefined,
  toolCalls: readonly ToolCall[] = [],
): AnswerPlan | undefined {
  const format = readFormat(request.body.format);
  if ('error' in format) {
    sendError(context.response, 400, format.error);
    return undefined;
  }
  const options = (request.body.options ?? {}) as Record<string, unknown>;
  try {
    return planAnswer({
      seed,
      tokensPerAnswer: context.state.options.tokensPerAnswer,
      numPredict: options.num_predict,
      thinking,
      format,
      toolCalls,
    });
  } catch {
    // A SchemaError, or anything else a hostile schema sets off: bad input is a 400, never a 500.
    sendError(context.response, 400, INVALID_SCHEMA);
    return undefined;
  }
}

export function sinkFor(context: RequestContext, stream: boolean): ChunkSink {
  return stream
    ? new StreamSink(context.response, context.signal, context.chunkFaults)
    : new BufferSink(context.response, context.signal, context.chunkFaults);
}

export const now = (): string => new Date().toISOString();
