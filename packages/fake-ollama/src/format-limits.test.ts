import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllama, startFakeOllama } from './index.js';
import { mulberry32 } from './prng.js';
import { SCHEMA_LIMITS, SchemaError, schemaValue } from './schema-value.js';
import { INVALID_SCHEMA } from './structured-output.js';
import { FAST, type Line, raw } from './test-support/http.js';
import { schemaProblems } from './test-support/validate-schema.js';

// A `format` (or a tool's `parameters`) is the client's to choose: whatever it is, the fake answers at
// once, with a 400 when it cannot or will not fill it, and never stops answering everyone else.

/**
 * The JSON text of `inner` wrapped `depth` times in `{"type": "array", "items": …}`. Deep schemas travel as
 * text: the test's own JSON.stringify would overflow the stack on them.
 */
const nestedText = (depth: number, inner = '{"type":"string"}'): string =>
  `${'{"type":"array","items":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
const nested = (depth: number, inner?: string): object => JSON.parse(nestedText(depth, inner));

/** An object schema whose one required property is such an object, `depth` times. */
const deepProperties = (depth: number): object => {
  let schema: object = { type: 'object' };
  for (let i = 0; i < depth; i++) schema = { type: 'object', properties: { a: schema }, required: ['a'] };
  return schema;
};

/** Runs `make` and how long it took, in ms. */
const timed = <T>(make: () => T): { value: T; ms: number } => {
  const start = performance.now();
  const value = make();
  return { value, ms: performance.now() - start };
};

const value = (schema: unknown, seed = 1): unknown => schemaValue(schema, mulberry32(seed));

describe('schemaValue limits', () => {
  it.each([
    ['a minLength of 600 million', { type: 'string', minLength: 600_000_000 }],
    ['a minLength just past the cap', { type: 'string', minLength: SCHEMA_LIMITS.length + 1 }],
    ['a minItems past the cap', { type: 'array', minItems: 1_000_000 }],
    [
      'a value past the size cap',
      { type: 'array', minItems: 100, items: { type: 'string', minLength: 5000 } },
    ],
    [
      'arrays of arrays that multiply',
      {
        $defs: { a: { type: 'array', minItems: 10_000, items: { $ref: '#/$defs/a' } } },
        $ref: '#/$defs/a',
      },
    ],
    ['an enum past the cap', { enum: Array.from({ length: SCHEMA_LIMITS.entries + 1 }, (_, i) => i) }],
    ['a const past the size cap', { const: 'x'.repeat(SCHEMA_LIMITS.valueChars) }],
    ['a malformed percent escape in a $ref', { $ref: '#/%E0%A4%A' }],
    ['an allOf of itself', { allOf: [{ $ref: '#' }] }],
    ['an anyOf of itself', { anyOf: [{ $ref: '#' }] }],
    ['allOf nested without end', JSON.parse(`${'{"allOf":['.repeat(500)}{}${']}'.repeat(500)}`)],
    ['items nested 5,000 deep', nested(5000)],
    ['a $ref into Object.prototype', { $ref: '#/__proto__' }],
    ['a multipleOf of 0', { type: 'integer', multipleOf: 0 }],
    ['a negative multipleOf', { type: 'number', multipleOf: -2 }],
    ['a multipleOf that is a string', { type: 'integer', multipleOf: '2' }],
    ['an infinite minimum (1e999)', { type: 'number', minimum: Number.POSITIVE_INFINITY }],
    ['a minLength that is a string', { type: 'string', minLength: '600000000' }],
    ['a branch with properties that are not an object', { allOf: [{ properties: 5 }] }],
    ['a branch with required that is not a list', { allOf: [{ required: 'a' }] }],
  ])('refuses %s at once, with a SchemaError', (_, schema) => {
    const { value: thrown, ms } = timed(() => {
      try {
        value(schema);
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(thrown).toBeInstanceOf(SchemaError);
    expect(ms).toBeLessThan(1000);
  });

  it('makes a string of minLength at the cap quickly, and takes any maxLength', () => {
    const { value: text, ms } = timed(() => value({ type: 'string', minLength: SCHEMA_LIMITS.length }));
    expect((text as string).length).toBeGreaterThanOrEqual(SCHEMA_LIMITS.length);
    expect(ms).toBeLessThan(200);
    expect((value({ type: 'string', maxLength: 1e12 }) as string).length).toBeGreaterThan(0);
    const items = value({ type: 'array', minItems: 3, maxItems: 1e12 }) as unknown[];
    expect(items.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps a whole value to valueChars of JSON', () => {
    const schema = { type: 'array', minItems: 9, items: { type: 'string', minLength: SCHEMA_LIMITS.length } };
    expect(JSON.stringify(value(schema)).length).toBeLessThanOrEqual(SCHEMA_LIMITS.valueChars);
    expect(() => value({ ...schema, minItems: 10 })).toThrow(SchemaError);
  });

  it.each([
    [{ type: 'number', minimum: 1e308 }],
    [{ type: 'number', exclusiveMinimum: 1e308 }],
    [{ type: 'number', maximum: -1e308 }],
    [{ type: 'number', exclusiveMaximum: -1e308, minimum: -1.7976931348623157e308 }],
    [{ type: 'number', minimum: -1.7976931348623157e308, maximum: 1.7976931348623157e308 }],
    [{ type: 'integer', minimum: 1e308 }],
    [{ type: 'integer', minimum: -1e308, maximum: 1e308 }],
  ])('gives a finite number that fits huge bounds %j', (schema) => {
    for (let seed = 0; seed < 20; seed++) {
      const number = value(schema, seed);
      expect(Number.isFinite(number)).toBe(true);
      expect(schemaProblems(number, schema)).toEqual([]);
    }
  });

  it('fills a required __proto__ as an own property, which JSON keeps', () => {
    for (const schema of [
      { type: 'object', required: ['__proto__'] },
      { type: 'object', properties: JSON.parse('{"__proto__":{"type":"integer"}}'), required: ['__proto__'] },
      { allOf: [{ properties: JSON.parse('{"__proto__":{"const":1}}') }], required: ['__proto__'] },
    ]) {
      const made = value(schema) as object;
      expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
      expect(Object.hasOwn(made, '__proto__')).toBe(true);
      expect(Object.keys(JSON.parse(JSON.stringify(made)))).toEqual(['__proto__']);
    }
  });
});

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
});
afterAll(() => server.close());

/** How long a nasty request, and /api/version while it is in flight, may take. */
const BOUND_MS = 2000;

/** `body` as JSON text with `field` set to the JSON text `text` (deep values cannot go through JSON.stringify). */
const withText = (body: object, field: string, text: string): string =>
  JSON.stringify({ ...body, [field]: '\u0000' }).replace('"\\u0000"', text);

/** A value sent as the JSON text given. */
class JsonText {
  constructor(readonly text: string) {}
}
const deep = (depth: number, inner?: string): JsonText => new JsonText(nestedText(depth, inner));
const jsonOf = (value: unknown): string => (value instanceof JsonText ? value.text : JSON.stringify(value));

const chat = (format: unknown, extra: object = {}): string =>
  withText(
    { model: 'llama3.2', messages: [{ role: 'user', content: 'Fill the form.' }], stream: false, ...extra },
    'format',
    jsonOf(format),
  );
const generate = (format: unknown, extra: object = {}): string =>
  withText(
    { model: 'llama3.2', prompt: 'Fill the form.', stream: false, ...extra },
    'format',
    jsonOf(format),
  );

/** Sends `body` and, while it is answered, checks that /api/version still answers within the bound. */
async function nasty(path: string, body: unknown): Promise<{ status: number; lines: unknown[] }> {
  const start = performance.now();
  const answer = raw(server.url, path, body);
  await expect
    .poll(async () => (await raw(server.url, '/api/version')).status, { timeout: BOUND_MS, interval: 5 })
    .toBe(200);
  const result = await answer;
  expect(performance.now() - start).toBeLessThan(BOUND_MS);
  await expect
    .poll(async () => (await raw(server.url, '/api/version')).status, { timeout: BOUND_MS, interval: 5 })
    .toBe(200);
  return result;
}

const HOSTILE_FORMATS: Array<[string, unknown]> = [
  ['a minLength of 600 million', { type: 'string', minLength: 600_000_000 }],
  ['a minLength of a million', { type: 'string', minLength: 1_000_000 }],
  ['a minItems of a million', { type: 'array', minItems: 1_000_000 }],
  ['an array of strings too long together', { type: 'array', minItems: 50, items: { minLength: 9999 } }],
  ['a malformed percent escape in a $ref', { $ref: '#/%E0%A4%A' }],
  ['an allOf of itself', { allOf: [{ $ref: '#' }] }],
  [
    'a $ref cycle through $defs',
    { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' },
  ],
  ['items nested 5,000 deep', deep(5000)],
  ['items nested 900 deep', deep(900)],
  [
    'objects that fan out at every level',
    {
      $defs: {
        n: {
          type: 'object',
          properties: Object.fromEntries(
            Array.from({ length: 50 }, (_, i) => [`p${i}`, { $ref: '#/$defs/n' }]),
          ),
          required: Array.from({ length: 50 }, (_, i) => `p${i}`),
        },
      },
      $ref: '#/$defs/n',
    },
  ],
  ['a huge enum', { enum: Array.from({ length: 200_000 }, (_, i) => `v${i}`) }],
  ['an enum of one huge string', { enum: ['x'.repeat(500_000)] }],
  ['a multipleOf of 0', { type: 'integer', multipleOf: 0 }],
  ['a minimum of 1e999', JSON.parse('{"type":"number","minimum":1e999}')],
  ['a minimum that is a string', { type: 'integer', minimum: '5' }],
  ['a minLength that is a string', { type: 'string', minLength: '600000000' }],
  ['a multipleOf that is a string', { type: 'integer', multipleOf: '3' }],
  ['a sub-schema that is a number', { type: 'object', properties: { a: 5 } }],
  ['a sub-schema that is null', { type: 'array', items: null }],
  ['an array', [{ type: 'string' }]],
  ['a number', 5],
  ['true', true],
  ['an unknown string', 'xml'],
  ['a const nested past the body limit', new JsonText(`{"const":${'['.repeat(5000)}${']'.repeat(5000)}}`)],
];

describe('a hostile format', () => {
  it.each(
    HOSTILE_FORMATS,
  )('(%s) is a 4xx on chat and generate, and the server keeps answering', async (_, format) => {
    for (const [path, body] of [
      ['/api/chat', chat(format)],
      ['/api/generate', generate(format)],
    ] as const) {
      const { status, lines } = await nasty(path, body);
      expect(status, JSON.stringify(lines)).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(lines[0]).toEqual({ error: expect.any(String) });
    }
  });

  it('that is a schema gets Ollama’s words', async () => {
    for (const format of [{ $ref: '#/%E0%A4%A' }, { allOf: [{ $ref: '#' }] }, deep(900)]) {
      expect(await nasty('/api/chat', chat(format))).toMatchObject({
        status: 400,
        lines: [{ error: INVALID_SCHEMA }],
      });
    }
  });

  it('nested past 1,000 levels gets Go’s decoder words', async () => {
    const { status, lines } = await nasty('/api/chat', chat(deep(1000)));
    expect(status).toBe(400);
    expect(lines[0]).toEqual({ error: "invalid character '{' exceeded max depth" });
  });

  it('that is streamed is refused before the stream starts', async () => {
    const { status, lines } = await nasty(
      '/api/chat',
      chat({ type: 'string', minLength: 1e9 }, { stream: true }),
    );
    expect({ status, lines }).toEqual({ status: 400, lines: [{ error: INVALID_SCHEMA }] });
  });
});

describe('a schema at the edges', () => {
  it('answers huge bounds with a finite number, and a required __proto__ in the JSON', async () => {
    const huge = { type: 'number', minimum: 1e308 };
    const number = JSON.parse(((await nasty('/api/chat', chat(huge))).lines[0] as Line).message.content);
    expect(number).toBeGreaterThanOrEqual(1e308);
    const proto = { type: 'object', required: ['__proto__'] };
    const { lines } = await nasty('/api/generate', generate(proto));
    const content = (lines[0] as Line).response as string;
    expect(content).toMatch(/^\{"__proto__":/);
    expect(Object.hasOwn(JSON.parse(content), '__proto__')).toBe(true);
  });

  it('fills a minLength at the cap', async () => {
    const { status, lines } = await nasty(
      '/api/chat',
      chat({ type: 'string', minLength: SCHEMA_LIMITS.length }),
    );
    expect(status).toBe(200);
    expect(JSON.parse((lines[0] as Line).message.content).length).toBeGreaterThanOrEqual(
      SCHEMA_LIMITS.length,
    );
  }, 20_000);
});

describe('a hostile tool schema', () => {
  const tool = (parameters: unknown) => ({ type: 'function', function: { name: 'fill', parameters } });

  it.each([
    ['a minLength of 600 million', { type: 'object', properties: { a: { minLength: 600_000_000 } } }],
    ['a minItems of a million', { type: 'object', properties: { a: { minItems: 1_000_000 } } }],
    ['a malformed percent escape', { type: 'object', properties: { a: { $ref: '#/%E0%A4%A' } } }],
    ['an allOf of itself', { allOf: [{ $ref: '#' }] }],
    ['properties nested 400 deep', deepProperties(400)],
  ])('(%s) is called with {} at once, and the server keeps answering', async (_, parameters) => {
    const { status, lines } = await nasty('/api/chat', {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'fill' }],
      tools: [tool(parameters)],
      stream: false,
    });
    expect(status).toBe(200);
    expect((lines[0] as Line).message.tool_calls).toEqual([
      { id: expect.any(String), function: { index: 0, name: 'fill', arguments: {} } },
    ]);
  });

  it('nested 5,000 deep is a 400, not a 500', async () => {
    const parameters = nestedText(5000, '{"type":"object"}');
    const body = withText(
      { model: 'llama3.2', messages: [{ role: 'user', content: 'fill' }], stream: false },
      'tools',
      `[{"type":"function","function":{"name":"fill","parameters":${parameters}}}]`,
    );
    const { status, lines } = await nasty('/api/chat', body);
    expect(status).toBe(400);
    expect(lines[0]).toEqual({ error: "invalid character '{' exceeded max depth" });
  });
});
