import { collectAnswer } from './answer-plan.js';
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
import { hashString } from './prng.js';
import { stringField } from './request-body.js';
import { sendError, sendJson } from './responses.js';
import { runModel } from './run-model.js';
import { countPromptTokens, tokenIds } from './text.js';

/**
 * `POST /api/generate`: a completion, streamed as NDJSON unless `stream: false`. A thinking model streams
 * `thinking` chunks before the `response` ones; `format` gives JSON; `logprobs` adds them to each chunk.
 */
export async function handleGenerate(context: RequestContext): Promise<void> {
  const request = readCommon(context, 'GenerateRequest', {
    prompt: 'string',
    suffix: 'string',
    system: 'string',
    template: 'string',
    raw: 'bool',
  });
  if (request === undefined) return;
  const { body, name } = request;
  const images = body.images as string[] | undefined;
  const badImages = imagesError(images, 'GenerateRequest.images');
  if (badImages !== undefined) return sendError(context.response, 400, badImages);
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
  const checked = checkCapabilities(context, request, model, 'generate');
  if (checked === undefined) return;
  const system = stringField(body, 'system');
  const raw = body.raw === true;
  if (raw && (stringField(body, 'template') !== '' || system !== '' || Array.isArray(body.context))) {
    return sendError(context.response, 400, 'raw mode does not support template, system, or context');
  }
  const suffix = stringField(body, 'suffix');
  // A vision model sees the images (they change the answer and count as prompt tokens); others ignore them.
  const seen = model.capabilities.includes('vision') ? (images ?? []).filter((i) => i !== null) : [];
  const imageKey = seen.length === 0 ? '' : `\u0000${seen.map((image) => hashString(image)).join(',')}`;
  const seed = requestSeed(context, request, model, `${system}\u0000${prompt}\u0000${suffix}${imageKey}`);
  // A request without a prompt only loads the model: its format is never looked at.
  const answer = prompt === '' ? undefined : planOrFail(context, request, seed, checked.thinking);
  if (prompt !== '' && answer === undefined) return;

  const run = await runModel(context, model, request.keepAliveMs);
  if (run === undefined) return;
  try {
    if (answer === undefined) {
      return sendJson(context.response, 200, {
        model: name,
        created_at: now(),
        response: '',
        done: true,
        done_reason: 'load',
      });
    }
    const { thinking, content } = collectAnswer(answer);
    const logprobs = (index: number) =>
      tokenLogprob(answer.tokens[index]!.text, seed, index, request.topLogprobs);
    const plan: GenerationPlan = {
      tokens: answer.tokens.map((token) => token.text),
      promptTokens: countPromptTokens([system, prompt, suffix]) + seen.length * IMAGE_TOKENS,
      loadedNs: run.loadedNs,
      chunk: (token, index) => ({
        model: name,
        created_at: now(),
        ...(answer.tokens[index]!.kind === 'thinking'
          ? { response: '', thinking: token }
          : { response: token }),
        done: false,
        ...(request.logprobs ? { logprobs: [logprobs(index)] } : {}),
      }),
      final: (metrics: Metrics) => ({
        model: name,
        created_at: now(),
        response: request.stream ? '' : content,
        ...(!request.stream && thinking !== '' ? { thinking } : {}),
        done: true,
        done_reason: answer.doneReason,
        // The conversation's tokens, for the deprecated `context` field; raw mode has none.
        ...(raw ? {} : { context: tokenIds(`${system} ${prompt} ${content}`) }),
        ...withoutZeros(metrics),
        ...(!request.stream && request.logprobs
          ? { logprobs: answer.tokens.map((_, i) => logprobs(i)) }
          : {}),
      }),
    };
    await streamAnswer(context, sinkFor(context, request.stream), plan);
  } finally {
    run.finish();
  }
}
