/**
 * Requests the client cannot send as they are are refused with `ERR_SIGHTGLASS_OLLAMA_INVALID_REQUEST`
 * before anything reaches the server: nested too deep, circular, a BigInt, wrong field types.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, OllamaError, OllamaErrorCode } from './errors.js';
import { MAX_REQUEST_DEPTH, requestJson } from './request-json.js';
import { client } from './test-support/servers.js';

/** `{ "a": { "a": … } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { type: 'string' };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** A server that counts what reaches it and answers every request with an empty JSON object. */
async function countingServer(): Promise<{ url: string; received: () => number; server: Server }> {
  let received = 0;
  const server = createServer((request, response) => {
    received++;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    server,
  };
}
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const invalid = (path?: string) =>
  expect.objectContaining({
    name: 'InvalidRequestError',
    code: OllamaErrorCode.INVALID_REQUEST,
    ...(path === undefined ? {} : { path }),
  });
const message = [{ role: 'user', content: 'Hi' }];

describe('requests JSON cannot hold are refused before anything is sent', () => {
  it.each([
    ['streamed', true],
    ['whole', false],
  ])('a format nested 3,000 levels deep (%s)', async (_, stream) => {
    const server = await countingServer();
    const ollama = client({ host: server.url });
    const format = nested(3000);
    const error = await ollama
      .chat({ model: 'm', messages: message, format, stream: stream as false })
      .catch((e: unknown) => e);
    expect(error).toEqual(invalid());
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toBeInstanceOf(OllamaError);
    expect((error as InvalidRequestError).path).toMatch(/^format\.a\.a\.a/);
    expect(server.received()).toBe(0);
    // The client is unharmed: the next call goes out.
    await ollama.chat({ model: 'm', messages: message });
    expect(server.received()).toBe(1);
  });

  it('circular structures and BigInts', async () => {
    const server = await countingServer();
    const ollama = client({ host: server.url });
    const options: Record<string, unknown> = { temperature: 0 };
    options.self = options;
    await expect(ollama.generate({ model: 'm', prompt: 'p', options, stream: true })).rejects.toEqual(
      invalid('options.self'),
    );
    await expect(
      ollama.generate({ model: 'm', prompt: 'p', options: { seed: 10n as unknown as number } }),
    ).rejects.toEqual(invalid('options.seed'));
    await expect(ollama.embed({ model: 'm', input: ['a', 7n as unknown as string] })).rejects.toEqual(
      invalid('input[1]'),
    );
    expect(server.received()).toBe(0);
  });

  it('takes MAX_REQUEST_DEPTH levels, and shared (not circular) values', () => {
    // The request object is level 1: a format of MAX_REQUEST_DEPTH - 1 levels is the most it holds.
    expect(() => requestJson({ format: nested(MAX_REQUEST_DEPTH - 1) })).not.toThrow();
    expect(() => requestJson({ format: nested(MAX_REQUEST_DEPTH) })).toThrow(invalid());
    const shared = { type: 'string' };
    expect(requestJson({ a: shared, b: [shared, shared] })).toBe(
      '{"a":{"type":"string"},"b":[{"type":"string"},{"type":"string"}]}',
    );
  });

  it('a toJSON that throws, and what JSON.stringify turns into text itself', () => {
    const broken = {
      toJSON() {
        throw new RangeError('Invalid string length');
      },
    };
    expect(() => requestJson({ prompt: broken })).toThrow(invalid(''));
    expect(requestJson({ at: new Date(0), text: 'é\u{1F600}\u0000' })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","text":"é\u{1F600}\\u0000"}',
    );
  });
});

describe('fields the client reads are checked', () => {
  it.each([
    ['not an object', null, ''],
    ['an array', [], ''],
    ['a model that is not a string', { model: 42, messages: message }, 'model'],
    ['stream that is not a boolean', { model: 'm', messages: message, stream: 'yes' }, 'stream'],
    ['messages that are not a list', { model: 'm', messages: 'Hi' }, 'messages'],
    ['a message that is not an object', { model: 'm', messages: ['Hi'] }, 'messages[0]'],
    [
      'images that are not a list',
      { model: 'm', messages: [{ role: 'user', content: 'x', images: 'abc' }] },
      'messages[0].images',
    ],
  ])('chat: %s', async (_, request, path) => {
    const server = await countingServer();
    const ollama = client({ host: server.url });
    const error = await ollama.chat(request as never).catch((e: unknown) => e);
    expect(error).toEqual(invalid(path === '' ? undefined : path));
    expect(server.received()).toBe(0);
  });

  it('every method with a request refuses one that is not an object, as a rejection', async () => {
    const server = await countingServer();
    const ollama = client({ host: server.url });
    const calls = [
      () => ollama.generate(undefined as never),
      () => ollama.create(null as never),
      () => ollama.pull(null as never),
      () => ollama.push(null as never),
      () => ollama.delete(null as never),
      () => ollama.copy(null as never),
      () => ollama.show(null as never),
      () => ollama.embed(null as never),
      () => ollama.embeddings(null as never),
      () => ollama.generate({ model: 'm', prompt: 'p', images: [42 as never] }),
    ];
    for (const call of calls) await expect(call()).rejects.toEqual(invalid());
    expect(server.received()).toBe(0);
  });
});
