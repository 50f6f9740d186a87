import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, parseRequest, readBody, stringField } from './request-body.js';

const schema = {
  model: 'string',
  stream: 'bool',
  messages: 'array',
  options: 'object',
  input: 'any',
} as const;

describe('parseRequest', () => {
  it('accepts an object and treats null as an empty request', () => {
    expect(parseRequest('{"model":"m","stream":false,"input":[1]}', 'ChatRequest', schema)).toEqual({
      body: { model: 'm', stream: false, input: [1] },
    });
    expect(parseRequest('null', 'ChatRequest', schema)).toEqual({ body: {} });
    expect(parseRequest('{"model":null}', 'ChatRequest', schema)).toEqual({ body: { model: null } });
  });

  it('refuses a body nested past MAX_BODY_DEPTH with Go’s words, counting no brackets inside strings', () => {
    const deep = (depth: number, open = '[', close = ']'): string =>
      `{"input":${open.repeat(depth - 1)}${close.repeat(depth - 1)}}`;
    expect(parseRequest(deep(MAX_BODY_DEPTH), 'ChatRequest', schema)).toHaveProperty('body');
    expect(parseRequest(deep(MAX_BODY_DEPTH + 1), 'ChatRequest', schema)).toEqual({
      error: "invalid character '[' exceeded max depth",
    });
    expect(parseRequest(deep(5000, '{"a":', '}').replace('}}', '1}}'), 'ChatRequest', schema)).toEqual({
      error: "invalid character '{' exceeded max depth",
    });
    const brackets = JSON.stringify({ model: `\\"${'['.repeat(5000)}\\`, input: ['\\', '"{'] });
    expect(parseRequest(brackets, 'ChatRequest', schema)).toHaveProperty('body');
  });

  it("answers Ollama's words for an empty or broken body", () => {
    expect(parseRequest('  ', 'ChatRequest', schema)).toEqual({ error: 'missing request body' });
    expect(parseRequest('{"model":', 'ChatRequest', schema)).toEqual({ error: 'unexpected EOF' });
    expect(parseRequest('hello', 'ChatRequest', schema)).toEqual({
      error: "invalid character 'h' looking for beginning of value",
    });
    expect(parseRequest('{"model" "m"}', 'ChatRequest', schema)).toEqual({
      error: expect.stringMatching(/^invalid JSON: /),
    });
  });

  it("answers Go's words for a body or field of the wrong type", () => {
    expect(parseRequest('[1]', 'ChatRequest', schema)).toEqual({
      error: 'json: cannot unmarshal array into Go value of type api.ChatRequest',
    });
    expect(parseRequest('"x"', 'ChatRequest', schema)).toEqual({
      error: 'json: cannot unmarshal string into Go value of type api.ChatRequest',
    });
    expect(parseRequest('{"model":1}', 'ChatRequest', schema)).toEqual({
      error: 'json: cannot unmarshal number into Go struct field ChatRequest.model of type string',
    });
    expect(parseRequest('{"stream":"no"}', 'ChatRequest', schema)).toEqual({
      error: 'json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool',
    });
    expect(parseRequest('{"messages":{}}', 'ChatRequest', schema)).toEqual({
      error: 'json: cannot unmarshal object into Go struct field ChatRequest.messages of type []api.Message',
    });
    expect(parseRequest('{"options":true}', 'ChatRequest', schema)).toEqual({
      error:
        'json: cannot unmarshal bool into Go struct field ChatRequest.options of type map[string]interface {}',
    });
  });
});

describe('readBody and stringField', () => {
  it('reads a body and stops past the limit', async () => {
    const request = (parts: string[]): IncomingMessage =>
      Readable.from(parts.map((p) => Buffer.from(p))) as IncomingMessage;
    expect(await readBody(request(['{"a":', '1}']))).toBe('{"a":1}');
    expect(await readBody(request(['12345', '67890']), 8)).toBe('too-large');
  });

  it('reads a string field with Go zero values', () => {
    expect(stringField({ model: 'm' }, 'model')).toBe('m');
    expect(stringField({ model: null }, 'model')).toBe('');
    expect(stringField({}, 'model')).toBe('');
  });
});
