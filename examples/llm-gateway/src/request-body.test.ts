/**
 * Bad request bodies get a 4xx with a stable code, never a 500, and nothing reaches Ollama: nested too deep,
 * not UTF-8, unpaired surrogates, numbers out of range, wrong types. Through HTTP, against a fake Ollama.
 */
import type { FakeOllama } from '@sightglass/fake-ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson } from './cache-key.js';
import type { Gateway } from './gateway.js';
import { MAX_BODY_DEPTH } from './request-body.js';
import { startTestGateway, startTestOllama } from './test-support/fixture.js';
import { chat, post, type TestResponse } from './test-support/http.js';

let ollama: FakeOllama;
let gateway: Gateway;
let url: string;
const unexpected: unknown[] = [];

beforeAll(async () => {
  ollama = await startTestOllama();
  ({ gateway, url } = await startTestGateway('bodies', ollama.url, {
    onUnexpectedError: (error) => unexpected.push(error),
  }));
});
beforeEach(() => {
  unexpected.splice(0);
});
afterAll(async () => {
  await gateway?.close();
  await ollama?.close();
});

/** A JSON schema exactly `levels` objects deep: `{"type":"object","properties":{"a":…}}`. */
function deepSchema(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  let depth = 1;
  for (; depth + 2 <= levels; depth += 2) schema = { type: 'object', properties: { a: schema } };
  return depth < levels ? { type: 'array', items: schema } : schema;
}

/** POSTs raw bytes. */
async function postBytes(path: string, bytes: Uint8Array): Promise<TestResponse> {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: bytes,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text),
    ms: performance.now() - started,
  };
}

const answered = (status: number, code: string) =>
  expect.objectContaining({ status, json: { error: { code, message: expect.any(String) } } });

describe('bodies the gateway refuses with a 4xx', () => {
  it.each([
    ['whole', false],
    ['streamed', true],
  ])('a format nested 3,000 levels deep (%s): 400 body_too_deep, not a 500', async (_, stream) => {
    const requestsBefore = ollama.stats.requests;
    const body = { ...chat('Describe a tree.'), format: deepSchema(3000), stream };
    expect(await post(url, '/v1/chat', body)).toEqual(answered(400, 'body_too_deep'));
    // As a text too: the check is on the bytes, before anything parses them.
    const text = `{"model":"llama3.2","prompt":"p","format":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(await post(url, '/v1/generate', text)).toEqual(answered(400, 'body_too_deep'));
    expect(unexpected).toEqual([]);
    expect(ollama.stats.requests).toBe(requestsBefore);
  });

  it(`takes a format as deep as MAX_BODY_DEPTH (${MAX_BODY_DEPTH} levels, the body being 1)`, async () => {
    const format = deepSchema(MAX_BODY_DEPTH - 1);
    const fits = await post(url, '/v1/chat', { ...chat('Describe a bush.'), format });
    expect(fits.status).toBe(200);
    const over = await post(url, '/v1/chat', {
      ...chat('Describe a bush.'),
      format: deepSchema(MAX_BODY_DEPTH),
    });
    expect(over).toEqual(answered(400, 'body_too_deep'));
    // Brackets inside strings (escaped quotes too) are text, not nesting.
    const prompt = `\\" ${'['.repeat(1000)} "`;
    const text = await post(url, '/v1/generate', { model: 'llama3.2', prompt });
    expect(text.status).toBe(200);
  });

  it('bytes that are not UTF-8, and unpaired surrogates: 400 invalid_encoding', async () => {
    const valid = new TextEncoder().encode(JSON.stringify(chat('café')));
    const broken = Uint8Array.from(valid);
    broken[broken.indexOf(0xc3)] = 0xff; // é's first byte made invalid
    expect(await postBytes('/v1/chat', broken)).toEqual(answered(400, 'invalid_encoding'));
    const lone = '{"model":"llama3.2","messages":[{"role":"user","content":"a\\ud800b"}]}';
    expect(await post(url, '/v1/chat', lone)).toEqual(answered(400, 'invalid_encoding'));
    const loneKey = '{"model":"llama3.2","prompt":"p","format":{"\\udc00":1}}';
    expect(await post(url, '/v1/generate', loneKey)).toEqual(answered(400, 'invalid_encoding'));
    // A pair is fine, and so is a byte-order mark before the JSON.
    const pair = '{"model":"llama3.2","messages":[{"role":"user","content":"\\ud83d\\ude00 ok"}]}';
    expect((await post(url, '/v1/chat', pair)).status).toBe(200);
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...valid]);
    expect((await postBytes('/v1/chat', bom)).status).toBe(200);
  });

  it.each([
    [
      'a number out of range',
      '{"model":"llama3.2","prompt":"p","options":{"temperature":1e400}}',
      'invalid_json',
    ],
    ['not JSON at all', 'model=llama3.2&prompt=p', 'invalid_json'],
    ['a JSON text that is not an object', '"just a string"', 'invalid_request'],
    ['null', 'null', 'invalid_request'],
    ['a list', '[1,2]', 'invalid_request'],
    ['a model that is a number', '{"model":3,"prompt":"p"}', 'invalid_request'],
    ['a prompt that is an object', '{"model":"llama3.2","prompt":{"text":"p"}}', 'invalid_request'],
    ['a format that is a number', '{"model":"llama3.2","prompt":"p","format":1}', 'invalid_request'],
    ['nested options', '{"model":"llama3.2","prompt":"p","options":{"stop":[["x"]]}}', 'invalid_request'],
    ['a __proto__ field', '{"model":"llama3.2","prompt":"p","__proto__":{"x":1}}', 'invalid_request'],
  ])('%s: 400', async (_, body, code) => {
    expect(await post(url, '/v1/generate', body)).toEqual(answered(400, code));
    expect(unexpected).toEqual([]);
  });

  it('a huge string within the size limit is served; past it, 413', async () => {
    const fits = await post(url, '/v1/generate', { model: 'llama3.2', prompt: '\u{1F600}'.repeat(200_000) });
    expect(fits.status).toBe(200); // 800 kB of four-byte characters
    const over = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'é'.repeat(600_000) });
    expect(over).toEqual(answered(413, 'body_too_large'));
  });
});

describe('the cache key', () => {
  it('refuses a request built in code deeper than MAX_BODY_DEPTH instead of overflowing the stack', () => {
    const format = deepSchema(3000);
    expect(() => cacheKey({ kind: 'generate', body: { model: 'm', prompt: 'p', format } })).toThrow(
      expect.objectContaining({ status: 400, code: 'body_too_deep' }),
    );
    expect(() => canonicalJson(deepSchema(MAX_BODY_DEPTH))).not.toThrow();
    expect(() => canonicalJson(deepSchema(MAX_BODY_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: 'body_too_deep' }),
    );
  });
});
