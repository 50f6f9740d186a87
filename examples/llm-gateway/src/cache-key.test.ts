import type { ChatRequest, Message, ToolCall } from '@sightglass/ollama';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, normalizeModel } from './cache-key.js';
import type { GatewayRequest } from './requests.js';

describe('normalizeModel', () => {
  it.each([
    ['llama3.2', 'llama3.2:latest'],
    ['llama3.2:latest', 'llama3.2:latest'],
    [' llama3.2:1b ', 'llama3.2:1b'],
    ['library/llama3.2', 'library/llama3.2:latest'],
    ['registry.local:5000/team/model', 'registry.local:5000/team/model:latest'],
    ['registry.local:5000/team/model:v2', 'registry.local:5000/team/model:v2'],
  ])('%s → %s', (model, normalized) => {
    expect(normalizeModel(model)).toBe(normalized);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});

describe('cacheKey', () => {
  const base = { kind: 'generate', body: { model: 'llama3.2', prompt: 'Why is the sky blue?' } } as const;

  it('is the kind and a SHA-256, never the prompt itself', () => {
    const key = cacheKey(base);
    expect(key).toMatch(/^generate:[0-9a-f]{64}$/);
    expect(key).not.toContain('sky');
  });

  it('is the same for the same request however it is written', () => {
    const reordered = {
      kind: 'generate',
      body: { prompt: 'Why is the sky blue?', model: 'llama3.2:latest' },
    } as const;
    expect(cacheKey(reordered)).toBe(cacheKey(base));
  });

  it('differs when anything that changes the answer differs', () => {
    const keys = new Set([
      cacheKey(base),
      cacheKey({ ...base, body: { ...base.body, prompt: 'Why is the sky red?' } }),
      cacheKey({ ...base, body: { ...base.body, model: 'mistral' } }),
      cacheKey({ ...base, body: { ...base.body, options: { temperature: 0 } } }),
      cacheKey({
        kind: 'chat',
        body: { model: 'llama3.2', messages: [{ role: 'user', content: base.body.prompt }] },
      }),
    ]);
    expect(keys.size).toBe(5);
  });

  describe('a chat with tools, structured output, thinking and images', () => {
    const weather = {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The current weather in a city',
        parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
      },
    };
    const schema = {
      type: 'object',
      required: ['city', 'celsius'],
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
    };
    const call: ToolCall = {
      id: 'call_abc12345',
      function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } },
    };
    const body: ChatRequest = {
      model: 'qwen3',
      messages: [
        { role: 'user', content: 'Weather in Paris?', images: ['AAAA'] },
        { role: 'assistant', content: '', thinking: 'Look it up.', tool_calls: [call] },
        {
          role: 'tool',
          content: '{"celsius":18}',
          tool_name: 'get_weather',
          tool_call_id: 'call_abc12345',
        },
      ],
      tools: [weather],
      format: schema,
      think: true,
      options: { temperature: 0, seed: 7 },
    };
    const chat: GatewayRequest = { kind: 'chat', body };
    const withBody = (fields: Record<string, unknown>) =>
      cacheKey({ kind: 'chat', body: { ...body, ...fields } as ChatRequest });
    const [user, assistant, tool] = body.messages as [Message, Message, Message];

    it.each([
      [
        'tools',
        withBody({ tools: [{ ...weather, function: { ...weather.function, name: 'get_forecast' } }] }),
      ],
      [
        'tools (a parameter)',
        withBody({
          tools: [
            {
              ...weather,
              function: {
                ...weather.function,
                parameters: { type: 'object', properties: { town: { type: 'string' } } },
              },
            },
          ],
        }),
      ],
      ['no tools', withBody({ tools: undefined })],
      ['format', withBody({ format: 'json' })],
      ['format (the schema)', withBody({ format: { ...schema, required: ['city'] } })],
      ['think', withBody({ think: false })],
      ['think (a level)', withBody({ think: 'high' })],
      ['images', withBody({ messages: [{ ...user, images: ['AQID'] }, assistant, tool] })],
      ['no images', withBody({ messages: [{ ...user, images: undefined }, assistant, tool] })],
      ['options', withBody({ options: { temperature: 0.5, seed: 7 } })],
      ['thinking', withBody({ messages: [user, { ...assistant, thinking: 'Guess.' }, tool] })],
      [
        'tool_calls',
        withBody({
          messages: [
            user,
            {
              ...assistant,
              tool_calls: [{ ...call, function: { ...call.function, arguments: { city: 'Oslo' } } }],
            },
            tool,
          ],
        }),
      ],
      ['tool_name', withBody({ messages: [user, assistant, { ...tool, tool_name: 'get_forecast' }] })],
      ['tool_call_id', withBody({ messages: [user, assistant, { ...tool, tool_call_id: 'call_zzz' }] })],
      ['the tool result', withBody({ messages: [user, assistant, { ...tool, content: '{"celsius":30}' }] })],
    ])('differs when only %s differs', (_field, key) => {
      expect(key).not.toBe(cacheKey(chat));
    });

    it('is the same whatever the order of keys, at every level (tools, schema, arguments, options)', () => {
      const reordered: GatewayRequest = {
        kind: 'chat',
        body: {
          options: { seed: 7, temperature: 0 },
          think: true,
          format: {
            properties: { celsius: { type: 'number' }, city: { type: 'string' } },
            required: ['city', 'celsius'],
            type: 'object',
          },
          tools: [
            {
              function: {
                parameters: { properties: { city: { type: 'string' } }, required: ['city'], type: 'object' },
                description: 'The current weather in a city',
                name: 'get_weather',
              },
              type: 'function',
            },
          ],
          messages: [
            { images: ['AAAA'], content: 'Weather in Paris?', role: 'user' },
            {
              tool_calls: [
                {
                  function: { arguments: { city: 'Paris' }, name: 'get_weather', index: 0 },
                  id: 'call_abc12345',
                },
              ],
              thinking: 'Look it up.',
              content: '',
              role: 'assistant',
            },
            {
              tool_call_id: 'call_abc12345',
              tool_name: 'get_weather',
              content: '{"celsius":18}',
              role: 'tool',
            },
          ],
          model: 'qwen3:latest',
        },
      };
      expect(cacheKey(reordered)).toBe(cacheKey(chat));
    });

    it('keeps the order of lists: messages, tools and required properties are ordered', () => {
      expect(withBody({ messages: [assistant, user, tool] })).not.toBe(cacheKey(chat));
    });

    it('differs on a generation by images and think too', () => {
      const generate: GatewayRequest & { kind: 'generate' } = {
        kind: 'generate',
        body: { model: 'gemma3', prompt: 'What is this?', images: ['AAAA'] },
      };
      const keys = new Set([
        cacheKey(generate),
        cacheKey({ ...generate, body: { ...generate.body, images: ['AQID'] } }),
        cacheKey({ ...generate, body: { ...generate.body, think: true } }),
        cacheKey({ ...generate, body: { ...generate.body, format: 'json' } }),
      ]);
      expect(keys.size).toBe(4);
    });
  });
});
