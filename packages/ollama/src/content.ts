/**
 * Prompts and answers as the GenAI conventions record them when a user opts in (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`, v1.41.0 JSON schemas), serialized to JSON strings
 * (OpenTelemetry JS spans take no structured attributes) and capped in size with their JSON structure kept.
 */

/** The default cap of each content attribute, in UTF-8 bytes of its JSON. */
export const DEFAULT_MAX_CONTENT_BYTES = 16 * 1024;

/** Strings up to this length are never cut (roles, part types, tool names, ids). */
const KEEP_CHARS = 32;

/** A part of a message, as the conventions' schemas define them. */
type Part = Record<string, unknown> & { type: string };

/** A message of `gen_ai.input.messages` / `gen_ai.output.messages`. */
export interface ContentMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

/** What a chat message or a chunk's `message` may carry. */
interface OllamaMessage {
  role?: unknown;
  content?: unknown;
  thinking?: unknown;
  images?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * An image as a blob part without its bytes: a base64 image is far larger than the cap, and a cut one is
 * of no use. The part says an image was sent; the bytes stay out of telemetry.
 */
function imageParts(images: unknown): Part[] {
  if (!Array.isArray(images)) return [];
  return images.map(() => ({ type: 'blob', modality: 'image', content: '' }));
}

function toolCallParts(calls: unknown): Part[] {
  if (!Array.isArray(calls)) return [];
  const parts: Part[] = [];
  for (const call of calls as Array<{ id?: unknown; function?: { name?: unknown; arguments?: unknown } }>) {
    const fn = call?.function;
    parts.push({
      type: 'tool_call',
      id: typeof call?.id === 'string' ? call.id : null,
      name: typeof fn?.name === 'string' ? fn.name : '',
      arguments: fn?.arguments ?? null,
    });
  }
  return parts;
}

/** The parts of one Ollama message: thinking, text (a tool's result for a `tool` message), images, tool calls. */
function messageParts(message: OllamaMessage): Part[] {
  const parts: Part[] = [];
  const thinking = text(message.thinking);
  if (thinking !== undefined) parts.push({ type: 'reasoning', content: thinking });
  const content = typeof message.content === 'string' ? message.content : '';
  if (message.role === 'tool') {
    const id = typeof message.tool_call_id === 'string' ? message.tool_call_id : null;
    parts.push({ type: 'tool_call_response', id, response: content });
  } else if (content !== '') parts.push({ type: 'text', content });
  parts.push(...imageParts(message.images), ...toolCallParts(message.tool_calls));
  return parts;
}

/** `gen_ai.input.messages` of a chat: the messages in the order they were sent (system messages included). */
export function chatInput(messages: unknown): ContentMessage[] {
  if (!Array.isArray(messages)) return [];
  return (messages as OllamaMessage[]).map((message) => ({
    role: typeof message?.role === 'string' ? message.role : 'user',
    parts: message === null || typeof message !== 'object' ? [] : messageParts(message),
  }));
}

/** `gen_ai.input.messages` of a generate call: its prompt (and images) as one user message. */
export function generateInput(request: { prompt?: unknown; images?: unknown }): ContentMessage[] {
  const parts: Part[] = [];
  const prompt = text(request.prompt);
  if (prompt !== undefined) parts.push({ type: 'text', content: prompt });
  parts.push(...imageParts(request.images));
  return [{ role: 'user', parts }];
}

/** `gen_ai.system_instructions` of a generate call's `system`, if it has one. */
export function systemInstructions(request: { system?: unknown }): Part[] | undefined {
  const system = text(request.system);
  return system === undefined ? undefined : [{ type: 'text', content: system }];
}

/**
 * A streamed answer put together as its chunks arrive, up to a number of characters: past the cap the rest
 * is counted, not kept (the attribute would be cut to the cap anyway), so a long answer costs no memory.
 */
export class OutputCollector {
  private content = '';
  private thinking = '';
  private readonly calls: unknown[] = [];
  /** Characters not kept, past the cap. */
  private dropped = 0;

  constructor(private readonly maxChars: number) {}

  /** Adds a chunk of chat (`message`) or generate (`response`, `thinking`). */
  add(chunk: { message?: OllamaMessage | null; response?: unknown; thinking?: unknown }): void {
    const message = chunk.message;
    if (message !== null && typeof message === 'object') {
      this.content = this.append(this.content, message.content);
      this.thinking = this.append(this.thinking, message.thinking);
      if (Array.isArray(message.tool_calls)) this.calls.push(...message.tool_calls);
    } else {
      this.content = this.append(this.content, chunk.response);
      this.thinking = this.append(this.thinking, chunk.thinking);
    }
  }

  private append(kept: string, value: unknown): string {
    if (typeof value !== 'string' || value === '') return kept;
    const room = this.maxChars - kept.length;
    if (room >= value.length) return kept + value;
    this.dropped += value.length - Math.max(0, room);
    return room > 0 ? kept + value.slice(0, room) : kept;
  }

  /** `gen_ai.output.messages`: the one assistant message, with Ollama's `done_reason` as its finish reason. */
  messages(finishReason: string): ContentMessage[] {
    const parts = messageParts({
      role: 'assistant',
      content:
        this.dropped > 0 ? `${this.content}${marker(this.content.length + this.dropped)}` : this.content,
      thinking: this.thinking,
      tool_calls: this.calls,
    });
    return [{ role: 'assistant', parts, finish_reason: finishReason }];
  }
}

/** `gen_ai.output.messages` of a whole (not streamed) chat or generate answer. */
export function outputMessages(
  answer: { message?: OllamaMessage | null; response?: unknown; thinking?: unknown },
  finishReason: string,
  maxChars: number,
): ContentMessage[] {
  const collector = new OutputCollector(maxChars);
  collector.add(answer);
  return collector.messages(finishReason);
}

/** What replaces the end of a cut string: says that it was cut, and how long it was. */
function marker(length: number): string {
  return `…[truncated, ${length} characters]`;
}

function utf8Bytes(json: string): number {
  return Buffer.byteLength(json, 'utf8');
}

/** `value` as JSON with every string longer than `limit` characters cut to `limit` and marked. */
function jsonWithStringsCut(value: unknown, limit: number): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (typeof field !== 'string' || field.length <= limit) return field;
    let end = limit;
    // Never split a surrogate pair: a lone high surrogate would be escaped, and read as U+FFFD.
    const last = field.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    return `${field.slice(0, end)}${marker(field.length)}`;
  });
}

/** The JSON of `value` with its strings cut to the largest common length that fits `maxBytes`, if any does. */
function fitStrings(value: unknown, maxBytes: number, longest: number): string | undefined {
  let json = jsonWithStringsCut(value, KEEP_CHARS);
  if (utf8Bytes(json) > maxBytes) return undefined;
  let low = KEEP_CHARS; // fits
  let high = longest; // the whole value did not fit
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const candidate = jsonWithStringsCut(value, middle);
    if (utf8Bytes(candidate) <= maxBytes) {
      low = middle;
      json = candidate;
    } else high = middle;
  }
  return json;
}

function longestString(value: unknown): number {
  let longest = 0;
  JSON.stringify(value, (_key, field: unknown) => {
    if (typeof field === 'string' && field.length > longest) longest = field.length;
    return field;
  });
  return longest;
}

/**
 * `value` (a list of messages or parts) as a JSON string of at most `maxBytes` UTF-8 bytes that is still
 * valid JSON of the same shape, as the conventions suggest ("truncate … individual message contents,
 * preserving JSON structure"):
 *
 * 1. whole, when it fits;
 * 2. else every string longer than some length cut to that length (the largest that fits), each cut one
 *    ending in `…[truncated, N characters]`; strings of up to 32 characters (roles, types, names) are kept;
 * 3. else, still too large with strings cut to 32 characters (a long history), the oldest entries are left
 *    out, keeping the most recent that fit;
 * 4. else `[]`.
 */
export function cappedJson(value: readonly unknown[], maxBytes: number): string {
  const whole = JSON.stringify(value);
  if (utf8Bytes(whole) <= maxBytes) return whole;
  const fitted = fitStrings(value, maxBytes, longestString(value));
  if (fitted !== undefined) return fitted;
  // Keep the newest entries: the fewest left out (binary search on how many are kept).
  let kept = 0;
  let json = '[]';
  let low = 1;
  let high = value.length - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const tail = value.slice(value.length - middle);
    const candidate = fitStrings(tail, maxBytes, longestString(tail));
    if (candidate !== undefined) {
      kept = middle;
      json = candidate;
      low = middle + 1;
    } else high = middle - 1;
  }
  return kept === 0 ? '[]' : json;
}
