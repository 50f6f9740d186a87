import type { RequestContext } from './context.js';
import { parseKeepAlive } from './durations.js';
import { embedText, truncateEmbedding } from './embedding.js';
import { withoutZeros } from './generation.js';
import { INVALID_MODEL_NAME, modelNotFound } from './inference.js';
import { parseModelName } from './names.js';
import { parseRequest, stringField } from './request-body.js';
import { sendError, sendJson } from './responses.js';
import { runModel } from './run-model.js';
import { sleep } from './sleep.js';
import { countPromptTokens } from './text.js';

/** Reads `/api/embed`'s `input` as Ollama does: a string (empty means none) or an array of strings. */
function readInput(input: unknown): string[] | undefined {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return input === '' ? [] : [input];
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input as string[];
  return undefined;
}

/**
 * `POST /api/embed`: one deterministic unit vector per input, with `total_duration`, `load_duration` and
 * `prompt_eval_count`. The model takes `ttftMs` (its prompt evaluation) per request.
 */
export async function handleEmbed(context: RequestContext): Promise<void> {
  const parsed = parseRequest(context.body, 'EmbedRequest', {
    model: 'string',
    input: 'any',
    truncate: 'bool',
    dimensions: 'number',
    options: 'object',
  });
  if ('error' in parsed) return sendError(context.response, 400, parsed.error);
  const { body } = parsed;
  const keepAlive = parseKeepAlive(body.keep_alive);
  if ('error' in keepAlive) return sendError(context.response, 400, keepAlive.error);
  const name = stringField(body, 'model');
  if (name.trim() === '') return sendError(context.response, 404, modelNotFound(name));
  if (parseModelName(name) === undefined) return sendError(context.response, 400, INVALID_MODEL_NAME);
  const inputs = readInput(body.input);
  if (inputs === undefined) return sendError(context.response, 400, 'invalid input type');
  const model = context.state.registry.find(name);
  if (model === undefined) return sendError(context.response, 404, modelNotFound(name));

  const run = await runModel(context, model, keepAlive.ms);
  if (run === undefined) return;
  try {
    if (inputs.length === 0) return sendJson(context.response, 200, { model: name, embeddings: [] });
    if (!(await sleep(context.state.options.ttftMs, context.signal))) return;
    const dimensions = typeof body.dimensions === 'number' ? Math.trunc(body.dimensions) : undefined;
    const embeddings = inputs.map((text) =>
      truncateEmbedding(embedText(model.key, text, model.embeddingLength), dimensions),
    );
    sendJson(context.response, 200, {
      model: name,
      embeddings,
      ...withoutZeros({
        total_duration: Number(process.hrtime.bigint() - context.startedNs),
        load_duration: Number(run.loadedNs - context.startedNs),
        prompt_eval_count: countPromptTokens(inputs),
      }),
    });
  } finally {
    run.finish();
  }
}

/** `POST /api/embeddings`, the legacy endpoint: `prompt` in, one `embedding` out. */
export async function handleEmbeddings(context: RequestContext): Promise<void> {
  const parsed = parseRequest(context.body, 'EmbeddingRequest', {
    model: 'string',
    prompt: 'string',
    options: 'object',
  });
  if ('error' in parsed) return sendError(context.response, 400, parsed.error);
  const { body } = parsed;
  const keepAlive = parseKeepAlive(body.keep_alive);
  if ('error' in keepAlive) return sendError(context.response, 400, keepAlive.error);
  const name = stringField(body, 'model');
  if (name.trim() === '') return sendError(context.response, 400, 'model is required');
  if (parseModelName(name) === undefined) return sendError(context.response, 400, INVALID_MODEL_NAME);
  const model = context.state.registry.find(name);
  // This endpoint skips the name lookup the others do and fails in the scheduler, whose 404 reads
  // differently: `model "x" not found, try pulling it first` (handleScheduleError in server/routes.go).
  if (model === undefined) {
    return sendError(context.response, 404, `model ${JSON.stringify(name)} not found, try pulling it first`);
  }

  const run = await runModel(context, model, keepAlive.ms);
  if (run === undefined) return;
  try {
    const prompt = stringField(body, 'prompt');
    if (prompt === '') return sendJson(context.response, 200, { embedding: [] });
    if (!(await sleep(context.state.options.ttftMs, context.signal))) return;
    sendJson(context.response, 200, { embedding: embedText(model.key, prompt, model.embeddingLength) });
  } finally {
    run.finish();
  }
}
