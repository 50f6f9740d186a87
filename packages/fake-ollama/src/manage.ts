import { createHash } from 'node:crypto';
import type { RequestContext } from './context.js';
import { INVALID_MODEL_NAME, modelNotFound } from './inference.js';
import { psEntryJson, showJson, tagsEntryJson } from './model-json.js';
import { parseModelName } from './names.js';
import type { ResolvedModel } from './options.js';
import { parseRequest, stringField } from './request-body.js';
import { sendEmpty, sendError, sendJson, sendText } from './responses.js';
import { BufferSink, type ChunkSink, StreamSink } from './sinks.js';

/** `GET /` and `HEAD /`: the plain-text liveness answer every Ollama gives. */
export function handleRoot(context: RequestContext): void {
  sendText(context.response, 200, 'Ollama is running');
}

/** `GET /api/version`. */
export function handleVersion(context: RequestContext): void {
  sendJson(context.response, 200, { version: context.state.options.version });
}

/** `GET /api/tags`: the installed models, most recently modified first. */
export function handleTags(context: RequestContext): void {
  sendJson(context.response, 200, { models: context.state.registry.list().map(tagsEntryJson) });
}

/** `GET /api/ps`: the loaded models, those with the most `keep_alive` left first. */
export function handlePs(context: RequestContext): void {
  sendJson(context.response, 200, { models: context.state.registry.loaded().map(psEntryJson) });
}

/** Reads `model`, or the deprecated `name` the official client still sends for pull and delete. */
function modelOrName(body: Record<string, unknown>): string {
  return stringField(body, 'model') || stringField(body, 'name');
}

/** `POST /api/show`: a model's modelfile, template, details, `model_info` and capabilities. */
export function handleShow(context: RequestContext): void {
  const parsed = parseRequest(context.body, 'ShowRequest', {
    model: 'string',
    name: 'string',
    system: 'string',
    template: 'string',
    verbose: 'bool',
    options: 'object',
  });
  if ('error' in parsed) {
    sendError(context.response, 400, parsed.error);
    return;
  }
  const name = modelOrName(parsed.body);
  if (name === '') {
    sendError(context.response, 400, 'model is required');
    return;
  }
  if (parseModelName(name) === undefined) {
    sendError(context.response, 400, INVALID_MODEL_NAME);
    return;
  }
  const model = context.state.registry.find(name);
  if (model === undefined) {
    sendError(context.response, 404, modelNotFound(name));
    return;
  }
  sendJson(context.response, 200, showJson(model));
}

/** `DELETE /api/delete`: removes a model; 200 with an empty body, as Ollama answers. */
export function handleDelete(context: RequestContext): void {
  const parsed = parseRequest(context.body, 'DeleteRequest', { model: 'string', name: 'string' });
  if ('error' in parsed) {
    sendError(context.response, 400, parsed.error);
    return;
  }
  const name = modelOrName(parsed.body);
  if (name.trim() === '') {
    sendError(context.response, 400, 'model is required');
    return;
  }
  if (parseModelName(name) === undefined) {
    sendError(context.response, 400, `name ${JSON.stringify(name)} is invalid`);
    return;
  }
  const model = context.state.registry.find(name);
  if (model === undefined) {
    sendError(context.response, 404, modelNotFound(name));
    return;
  }
  context.state.registry.delete(model);
  sendEmpty(context.response, 200);
}

/** `POST /api/copy`: installs a model again under another name; 200 with an empty body. */
export function handleCopy(context: RequestContext): void {
  const parsed = parseRequest(context.body, 'CopyRequest', { source: 'string', destination: 'string' });
  if ('error' in parsed) {
    sendError(context.response, 400, parsed.error);
    return;
  }
  const source = stringField(parsed.body, 'source');
  const destination = stringField(parsed.body, 'destination');
  if (parseModelName(source) === undefined) {
    sendError(context.response, 400, `source ${JSON.stringify(source)} is invalid`);
    return;
  }
  if (parseModelName(destination) === undefined) {
    sendError(context.response, 400, `destination ${JSON.stringify(destination)} is invalid`);
    return;
  }
  const model = context.state.registry.find(source);
  // Copy's 404 quotes with %q, unlike the other endpoints' 'x' (CopyHandler in server/routes.go).
  if (model === undefined) {
    sendError(context.response, 404, `model ${JSON.stringify(source)} not found`);
    return;
  }
  context.state.registry.copy(model, destination);
  sendEmpty(context.response, 200);
}

/** The layers a pull "downloads": weights, template, parameters and config, with stable digests. */
function layers(model: ResolvedModel): Array<{ digest: string; total: number }> {
  const small = [1429, 96, 561];
  const sizes = [Math.max(1, model.size - small.reduce((a, b) => a + b, 0)), ...small];
  return sizes.map((total, index) => ({
    digest: `sha256:${createHash('sha256').update(`${model.digest}:${index}`).digest('hex')}`,
    total,
  }));
}

/**
 * `POST /api/pull`: Ollama's progress lines (`pulling manifest`, `pulling <digest>` with total and
 * completed, `verifying sha256 digest`, `writing manifest`, `success`), or only the last with
 * `stream: false`. Only installed models can be "pulled": any other name fails the way a name missing
 * from the registry does, with `pull model manifest: file does not exist` after the first line.
 */
export async function handlePull(context: RequestContext): Promise<void> {
  const parsed = parseRequest(context.body, 'PullRequest', {
    model: 'string',
    name: 'string',
    insecure: 'bool',
    stream: 'bool',
  });
  if ('error' in parsed) return sendError(context.response, 400, parsed.error);
  const name = modelOrName(parsed.body);
  if (parseModelName(name) === undefined) return sendError(context.response, 400, INVALID_MODEL_NAME);
  const sink: ChunkSink =
    parsed.body.stream === false
      ? // Ollama's waitForStream sets a bare application/json, without the charset c.JSON adds.
        new BufferSink(context.response, context.signal, context.chunkFaults, 'application/json')
      : new StreamSink(context.response, context.signal, context.chunkFaults);
  if ((await sink.chunk({ status: 'pulling manifest' })) === 'stopped') return;
  const model = context.state.registry.find(name);
  if (model === undefined) return sink.fail('pull model manifest: file does not exist');
  for (const { digest, total } of layers(model)) {
    const status = `pulling ${digest.slice(7, 19)}`;
    for (const completed of [0, Math.floor(total / 2), total]) {
      // `completed` is omitted until something is downloaded, as Go's omitempty leaves it out.
      const line = completed === 0 ? { status, digest, total } : { status, digest, total, completed };
      if ((await sink.chunk(line)) === 'stopped') return;
    }
  }
  for (const status of ['verifying sha256 digest', 'writing manifest']) {
    if ((await sink.chunk({ status })) === 'stopped') return;
  }
  await sink.finish({ status: 'success' });
}
