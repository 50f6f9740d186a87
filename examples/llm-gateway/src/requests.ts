import type { ChatRequest, EmbedRequest, GenerateRequest, Message } from '@sightglass/ollama';
import { invalidRequest } from './http-error.js';
import {
  checkKeys,
  type Fields,
  isObject,
  optionalFormat,
  optionalImages,
  optionalThink,
  quoted,
} from './request-fields.js';
import { optionalToolCalls, optionalTools } from './tool-fields.js';

/**
 * A request the gateway serves, validated: the kind says which Ollama endpoint answers it. `stream` asks for
 * the answer as it is generated (chat and generate); it is kept apart from the body, which keys the cache.
 */
export type GatewayRequest =
  | { readonly kind: 'chat'; readonly body: ChatRequest; readonly stream?: boolean }
  | { readonly kind: 'generate'; readonly body: GenerateRequest; readonly stream?: boolean }
  | { readonly kind: 'embed'; readonly body: EmbedRequest };

/** The kinds of request: `POST /v1/chat`, `/v1/generate` and `/v1/embed`. */
export type RequestKind = GatewayRequest['kind'];

/** Bounds on request bodies, so one request cannot make the gateway (or its cache) hold unbounded data. */
export const LIMITS = Object.freeze({
  modelLength: 200,
  messages: 256,
  embedInputs: 256,
  optionKeys: 64,
});

const MESSAGE_ROLES = new Set(['system', 'user', 'assistant', 'tool']);

// Fields outside these lists are refused rather than passed on: a field the gateway does not know would not
// be part of the cache key, so two different requests could share one cached answer.
const FIELDS: Record<RequestKind, readonly string[]> = {
  chat: ['model', 'messages', 'tools', 'format', 'think', 'options', 'stream'],
  generate: ['model', 'prompt', 'system', 'images', 'format', 'think', 'options', 'stream'],
  embed: ['model', 'input', 'dimensions', 'options'],
};

const MESSAGE_FIELDS = ['role', 'content', 'images', 'thinking', 'tool_calls', 'tool_name', 'tool_call_id'];

function checkFields(kind: RequestKind, body: unknown): Fields {
  if (!isObject(body)) throw invalidRequest('the body must be a JSON object');
  const allowed = FIELDS[kind];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw invalidRequest(`unknown field ${quoted(key)}; ${kind} takes ${allowed.join(', ')}`);
    }
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream must be true or false');
  }
  return body;
}

function requiredString(body: Fields, field: string, maxLength = Number.POSITIVE_INFINITY): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidRequest(`${field} is required and must be a non-empty string`);
  }
  if (value.length > maxLength) throw invalidRequest(`${field} must be at most ${maxLength} characters`);
  return value;
}

function optionalString(body: Fields, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string`);
  return value;
}

/** `options`: Ollama's model options (temperature, seed, num_predict, stop…), flat values only. */
function optionalOptions(body: Fields): ChatRequest['options'] {
  const options = body.options;
  if (options === undefined) return undefined;
  if (!isObject(options)) throw invalidRequest('options must be an object');
  const entries = Object.entries(options);
  if (entries.length > LIMITS.optionKeys) {
    throw invalidRequest(`options may have at most ${LIMITS.optionKeys} keys`);
  }
  for (const [key, value] of entries) {
    const flat = ['number', 'string', 'boolean'].includes(typeof value);
    const strings = Array.isArray(value) && value.every((item) => typeof item === 'string');
    if (!flat && !strings) {
      throw invalidRequest(
        `options.${key.slice(0, 50)} must be a number, string, boolean or list of strings`,
      );
    }
  }
  return options as ChatRequest['options'];
}

function optionalText(message: Fields, field: string, where: string): string | undefined {
  const value = message[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${where}.${field} must be a string`);
  return value;
}

/**
 * One chat message: `role` and `content`, and what today's Ollama adds to it: `images` (base64, for a
 * vision model), an assistant's `thinking` and `tool_calls` (sent back as the model made them), a tool
 * result's `tool_name` and `tool_call_id`.
 */
function message(value: unknown, index: number): Message {
  const where = `messages[${index}]`;
  if (!isObject(value)) throw invalidRequest(`${where} must be an object with role and content`);
  checkKeys(value, MESSAGE_FIELDS, where);
  const role = value.role;
  if (typeof role !== 'string' || !MESSAGE_ROLES.has(role)) {
    throw invalidRequest(`${where}.role must be one of ${[...MESSAGE_ROLES].join(', ')}`);
  }
  if (typeof value.content !== 'string') throw invalidRequest(`${where}.content must be a string`);
  const toolCalls = optionalToolCalls(value.tool_calls, `${where}.tool_calls`);
  if (toolCalls !== undefined && role !== 'assistant') {
    throw invalidRequest(`${where}.tool_calls is for assistant messages only`);
  }
  const toolName = optionalText(value, 'tool_name', where);
  const toolCallId = optionalText(value, 'tool_call_id', where);
  if ((toolName !== undefined || toolCallId !== undefined) && role !== 'tool') {
    throw invalidRequest(`${where}.tool_name and tool_call_id are for tool messages only`);
  }
  return defined({
    role,
    content: value.content,
    thinking: optionalText(value, 'thinking', where),
    images: optionalImages(value.images, `${where}.images`),
    tool_calls: toolCalls,
    tool_name: toolName,
    tool_call_id: toolCallId,
  });
}

function messages(body: Fields): Message[] {
  const list = body.messages;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidRequest('messages is required and must be a non-empty list');
  }
  if (list.length > LIMITS.messages) throw invalidRequest(`messages may hold at most ${LIMITS.messages}`);
  return list.map(message);
}

function embedInput(body: Fields): string | string[] {
  const input = body.input;
  if (typeof input === 'string' && input !== '') return input;
  if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string' && item)) {
    if (input.length > LIMITS.embedInputs) {
      throw invalidRequest(`input may hold at most ${LIMITS.embedInputs} texts`);
    }
    return input as string[];
  }
  throw invalidRequest('input is required: a non-empty string or a non-empty list of non-empty strings');
}

function optionalDimensions(body: Fields): number | undefined {
  const dimensions = body.dimensions;
  if (dimensions === undefined) return undefined;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
    throw invalidRequest('dimensions must be a positive integer');
  }
  return dimensions;
}

/** Copies the fields that are set, so the request handed on holds no `undefined` keys. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

/**
 * Validates a parsed JSON body for a route and returns the request to send to Ollama, with only the fields
 * the gateway knows.
 *
 * @throws HttpError 400 `invalid_request`, with a message naming the field that is wrong.
 */
export function parseGatewayRequest(kind: RequestKind, json: unknown): GatewayRequest {
  const body = checkFields(kind, json);
  const model = requiredString(body, 'model', LIMITS.modelLength);
  switch (kind) {
    case 'chat':
      return {
        kind,
        stream: body.stream === true,
        body: defined({
          model,
          messages: messages(body),
          tools: optionalTools(body),
          format: optionalFormat(body),
          think: optionalThink(body),
          options: optionalOptions(body),
        }),
      };
    case 'generate':
      return {
        kind,
        stream: body.stream === true,
        body: defined({
          model,
          prompt: requiredString(body, 'prompt'),
          system: optionalString(body, 'system'),
          images: optionalImages(body.images, 'images'),
          format: optionalFormat(body),
          think: optionalThink(body),
          options: optionalOptions(body),
        }),
      };
    case 'embed':
      return {
        kind,
        body: defined({
          model,
          input: embedInput(body),
          dimensions: optionalDimensions(body),
          options: optionalOptions(body),
        }),
      };
  }
}
