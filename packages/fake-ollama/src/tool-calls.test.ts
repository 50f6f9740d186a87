import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllama, startFakeOllama } from './index.js';
import { FAST, type Line, raw } from './test-support/http.js';
import { schemaProblems } from './test-support/validate-schema.js';
import { chooseToolCalls, toolCallText } from './tool-calls.js';

// Matched against Ollama v0.33 (main, August 2026): server/routes.go ChatHandler and writeChatResponse,
// tools/tools.go, api/types.go ToolCall.

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
});
afterAll(() => server.close());

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['city', 'unit'],
    },
  },
};
const time = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
};
const user = (content: string) => ({ role: 'user', content });

describe('a chat with tools', () => {
  it('streams the call in one chunk, then a done chunk with empty content', async () => {
    const { lines } = await raw(server.url, '/api/chat', {
      model: 'llama3.2',
      messages: [user('What is the weather like?')],
      tools: [weather],
    });
    expect(lines).toHaveLength(2);
    const [call, done] = lines as Line[];
    expect(call).toEqual({
      model: 'llama3.2',
      created_at: expect.any(String),
      message: {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: expect.stringMatching(/^call_[a-z0-9]{8}$/),
            function: { index: 0, name: 'get_weather', arguments: expect.any(Object) },
          },
        ],
      },
      done: false,
    });
    expect(
      schemaProblems(call!.message.tool_calls[0].function.arguments, weather.function.parameters),
    ).toEqual([]);
    expect(done).toMatchObject({
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
    });
    // The call's text was generated token by token, and the tools' definitions are part of the prompt.
    expect(done!.eval_count).toBeGreaterThan(5);
    expect(done!.prompt_eval_count).toBeGreaterThan(20);
  });

  it('gives the same call with stream: false, in the final message, and again for the same request', async () => {
    const request = { model: 'llama3.2', messages: [user('Weather?')], tools: [weather, time] };
    const streamed = (await raw(server.url, '/api/chat', request)).lines as Line[];
    const whole = (await raw(server.url, '/api/chat', { ...request, stream: false })).lines[0] as Line;
    expect(whole.message).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: streamed[0]!.message.tool_calls,
    });
    expect(whole).toMatchObject({ done: true, done_reason: 'stop', eval_count: streamed[1]!.eval_count });
    const again = (await raw(server.url, '/api/chat', { ...request, stream: false })).lines[0] as Line;
    expect(again.message).toEqual(whole.message);
  });

  it('calls every tool the user names, in the order of tools, each with its own index and id', async () => {
    const { lines } = await raw(server.url, '/api/chat', {
      model: 'llama3.2',
      messages: [user('Use get_time, then get_weather.')],
      tools: [weather, time],
      stream: false,
    });
    const calls = (lines[0] as Line).message.tool_calls;
    expect(calls.map((c: Line) => [c.function.index, c.function.name])).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
    expect(calls[0].id).not.toBe(calls[1].id);
  });

  it('answers the tool result with text, and another result with other text', async () => {
    const answerTo = async (result: string) => {
      const { lines } = await raw(server.url, '/api/chat', {
        model: 'llama3.2',
        messages: [
          user('Weather in Paris?'),
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { function: { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } } },
            ],
          },
          { role: 'tool', content: result, tool_name: 'get_weather' },
        ],
        tools: [weather],
        stream: false,
      });
      return (lines[0] as Line).message;
    };
    const sunny = await answerTo('22 degrees and sunny');
    expect(sunny).toEqual({ role: 'assistant', content: expect.stringMatching(/^[A-Z].*\.$/) });
    expect((await answerTo('5 degrees and rain')).content).not.toBe(sunny.content);
  });

  it('sends back the unparsed text of a call num_predict cut short, as content', async () => {
    const { lines } = await raw(server.url, '/api/chat', {
      model: 'llama3.2',
      messages: [user('Weather?')],
      tools: [weather],
      options: { num_predict: 3 },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ done: true, done_reason: 'length', eval_count: 3 });
    expect((lines[0] as Line).message.content).toMatch(/^\{"name/);
  });

  it('sends logprobs with empty content while a call is being written', async () => {
    const { lines } = await raw(server.url, '/api/chat', {
      model: 'llama3.2',
      messages: [user('Weather?')],
      tools: [weather],
      logprobs: true,
    });
    const chunks = lines.slice(0, -1) as Line[];
    expect(chunks.length).toBe((lines.at(-1) as Line).eval_count);
    expect(chunks.slice(0, -1).every((c) => c.message.content === '' && c.logprobs.length === 1)).toBe(true);
    expect(chunks.at(-1)!.message.tool_calls).toHaveLength(1);
  });
});

describe('refusals and bad tools', () => {
  it('refuses tools for a model without the capability, with its full name, as Ollama does', async () => {
    const refused = await raw(server.url, '/api/chat', {
      model: 'gemma3',
      messages: [user('x')],
      tools: [weather],
    });
    expect(refused).toMatchObject({
      status: 400,
      lines: [{ error: 'registry.ollama.ai/library/gemma3:latest does not support tools' }],
    });
    // An empty list asks for nothing; an embedding model fails on chat itself first.
    expect(
      (await raw(server.url, '/api/chat', { model: 'gemma3', messages: [user('x')], tools: [] })).status,
    ).toBe(200);
    expect(
      await raw(server.url, '/api/chat', {
        model: 'nomic-embed-text',
        messages: [user('x')],
        tools: [weather],
      }),
    ).toMatchObject({ status: 400, lines: [{ error: '"nomic-embed-text" does not support chat' }] });
  });

  it.each([
    [{}, 'json: cannot unmarshal object into Go struct field ChatRequest.tools of type api.Tools'],
    [['x'], 'json: cannot unmarshal string into Go struct field ChatRequest.tools of type api.Tool'],
    [
      [{ function: 1 }],
      'json: cannot unmarshal number into Go struct field Tool.tools.function of type api.ToolFunction',
    ],
    [
      [{ function: { name: 5 } }],
      'json: cannot unmarshal number into Go struct field ToolFunction.tools.function.name of type string',
    ],
    [
      [{ function: { name: 'f', parameters: [] } }],
      'json: cannot unmarshal array into Go struct field ToolFunction.tools.function.parameters of type api.ToolFunctionParameters',
    ],
  ])('answers tools %j with 400 and Go’s words', async (tools, error) => {
    const answer = await raw(server.url, '/api/chat', { model: 'llama3.2', messages: [user('x')], tools });
    expect(answer).toMatchObject({ status: 400, lines: [{ error }] });
  });

  it('takes tools it cannot read the parameters of, and calls them with {}', async () => {
    const odd = {
      type: 'function',
      function: { name: 'odd', parameters: { type: 'object', properties: { a: { type: 'x' } } } },
    };
    const { lines } = await raw(server.url, '/api/chat', {
      model: 'llama3.2',
      messages: [user('odd')],
      tools: [null, odd, { type: 'function', function: null }],
      stream: false,
    });
    expect((lines[0] as Line).message.tool_calls).toEqual([
      { id: expect.any(String), function: { index: 0, name: 'odd', arguments: {} } },
    ]);
  });
});

describe('chooseToolCalls', () => {
  it('picks one tool by the seed when none is named, and nothing without usable tools', () => {
    const names = new Set(
      Array.from(
        { length: 40 },
        (_, seed) => chooseToolCalls([weather, time], 'hello', seed)[0]!.function.name,
      ),
    );
    expect(names).toEqual(new Set(['get_weather', 'get_time']));
    expect(chooseToolCalls([{ type: 'function' }], 'x', 1)).toEqual([]);
  });

  it('writes a call as the JSON a model would', () => {
    const [call] = chooseToolCalls([time], 'get_time', 1);
    expect(JSON.parse(toolCallText(call!))).toEqual({
      name: 'get_time',
      arguments: call!.function.arguments,
    });
  });
});
