import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { LIMITS, parseGatewayRequest } from './requests.js';

function rejection(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('parseGatewayRequest', () => {
  it('keeps only the known fields of a chat, without undefined keys', () => {
    const request = parseGatewayRequest('chat', {
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      format: 'json',
      options: { temperature: 0, stop: ['\n'] },
      stream: false,
    });
    expect(request).toEqual({
      kind: 'chat',
      stream: false,
      body: {
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        format: 'json',
        options: { temperature: 0, stop: ['\n'] },
      },
    });
  });

  it('keeps stream apart from the body, so a streamed and a whole answer share one cache key', () => {
    const streamed = parseGatewayRequest('chat', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    expect(streamed).toMatchObject({ kind: 'chat', stream: true });
    expect(streamed.body).not.toHaveProperty('stream');
  });

  it('takes a generation with a system prompt and a JSON schema format', () => {
    const schema = { type: 'object', properties: { colour: { type: 'string' } } };
    expect(parseGatewayRequest('generate', { model: 'm', prompt: 'p', system: 's', format: schema })).toEqual(
      {
        kind: 'generate',
        stream: false,
        body: { model: 'm', prompt: 'p', system: 's', format: schema },
      },
    );
  });

  it('takes an embedding of one text or of many', () => {
    expect(parseGatewayRequest('embed', { model: 'e', input: 'one' }).body).toEqual({
      model: 'e',
      input: 'one',
    });
    expect(parseGatewayRequest('embed', { model: 'e', input: ['a', 'b'], dimensions: 64 }).body).toEqual({
      model: 'e',
      input: ['a', 'b'],
      dimensions: 64,
    });
  });

  it.each([
    ['chat', null, 'must be a JSON object'],
    ['chat', { model: 'm', messages: [] }, 'non-empty list'],
    ['chat', { model: 'm', messages: ['hi'] }, 'messages[0] must be an object'],
    [
      'chat',
      { model: 'm', messages: [{ role: 'user', content: 'x', images: [] }] },
      'unknown field "images"',
    ],
    ['chat', { model: 'm', messages: [{ role: 'user', content: 1 }] }, 'messages[0].content'],
    [
      'chat',
      { model: 'm', messages: Array(LIMITS.messages + 1).fill({ role: 'user', content: '' }) },
      'at most',
    ],
    [
      'chat',
      { model: 'x'.repeat(LIMITS.modelLength + 1), messages: [{ role: 'user', content: '' }] },
      'at most',
    ],
    ['chat', { model: 'm', messages: [{ role: 'user', content: '' }], format: 'yaml' }, 'format must be'],
    [
      'chat',
      { model: 'm', messages: [{ role: 'user', content: '' }], options: [] },
      'options must be an object',
    ],
    ['generate', { model: 'm', prompt: 'p', system: 3 }, 'system must be a string'],
    ['generate', { model: 'm', prompt: 'p', options: { nested: { a: 1 } } }, 'options.nested'],
    ['generate', { model: 'm', prompt: 'p', stream: 'yes' }, 'stream must be true or false'],
    [
      'generate',
      {
        model: 'm',
        prompt: 'p',
        options: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])),
      },
      'at most 64 keys',
    ],
    ['embed', { model: 'e', input: ['a', ''] }, 'input is required'],
    ['embed', { model: 'e', input: Array(LIMITS.embedInputs + 1).fill('a') }, 'at most'],
    ['embed', { model: 'e', input: 'a', dimensions: 1.5 }, 'positive integer'],
    ['embed', { model: 'e', input: 'a', prompt: 'b' }, 'embed takes model, input, dimensions, options'],
  ] as const)('refuses a bad %s body (%#)', (kind, body, message) => {
    const error = rejection(() => parseGatewayRequest(kind, body));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.message).toContain(message);
  });
});
