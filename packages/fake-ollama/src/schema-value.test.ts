import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng.js';
import { SchemaError, schemaValue } from './schema-value.js';
import { schemaProblems } from './test-support/validate-schema.js';

const SCHEMAS: Record<string, Record<string, unknown>> = {
  'every type': {
    type: 'object',
    properties: {
      name: { type: 'string' },
      age: { type: 'integer', minimum: 0, maximum: 120 },
      score: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      ok: { type: 'boolean' },
      nothing: { type: 'null' },
      maybe: { type: ['string', 'null'] },
    },
    required: ['name', 'age', 'score', 'ok', 'nothing'],
  },
  'enums, const, nested objects and arrays': {
    type: 'object',
    properties: {
      kind: { const: 'weather' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: {
        type: 'array',
        minItems: 2,
        maxItems: 4,
        items: {
          type: 'object',
          properties: { day: { type: 'string', format: 'date' }, high: { type: 'number' } },
          required: ['day', 'high'],
          additionalProperties: false,
        },
      },
      tuple: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }], items: false },
    },
    required: ['kind', 'unit', 'days'],
    additionalProperties: false,
  },
  "pydantic's $defs and anyOf": {
    $defs: {
      Pet: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 3, maxLength: 12 },
          id: { type: 'string', format: 'uuid' },
        },
        required: ['name', 'id'],
      },
    },
    type: 'object',
    properties: {
      pets: { type: 'array', items: { $ref: '#/$defs/Pet' } },
      owner: { anyOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
      seen: { type: 'string', format: 'date-time' },
    },
    required: ['pets', 'owner', 'seen'],
  },
  'allOf, oneOf and multipleOf': {
    allOf: [
      { type: 'object', properties: { a: { type: 'integer', multipleOf: 5, minimum: 1, maximum: 40 } } },
      { properties: { b: { oneOf: [{ type: 'string' }, { type: 'boolean' }] } }, required: ['a', 'b'] },
    ],
  },
  'a recursive tree': {
    type: 'object',
    properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } },
    required: ['label', 'children'],
  },
};

describe('schemaValue', () => {
  it.each(Object.entries(SCHEMAS))('makes values that fit %s, for every seed', (_, schema) => {
    for (let seed = 0; seed < 200; seed++) {
      const value = schemaValue(schema, mulberry32(seed));
      expect(schemaProblems(JSON.parse(JSON.stringify(value)), schema), JSON.stringify(value)).toEqual([]);
    }
  });

  it('gives the same value for a seed and others for other seeds', () => {
    const schema = SCHEMAS['every type']!;
    expect(schemaValue(schema, mulberry32(3))).toEqual(schemaValue(schema, mulberry32(3)));
    const values = new Set(
      Array.from({ length: 20 }, (_, seed) => JSON.stringify(schemaValue(schema, mulberry32(seed)))),
    );
    expect(values.size).toBeGreaterThan(15);
  });

  it('fills in every property, in the order the schema declares them', () => {
    const value = schemaValue(SCHEMAS['every type'], mulberry32(1)) as object;
    expect(Object.keys(value)).toEqual(['name', 'age', 'score', 'ok', 'nothing', 'maybe']);
  });

  it('takes schemas without a type: an empty schema, or one its keywords explain', () => {
    expect(typeof schemaValue({}, mulberry32(1))).toBe('string');
    expect(schemaValue({ properties: { a: { const: 1 } } }, mulberry32(1))).toEqual({ a: 1 });
    expect(Array.isArray(schemaValue({ items: { type: 'integer' } }, mulberry32(1)))).toBe(true);
  });

  it.each([
    ['an unknown type', { type: 'float' }],
    ['an empty type list', { type: [] }],
    ['a schema that is not an object', { type: 'object', properties: { a: 5 } }],
    ['properties that are not an object', { type: 'object', properties: [] }],
    ['required that is not a list of names', { type: 'object', required: 'a' }],
    ['an empty enum', { enum: [] }],
    ['an empty anyOf', { anyOf: [] }],
    ['an allOf that is not a list', { allOf: {} }],
    ['a $ref to nowhere', { $ref: '#/$defs/Missing' }],
    ['a remote $ref', { $ref: 'https://example.com/schema.json' }],
    ['a $ref that only recurses', { $ref: '#' }],
    ['bounds no integer fits', { type: 'integer', minimum: 1.2, maximum: 1.8 }],
    ['a minimum above the maximum', { type: 'number', minimum: 5, maximum: 1 }],
    ['a bound that is not a number', { type: 'number', minimum: 'one' }],
    ['minLength above maxLength', { type: 'string', minLength: 5, maxLength: 2 }],
    ['minItems above maxItems', { type: 'array', minItems: 3, maxItems: 1 }],
    ['a negative minItems', { type: 'array', minItems: -1 }],
    ['a required property that is forbidden', { type: 'object', properties: { a: false }, required: ['a'] }],
  ])('refuses %s', (_, schema) => {
    expect(() => schemaValue(schema, mulberry32(1))).toThrow(SchemaError);
  });

  it('fills a required property the schema does not describe with words', () => {
    expect(schemaValue({ type: 'object', required: ['x'] }, mulberry32(1))).toEqual({
      x: expect.any(String),
    });
  });
});
