import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { Ollama as OfficialOllama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ollama } from './client.js';
import { answerOf, differences, type TranscriptClient } from './test-support/transcript.js';

// The same calls through the official `ollama` client and through ours, against one fake Ollama, and the
// answers compared field by field (test-support/transcript.ts says which fields are compared by kind only).

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {
      type: 'object',
      required: ['city'],
      properties: {
        city: { type: 'string', description: 'The city' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
    },
  },
};
const time = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'The local time in a city',
    parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
  },
};
const question = [{ role: 'user', content: 'What is the weather in Toronto?' }];
const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'number', minimum: -50, maximum: 50 },
    conditions: { type: 'array', items: { enum: ['sunny', 'cloudy', 'rain'] } },
    station: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
  },
  required: ['city', 'temperature', 'conditions', 'station'],
};
// A PNG signature, then bytes whose base64 holds '+', '/' and padding (base64url or unpadded would show).
const PIXELS = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff, 0, 1]);

let server: FakeOllama;
let clients: { official: TranscriptClient; ours: TranscriptClient };
let ours: Ollama;
let imageDir: string;
let imagePath: string;

beforeAll(async () => {
  server = await startFakeOllama({ tokensPerSecond: 1000, ttftMs: 1, tokensPerAnswer: 12 });
  ours = new Ollama({ host: server.url });
  clients = { official: new OfficialOllama({ host: server.url }), ours };
  imageDir = await mkdtemp(join(tmpdir(), 'sightglass-transcript-'));
  imagePath = join(imageDir, 'pixels.png');
  await writeFile(imagePath, PIXELS);
});
afterAll(async () => {
  await ours.close();
  await server.close();
  await rm(imageDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: answers of every shape, read loosely and checked by expect
type Answer = Record<string, any>;

interface Step {
  readonly name: string;
  readonly call: (client: TranscriptClient) => Promise<unknown>;
  /** What the official answer must hold, so that a step cannot agree on two empty answers. */
  // biome-ignore lint/suspicious/noExplicitAny: an answer, a list of answers or a thrown error's shape
  readonly check: (official: any) => void;
}

const chunks = (answer: Answer): Answer[] => answer.chunks as Answer[];
const refusal = (status: number, message: string) => (answer: Answer) =>
  expect(answer.thrown).toMatchObject({ class: 'ResponseError', status_code: status, message });

/** The calls, in order (ps at the end sees what the others loaded). */
const STEPS: Step[] = [
  {
    name: 'chat with tools',
    call: (c) => c.chat({ model: 'llama3.2', messages: question, tools: [weather, time] }),
    check: (a) => expect(a.message.tool_calls[0]).toMatchObject({ id: expect.any(String) }),
  },
  {
    name: 'chat with tools, streamed (one chunk per call)',
    call: (c) =>
      c.chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'get_weather and get_time for Oslo' }],
        tools: [weather, time],
        stream: true,
      }),
    check: (a) => expect(chunks(a).filter((chunk) => chunk.message.tool_calls).length).toBe(2),
  },
  {
    name: 'the tool-result turn',
    call: async (c) => {
      const asked = await c.chat({ model: 'llama3.2', messages: question, tools: [weather] });
      const [call] = asked.message.tool_calls ?? [];
      return c.chat({
        model: 'llama3.2',
        tools: [weather],
        messages: [
          ...question,
          asked.message,
          { role: 'tool', content: '11 degrees, cloudy', tool_name: call?.function.name },
        ],
      });
    },
    check: (a) => expect(a.message.content).toMatch(/\w/),
  },
  {
    name: 'the tool-result turn, streamed',
    call: async (c) => {
      const asked = await c.chat({ model: 'llama3.2', messages: question, tools: [weather] });
      return c.chat({
        model: 'llama3.2',
        tools: [weather],
        stream: true,
        messages: [...question, asked.message, { role: 'tool', content: '11', tool_name: 'get_weather' }],
      });
    },
    check: (a) => expect(chunks(a).at(-1)).toMatchObject({ done: true }),
  },
  {
    name: 'chat with format json',
    call: (c) => c.chat({ model: 'llama3.2', messages: question, format: 'json' }),
    check: (a) => expect(JSON.parse(a.message.content)).toBeTypeOf('object'),
  },
  {
    name: 'chat with format json, streamed',
    call: (c) => c.chat({ model: 'llama3.2', messages: question, format: 'json', stream: true }),
    check: (a) => expect(chunks(a).length).toBeGreaterThan(2),
  },
  {
    name: 'chat with a JSON schema format',
    call: (c) => c.chat({ model: 'llama3.2', messages: question, format: schema }),
    check: (a) => expect(JSON.parse(a.message.content)).toHaveProperty('station.id'),
  },
  {
    name: 'chat with a JSON schema format, streamed',
    call: (c) => c.chat({ model: 'llama3.2', messages: question, format: schema, stream: true }),
    check: (a) => expect(chunks(a).length).toBeGreaterThan(2),
  },
  {
    name: 'generate with a JSON schema format',
    call: (c) => c.generate({ model: 'llama3.2', prompt: 'Weather?', format: schema }),
    check: (a) => expect(JSON.parse(a.response)).toHaveProperty('conditions'),
  },
  {
    name: 'generate with a JSON schema format, streamed',
    call: (c) => c.generate({ model: 'llama3.2', prompt: 'Weather?', format: schema, stream: true }),
    check: (a) => expect(chunks(a).at(-1)).toHaveProperty('context'),
  },
  {
    name: 'chat with think: true',
    call: (c) => c.chat({ model: 'qwen3', messages: question, think: true }),
    check: (a) => expect(a.message.thinking).toMatch(/\w/),
  },
  {
    name: 'chat with think: true, streamed (thinking before content)',
    call: (c) => c.chat({ model: 'qwen3', messages: question, think: true, stream: true }),
    check: (a) => expect(chunks(a)[0]!.message.thinking).toMatch(/\w/),
  },
  {
    name: 'chat with think: "low" and "high"',
    call: async (c) => [
      await c.chat({ model: 'qwen3', messages: question, think: 'low' }),
      await c.chat({ model: 'qwen3', messages: question, think: 'high' }),
    ],
    check: ([low, high]: Answer[]) =>
      expect(high!.message.thinking.length).toBeGreaterThan(low!.message.thinking.length),
  },
  {
    name: 'chat with think: "high", streamed',
    call: (c) => c.chat({ model: 'qwen3', messages: question, think: 'high', stream: true }),
    check: (a) => expect(chunks(a).filter((chunk) => chunk.message.thinking).length).toBeGreaterThan(12),
  },
  {
    name: 'chat with think: false on a thinking model',
    call: (c) => c.chat({ model: 'qwen3', messages: question, think: false }),
    check: (a) => expect(a.message).not.toHaveProperty('thinking'),
  },
  {
    name: 'a thinking model calls tools, streamed',
    call: (c) => c.chat({ model: 'qwen3', messages: question, tools: [weather], stream: true }),
    check: (a) => expect(chunks(a).some((chunk) => chunk.message.tool_calls)).toBe(true),
  },
  {
    name: 'generate with think and format json',
    call: (c) => c.generate({ model: 'qwen3', prompt: 'Why?', think: 'medium', format: 'json' }),
    check: (a) => expect(a).toMatchObject({ thinking: expect.any(String), response: expect.any(String) }),
  },
  {
    name: 'generate with think, streamed',
    call: (c) => c.generate({ model: 'qwen3', prompt: 'Why?', think: true, stream: true }),
    check: (a) => expect(chunks(a)[0]).toMatchObject({ response: '', thinking: expect.any(String) }),
  },
  {
    name: 'logprobs with top_logprobs, streamed',
    call: (c) =>
      c.chat({ model: 'llama3.2', messages: question, logprobs: true, top_logprobs: 3, stream: true }),
    check: (a) => expect(chunks(a)[0]!.logprobs[0].top_logprobs).toHaveLength(3),
  },
  {
    name: 'images on the vision model: bytes, Buffer, base64 and a file path',
    call: async (c) => [
      await c.chat({
        model: 'gemma3',
        messages: [{ role: 'user', content: 'What is this?', images: [PIXELS, Buffer.from(PIXELS)] }],
      }),
      await c.chat({
        model: 'gemma3',
        messages: [{ role: 'user', content: 'What is this?', images: [imagePath, btoa('\u0089PNG')] }],
      }),
    ],
    check: ([bytes]: Answer[]) => expect(bytes!.prompt_eval_count).toBeGreaterThan(512),
  },
  {
    name: 'images with generate, streamed',
    call: (c) => c.generate({ model: 'gemma3', prompt: 'What is this?', images: [PIXELS], stream: true }),
    check: (a) => expect(chunks(a).at(-1)!.prompt_eval_count).toBeGreaterThan(256),
  },
  {
    name: 'embed',
    call: async (c) => [
      await c.embed({ model: 'nomic-embed-text', input: 'Why is the sky blue?' }),
      await c.embed({ model: 'nomic-embed-text', input: ['a', 'b'], dimensions: 8 }),
    ],
    check: ([, two]: Answer[]) => expect(two!.embeddings).toHaveLength(2),
  },
  {
    name: 'show: capabilities',
    call: async (c) => [
      await c.show({ model: 'qwen3' }),
      await c.show({ model: 'gemma3' }),
      await c.show({ model: 'nomic-embed-text' }),
    ],
    check: (shows: Answer[]) =>
      expect(shows.map((s) => s.capabilities)).toEqual([
        ['completion', 'tools', 'thinking'],
        ['completion', 'vision'],
        ['embedding'],
      ]),
  },
  {
    name: 'list (tags): capabilities',
    call: (c) => c.list(),
    check: (a) => expect(a.models[0].capabilities).toEqual(expect.arrayContaining(['completion'])),
  },
  {
    name: 'ps: loaded models with expires_at, size_vram and context_length',
    call: (c) => c.ps(),
    check: (a) => expect(a.models[0]).toHaveProperty('context_length'),
  },
  {
    name: 'refused: tools on a model without them',
    call: (c) => c.chat({ model: 'gemma3', messages: question, tools: [weather] }),
    check: refusal(400, 'registry.ollama.ai/library/gemma3:latest does not support tools'),
  },
  {
    name: 'refused: tools on a model without them, streamed',
    call: (c) => c.chat({ model: 'gemma3', messages: question, tools: [weather], stream: true }),
    check: refusal(400, 'registry.ollama.ai/library/gemma3:latest does not support tools'),
  },
  {
    name: 'refused: think on a model without thinking',
    call: (c) => c.chat({ model: 'llama3.2', messages: question, think: true }),
    check: refusal(400, '"llama3.2" does not support thinking'),
  },
  {
    name: 'refused: think on a model without thinking, streamed (generate)',
    call: (c) => c.generate({ model: 'llama3.2', prompt: 'x', think: 'low', stream: true }),
    check: refusal(400, '"llama3.2" does not support thinking'),
  },
  {
    name: 'refused: a think value Ollama does not know',
    call: (c) => c.chat({ model: 'qwen3', messages: question, think: 'hard' as never }),
    check: refusal(400, expect.stringContaining('invalid think value') as never),
  },
  {
    name: 'refused: a format that is neither "json" nor a schema',
    call: (c) => c.generate({ model: 'llama3.2', prompt: 'x', format: 'yaml' }),
    check: refusal(400, expect.stringContaining('invalid format') as never),
  },
  {
    name: 'refused: chat on an embedding model, a model that is not there',
    call: async (c) => [
      await answerOf(() => c.chat({ model: 'nomic-embed-text', messages: question })),
      await answerOf(() => c.chat({ model: 'no-such-model', messages: question, stream: true })),
    ],
    check: ([embedding, missing]: Answer[]) => {
      expect(embedding!.thrown).toMatchObject({ status_code: 400 });
      expect(missing!.thrown).toMatchObject({ status_code: 404 });
    },
  },
];

describe('the official client and ours give the same answers, field by field', () => {
  for (const step of STEPS) {
    it(step.name, async () => {
      const official = await answerOf(() => step.call(clients.official));
      const answer = await answerOf(() => step.call(clients.ours));
      step.check(official as Answer);
      expect(differences(official, answer)).toEqual([]);
    });
  }
});

describe('where the two differ on purpose', () => {
  it('an {"error"} line mid-stream: the same message; ours a ResponseError, theirs a plain Error', async () => {
    server.faults.set({ errorLineAfterChunks: 3, errorMessage: 'model runner crashed' });
    try {
      const call = (c: TranscriptClient) => c.chat({ model: 'llama3.2', messages: question, stream: true });
      const official = (await answerOf(() => call(clients.official))) as Answer;
      const answer = (await answerOf(() => call(clients.ours))) as Answer;
      expect(differences(official.chunks, answer.chunks)).toEqual([]);
      expect(official.chunks).toHaveLength(3);
      expect(official.ended.thrown).toMatchObject({ class: 'Error', message: 'model runner crashed' });
      expect(answer.ended.thrown).toMatchObject({
        class: 'ResponseError',
        isError: true,
        message: 'model runner crashed',
        error: 'model runner crashed',
        status_code: 200,
      });
    } finally {
      server.faults.clear();
    }
  });

  it('images: the official client rewrites the request it was given, ours leaves it as it was', async () => {
    const request = () => ({
      model: 'gemma3',
      messages: [{ role: 'user', content: 'What is this?', images: [PIXELS] }],
    });
    const theirs = request();
    const mine = request();
    await clients.official.chat(theirs);
    await ours.chat(mine);
    expect(theirs.messages[0]!.images).toEqual([Buffer.from(PIXELS).toString('base64')]);
    expect(mine.messages[0]!.images).toEqual([PIXELS]);
  });

  it('encodeImage as the official client has it', async () => {
    const official = new OfficialOllama({ host: server.url });
    for (const image of [PIXELS, Buffer.from(PIXELS), imagePath, 'aGk=', join(imageDir, 'missing.png')]) {
      expect(await ours.encodeImage(image)).toBe(await official.encodeImage(image));
    }
  });
});

describe('the comparison fails when ours loses something', () => {
  /** Our client with `message.thinking` taken out of every chat answer and chunk. */
  const withoutThinking = (client: Ollama): TranscriptClient =>
    new Proxy(client, {
      get(target, key, receiver) {
        if (key !== 'chat') return Reflect.get(target, key, receiver);
        const strip = (answer: Answer) => {
          delete answer.message.thinking;
          return answer;
        };
        return async (request: { stream?: boolean }) => {
          const answer = await target.chat(request as never);
          if (!request.stream) return strip(answer as Answer);
          return (async function* () {
            for await (const chunk of answer as AsyncIterable<Answer>) yield strip(chunk);
          })();
        };
      },
    }) as unknown as TranscriptClient;

  it('a field dropped from an answer or a chunk is named', async () => {
    const lossy = withoutThinking(ours);
    for (const stream of [false, true]) {
      const call = (c: TranscriptClient) =>
        c.chat({ model: 'qwen3', messages: question, think: true, stream } as never);
      const official = await answerOf(() => call(clients.official));
      const found = differences(official, await answerOf(() => call(lossy)));
      expect(found).toContain(
        stream ? '$.chunks[0].message.thinking: missing in ours' : '$.message.thinking: missing in ours',
      );
    }
  });

  it('a value, a type, a length, an extra field, a varying field missing or malformed', () => {
    const official = { a: 1, b: [1, 2], c: 'x', created_at: '2026-01-01T00:00:00Z', eval_duration: 5 };
    expect(differences(official, { ...official })).toEqual([]);
    expect(differences(official, { ...official, eval_duration: 7, created_at: 'Z' })).toEqual([
      '$.created_at: not a timestamp ("2026-01-01T00:00:00Z" / "Z")',
    ]);
    const { eval_duration: _, ...withoutDuration } = official;
    expect(
      differences(official, { ...withoutDuration, a: 2, b: [1], c: null, extra: true, created_at: 'x' }),
    ).toEqual([
      '$.a: official 1, ours 2',
      '$.b: official has 2 items, ours 1',
      '$.c: official is string, ours is null',
      '$.created_at: not a timestamp ("2026-01-01T00:00:00Z" / "x")',
      '$.eval_duration: missing in ours',
      '$.extra: only in ours',
    ]);
  });
});
