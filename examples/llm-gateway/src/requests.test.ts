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
      { model: 'm', messages: [{ role: 'user', content: 'x', pictures: [] }] },
      'messages[0] has an unknown field "pictures"',
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

describe('parseGatewayRequest: tools, structured output, thinking, images', () => {
  const weather = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
    },
  };
  const user = { role: 'user', content: 'Weather in Paris?' };
  const call = {
    id: 'call_abc12345',
    function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } },
  };
  const chatWith = (fields: object) => ({ model: 'qwen3', messages: [user], ...fields });

  it('passes tools, format, think and the tool-call turn through unchanged', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const body = {
      model: 'qwen3',
      messages: [
        user,
        { role: 'assistant', content: '', thinking: 'I should look it up.', tool_calls: [call] },
        { role: 'tool', content: '{"celsius":18}', tool_name: 'get_weather', tool_call_id: 'call_abc12345' },
      ],
      tools: [weather],
      format: schema,
      think: 'high',
      stream: true,
    };
    const request = parseGatewayRequest('chat', body);
    expect(request).toEqual({
      kind: 'chat',
      stream: true,
      body: { model: 'qwen3', messages: body.messages, tools: [weather], format: schema, think: 'high' },
    });
  });

  it.each([true, false, 'low', 'medium', 'high', 'max'])('takes think: %j', (think) => {
    expect(parseGatewayRequest('chat', chatWith({ think })).body).toMatchObject({ think });
    expect(parseGatewayRequest('generate', { model: 'qwen3', prompt: 'p', think }).body).toMatchObject({
      think,
    });
  });

  it('takes images as base64 text, on a message and on a generation', () => {
    const images = ['AAAA', 'iVBORw0KGgo=', 'AQ=='];
    const chat = parseGatewayRequest('chat', {
      model: 'gemma3',
      messages: [{ role: 'user', content: 'What is this?', images }],
    });
    expect(chat.body).toEqual({
      model: 'gemma3',
      messages: [{ role: 'user', content: 'What is this?', images }],
    });
    expect(parseGatewayRequest('generate', { model: 'gemma3', prompt: 'p', images }).body).toEqual({
      model: 'gemma3',
      prompt: 'p',
      images,
    });
  });

  it.each([
    [{ tools: {} }, 'tools must be a list'],
    [{ tools: Array(65).fill(weather) }, 'tools may hold at most 64'],
    [{ tools: ['get_weather'] }, 'tools[0] must be an object'],
    [{ tools: [{ ...weather, type: 'retrieval' }] }, 'tools[0].type must be "function"'],
    [{ tools: [{ ...weather, strict: true }] }, 'tools[0] has an unknown field "strict"'],
    [{ tools: [{ type: 'function' }] }, 'tools[0].function must be an object'],
    [{ tools: [{ type: 'function', function: { description: 'x' } }] }, 'tools[0].function.name is required'],
    [{ tools: [{ type: 'function', function: { name: 'x'.repeat(201) } }] }, 'at most 200 characters'],
    [
      { tools: [{ type: 'function', function: { name: 'f', description: 1 } }] },
      'description must be a string',
    ],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: 'none' } }] },
      'parameters must be a JSON',
    ],
    [
      { tools: [{ type: 'function', function: { name: 'f', returns: {} } }] },
      'has an unknown field "returns"',
    ],
    [{ think: 'extreme' }, 'think must be true, false, "low"'],
    [{ think: 1 }, 'think must be'],
    [{ format: ['json'] }, 'format must be'],
    [{ messages: [{ ...user, images: 'AAAA' }] }, 'messages[0].images must be a list of base64 strings'],
    [{ messages: [{ ...user, images: [42] }] }, 'messages[0].images[0] must be an image as base64'],
    [{ messages: [{ ...user, images: [''] }] }, 'images[0] must be an image as base64'],
    [{ messages: [{ ...user, images: ['AAA'] }] }, 'images[0] must be an image as base64'],
    [{ messages: [{ ...user, images: ['AA\nAA'] }] }, 'images[0] must be an image as base64'],
    [{ messages: [{ ...user, images: ['data:image/png;base64,AAAA'] }] }, 'no data: URL'],
    [{ messages: [{ ...user, images: ['AAAA', '/etc/passwd'] }] }, 'images[1] must be an image as base64'],
    [{ messages: [{ ...user, images: Array(17).fill('AAAA') }] }, 'at most 16 images'],
    [{ messages: [{ ...user, thinking: 3 }] }, 'messages[0].thinking must be a string'],
    [{ messages: [{ ...user, tool_calls: [call] }] }, 'tool_calls is for assistant messages only'],
    [
      { messages: [{ ...user, tool_name: 'get_weather' }] },
      'tool_name and tool_call_id are for tool messages',
    ],
    [{ messages: [{ role: 'tool', content: 'x', tool_name: 7 }] }, 'messages[0].tool_name must be a string'],
    [{ messages: [{ role: 'assistant', content: '', tool_calls: {} }] }, 'tool_calls must be a list'],
    [
      { messages: [{ role: 'assistant', content: '', tool_calls: Array(65).fill(call) }] },
      'at most 64 calls',
    ],
    [
      { messages: [{ role: 'assistant', content: '', tool_calls: [null] }] },
      'tool_calls[0] must be an object',
    ],
    [
      { messages: [{ role: 'assistant', content: '', tool_calls: [{ ...call, type: 'function' }] }] },
      'tool_calls[0] has an unknown field "type"',
    ],
    [
      { messages: [{ role: 'assistant', content: '', tool_calls: [{ ...call, id: 5 }] }] },
      'tool_calls[0].id must be a string',
    ],
    [
      { messages: [{ role: 'assistant', content: '', tool_calls: [{ function: 'get_weather' }] }] },
      'tool_calls[0].function must be an object',
    ],
    [
      {
        messages: [
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] },
        ],
      },
      'tool_calls[0].function.arguments must be an object',
    ],
    [
      {
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ function: { index: -1, name: 'f', arguments: {} } }],
          },
        ],
      },
      'tool_calls[0].function.index must be an integer',
    ],
    [
      {
        messages: [
          { role: 'assistant', content: '', tool_calls: [{ function: { name: '', arguments: {} } }] },
        ],
      },
      'tool_calls[0].function.name is required',
    ],
    [
      {
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ function: { name: 'f', arguments: {}, extra: 1 } }],
          },
        ],
      },
      'tool_calls[0].function has an unknown field "extra"',
    ],
  ])('refuses a chat with %j', (fields, message) => {
    const error = rejection(() => parseGatewayRequest('chat', chatWith(fields)));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.message).toContain(message);
  });

  it('refuses tools on a generation, which Ollama does not take there', () => {
    expect(
      rejection(() => parseGatewayRequest('generate', { model: 'm', prompt: 'p', tools: [weather] })).message,
    ).toContain('unknown field "tools"');
    expect(
      rejection(() => parseGatewayRequest('generate', { model: 'm', prompt: 'p', images: ['A'] })).message,
    ).toContain('images[0] must be an image as base64');
  });
});
