import { WORDS } from './text.js';

/** A JSON schema the fake cannot produce a value for: Ollama's `invalid JSON schema in format`. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

type Schema = Record<string, unknown>;
const TYPES = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'] as const;
type JsonType = (typeof TYPES)[number];

/** How many `$ref`s deep a value may go: a recursive schema ends there with its smallest value. */
const MAX_REF_DEPTH = 8;

/**
 * The limits that keep one request's `format` from tying up the server (generation is synchronous, so a
 * schema that asks for a huge value would stop every other request). Past them a schema is refused with a
 * {@link SchemaError} (Ollama's `invalid JSON schema in format`); each is far beyond what a real model
 * answers:
 * - `minLength` and `minItems` of at most {@link SCHEMA_LIMITS.length} (a larger `maxLength`/`maxItems`
 *   is fine: it is an upper bound, and values are generated short);
 * - lists in a schema (`enum`, `anyOf`/`oneOf`/`allOf`, `prefixItems`, `required`, `type`) and
 *   `properties` of at most {@link SCHEMA_LIMITS.entries} entries;
 * - schemas nested at most {@link SCHEMA_LIMITS.depth} deep while a value is made (`$ref`s, `allOf`
 *   and the branches taken count too), and at most {@link SCHEMA_LIMITS.refs} `$ref`s expanded;
 * - a value of at most {@link SCHEMA_LIMITS.valueChars} characters of JSON, and at most
 *   {@link SCHEMA_LIMITS.steps} steps of work to make it.
 */
export const SCHEMA_LIMITS = Object.freeze({
  length: 10_000,
  entries: 10_000,
  depth: 64,
  refs: 10_000,
  valueChars: 100_000,
  steps: 200_000,
});

/**
 * A value that validates against `schema` (JSON Schema: `type` (one or a list), `properties`, `required`,
 * `items`, `prefixItems`, `enum`, `const`, `anyOf`/`oneOf`/`allOf`, local `$ref`s into `$defs` or
 * `definitions`, `minimum`/`maximum` (and the exclusive ones), `multipleOf` on integers,
 * `minLength`/`maxLength`, `minItems`/`maxItems`, and the `date`, `time`, `date-time`, `uuid` and `email`
 * string formats), drawn from `random`, so the same seed gives the same value. Every declared property is
 * filled in, in the schema's order; `pattern` and `additionalProperties` are not looked at. Throws a
 * {@link SchemaError} for a schema that is malformed or that no value fits.
 */
export function schemaValue(schema: unknown, random: () => number): unknown {
  return new Generator(schema, random).value(schema, 0);
}

/** What a value's JSON text costs: its length (a string or number measured as JSON writes it). */
const jsonLength = (value: unknown): number => JSON.stringify(value)?.length ?? 4;

class Generator {
  /** How deep `value` calls are nested now. */
  private depth = 0;
  private refs = 0;
  private steps = 0;
  /** The JSON length of what has been made so far. */
  private chars = 0;
  /** Each `properties` object's entries, and each `allOf` schema folded, read once however often used. */
  private readonly entries = new WeakMap<object, [string, unknown][]>();
  private readonly merged = new WeakMap<Schema, { merged: Schema; refs: number }>();

  constructor(
    private readonly root: unknown,
    private readonly random: () => number,
  ) {}

  value(schema: unknown, refDepth: number): unknown {
    if (this.depth >= SCHEMA_LIMITS.depth) {
      throw new SchemaError(`the schema nests more than ${SCHEMA_LIMITS.depth} deep`);
    }
    this.work(1);
    this.depth++;
    try {
      return this.made(schema, refDepth);
    } finally {
      this.depth--;
    }
  }

  made(schema: unknown, refDepth: number): unknown {
    if (schema === true) return this.charged(this.words(1, 3));
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      const kind = Array.isArray(schema) ? 'an array' : schema === null ? 'null' : typeof schema;
      throw new SchemaError(`a schema must be an object or a boolean, got ${kind}`);
    }
    const s = schema as Schema;
    if (typeof s.$ref === 'string') return this.value(this.resolve(s.$ref, refDepth), refDepth + 1);
    if ('const' in s) return this.charged(s.const);
    if (s.enum !== undefined) return this.charged(this.pick(this.list(s, 'enum')));
    for (const key of ['anyOf', 'oneOf'] as const) {
      if (s[key] !== undefined) return this.value(this.pick(this.list(s, key)), refDepth);
    }
    if (s.allOf !== undefined) {
      const { merged, refs } = this.merge(s, refDepth);
      return this.value(merged, refDepth + refs);
    }
    switch (this.typeOf(s)) {
      case 'string':
        return this.charged(this.string(s));
      case 'integer':
        return this.charged(this.integer(s));
      case 'number':
        return this.charged(this.number(s));
      case 'boolean':
        return this.charged(this.random() < 0.5);
      case 'null':
        return this.charged(null);
      case 'array':
        return this.array(s, refDepth);
      case 'object':
        return this.object(s, refDepth);
      default:
        // No type and nothing else to go by: any JSON value will do.
        return this.charged(this.words(1, 3));
    }
  }

  /** `s[key]` as a non-empty list of at most {@link SCHEMA_LIMITS.entries} entries. */
  list(s: Schema, key: string): unknown[] {
    const value = s[key];
    if (!Array.isArray(value) || value.length === 0)
      throw new SchemaError(`${key} must be a non-empty array`);
    if (value.length > SCHEMA_LIMITS.entries) {
      throw new SchemaError(`${key} has more than ${SCHEMA_LIMITS.entries} entries`);
    }
    return value;
  }

  /** Counts `steps` of work, refusing a schema that takes more than {@link SCHEMA_LIMITS.steps}. */
  work(steps: number): void {
    this.steps += steps;
    if (this.steps > SCHEMA_LIMITS.steps) throw new SchemaError('the schema takes too long to fill');
  }

  /** Counts `chars` of the value's JSON, refusing a value longer than {@link SCHEMA_LIMITS.valueChars}. */
  charge(chars: number): void {
    this.chars += chars;
    if (this.chars > SCHEMA_LIMITS.valueChars) {
      throw new SchemaError(`the value would be longer than ${SCHEMA_LIMITS.valueChars} characters`);
    }
  }

  charged<T>(value: T): T {
    this.charge(jsonLength(value));
    return value;
  }

  /** The type to produce: the schema's (one of its list), or the one its keywords imply. */
  typeOf(s: Schema): JsonType | undefined {
    const type = s.type;
    if (type !== undefined) {
      const list = Array.isArray(type) ? type : [type];
      if (
        list.length === 0 ||
        list.length > TYPES.length ||
        list.some((t) => !TYPES.includes(t as JsonType))
      ) {
        throw new SchemaError(`unknown type ${JSON.stringify(type)}`);
      }
      return this.pick(list) as JsonType;
    }
    // Keywords that only apply to one type imply it, so the value honours them.
    const has = (...keys: string[]): boolean => keys.some((key) => s[key] !== undefined);
    if (has('properties', 'required')) return 'object';
    if (has('items', 'prefixItems', 'minItems', 'maxItems')) return 'array';
    if (has('minLength', 'maxLength', 'format')) return 'string';
    if (has('minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf')) return 'number';
    return undefined;
  }

  resolve(ref: string, refDepth: number): unknown {
    if (refDepth >= MAX_REF_DEPTH) throw new SchemaError(`$ref ${ref} recurses without end`);
    if (!ref.startsWith('#')) throw new SchemaError(`only local $refs are supported, got ${ref}`);
    if (++this.refs > SCHEMA_LIMITS.refs) {
      throw new SchemaError(`the schema expands more than ${SCHEMA_LIMITS.refs} $refs`);
    }
    let target: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      this.work(1);
      const part = decodePointer(raw);
      // Own keys only: `#/__proto__` or `#/constructor` points nowhere, not into Object.prototype.
      target =
        typeof target === 'object' && target !== null && Object.hasOwn(target, part)
          ? (target as Schema)[part]
          : undefined;
      if (target === undefined) throw new SchemaError(`$ref ${ref} points nowhere`);
    }
    return target;
  }

  /**
   * `allOf` folded into one schema: properties and required lists joined, other keywords the last's;
   * with how many `$ref`s it followed, so a value made from it goes that much deeper.
   */
  merge(s: Schema, refDepth: number): { merged: Schema; refs: number } {
    const known = this.merged.get(s);
    if (known !== undefined) {
      // As if its $refs were followed again: as deep, and counted.
      if (known.refs > 0 && refDepth + known.refs > MAX_REF_DEPTH) {
        throw new SchemaError('an allOf $ref recurses without end');
      }
      this.refs += known.refs;
      if (this.refs > SCHEMA_LIMITS.refs) {
        throw new SchemaError(`the schema expands more than ${SCHEMA_LIMITS.refs} $refs`);
      }
      return known;
    }
    const { allOf, ...rest } = s;
    const properties: Schema = {};
    const required: unknown[] = [];
    let merged: Schema = {};
    let refs = 0;
    for (const part of [...this.list(s, 'allOf'), rest]) {
      let branch = part as Schema;
      if (typeof branch?.$ref === 'string') {
        branch = this.resolve(branch.$ref, refDepth + refs) as Schema;
        refs++;
      }
      if (typeof branch !== 'object' || branch === null) throw new SchemaError('allOf must hold schemas');
      this.work(Object.keys(branch).length);
      const own = branch.properties;
      const needed = branch.required;
      if (own !== undefined && (typeof own !== 'object' || own === null || Array.isArray(own))) {
        throw new SchemaError('properties must be an object');
      }
      if (own !== undefined) {
        const entries = this.entriesOf(own);
        this.work(entries.length + 1);
        for (const [name, property] of entries) defineOwn(properties, name, property);
      }
      if (needed !== undefined && !Array.isArray(needed)) {
        throw new SchemaError('required must be an array of strings');
      }
      if (needed !== undefined) {
        this.work(needed.length);
        for (const name of needed) required.push(name);
      }
      merged = { ...merged, ...branch };
    }
    merged.properties = properties;
    merged.required = required;
    const folded = { merged, refs };
    this.merged.set(s, folded);
    return folded;
  }

  /** The entries of a `properties` object, read once. */
  entriesOf(properties: object): [string, unknown][] {
    let entries = this.entries.get(properties);
    if (entries === undefined) {
      entries = Object.entries(properties);
      this.entries.set(properties, entries);
    }
    return entries;
  }

  string(s: Schema): string {
    const min = this.bound(s, 'minLength', 0, true);
    const max = this.bound(s, 'maxLength', Number.POSITIVE_INFINITY);
    if (min > max) throw new SchemaError('minLength is above maxLength');
    let text = this.formatted(s.format) ?? this.words(1, 4);
    if (text.length < min) text = text.padEnd(min, ` ${this.words(1, 3)}`);
    if (text.length > max) text = text.slice(0, max).trimEnd().padEnd(Math.min(min, max), 'a');
    return text;
  }

  /** A string in one of the formats Ollama's grammar knows, or `undefined` for any other. */
  formatted(format: unknown): string | undefined {
    const n = (limit: number): string => String(Math.floor(this.random() * limit));
    const two = (value: string): string => value.padStart(2, '0');
    const date = (): string =>
      `20${two(n(30))}-${two(String(1 + Number(n(12))))}-${two(String(1 + Number(n(28))))}`;
    const time = (): string => `${two(n(24))}:${two(n(60))}:${two(n(60))}`;
    switch (format) {
      case 'date':
        return date();
      case 'time':
        return `${time()}Z`;
      case 'date-time':
        return `${date()}T${time()}Z`;
      case 'email':
        return `${this.words(1, 1)}@example.com`;
      case 'uuid': {
        const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
      }
      default:
        return undefined;
    }
  }

  integer(s: Schema): number {
    const multipleOf = this.multipleOf(s);
    const step = Number.isInteger(multipleOf) ? multipleOf : 1;
    const [low, high] = this.range(s);
    const from = Math.ceil(Math.ceil(low) / step);
    const to = Math.floor(Math.floor(high) / step);
    if (from > to) throw new SchemaError('no integer fits minimum and maximum');
    const value = pickBetween(from, to, this.random) * step;
    if (!Number.isFinite(value) || value < low || value > high) {
      throw new SchemaError('no integer fits minimum and maximum');
    }
    return value;
  }

  number(s: Schema): number {
    this.multipleOf(s);
    const [low, high] = this.range(s);
    if (low > high) throw new SchemaError('no number fits minimum and maximum');
    // Two decimals, inside the bounds (exclusive ones included), while hundredths are exact.
    if (Math.max(Math.abs(low), Math.abs(high)) < 1e13) {
      const from = Math.ceil(low * 100);
      const to = Math.floor(high * 100);
      if (from > to) throw new SchemaError('no number fits minimum and maximum');
      return pickBetween(from, to, this.random) / 100;
    }
    // Huge bounds: a point between them, weighed so that nothing overflows.
    const r = this.random();
    return Math.min(Math.max(low * (1 - r) + high * r, low), high);
  }

  /** `multipleOf`, 1 when there is none: a positive finite number, else the schema is refused. */
  multipleOf(s: Schema): number {
    const value = s.multipleOf;
    if (value === undefined) return 1;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new SchemaError('multipleOf must be a number above 0');
    }
    return value;
  }

  /** The inclusive range a number must fall in; without bounds 0 to 100. */
  range(s: Schema): [number, number] {
    const number = (key: string): number | undefined => {
      const value = s[key];
      if (value === undefined || typeof value === 'boolean') return undefined;
      // 1e999 reads as Infinity: a bound no value can be placed against.
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SchemaError(`${key} must be a finite number`);
      }
      return value;
    };
    const exclusiveMin =
      number('exclusiveMinimum') ?? (s.exclusiveMinimum === true ? number('minimum') : undefined);
    const exclusiveMax =
      number('exclusiveMaximum') ?? (s.exclusiveMaximum === true ? number('maximum') : undefined);
    let low = exclusiveMin !== undefined ? past(exclusiveMin, 1) : number('minimum');
    let high = exclusiveMax !== undefined ? past(exclusiveMax, -1) : number('maximum');
    low ??= high !== undefined ? Math.min(0, high - 100) : 0;
    high ??= low + 100;
    return [low, high];
  }

  array(s: Schema, refDepth: number): unknown[] {
    const prefix = Array.isArray(s.prefixItems)
      ? this.list(s, 'prefixItems')
      : Array.isArray(s.items) && s.items.length > 0
        ? this.list(s, 'items')
        : [];
    const items = Array.isArray(s.items) ? undefined : s.items;
    const min = this.bound(s, 'minItems', 0, true);
    const max = this.bound(s, 'maxItems', items === false ? prefix.length : Number.POSITIVE_INFINITY);
    if (min > max) throw new SchemaError('minItems is above maxItems');
    // Past the recursion limit an array is as short as it may be, so a recursive schema ends.
    const wanted = refDepth >= MAX_REF_DEPTH / 2 ? 0 : 1 + Math.floor(this.random() * 3);
    const length = Math.min(Math.max(wanted, min, 0), max);
    this.charge(length === 0 ? 2 : length + 1);
    const result: unknown[] = [];
    for (let i = 0; i < length; i++) {
      result.push(this.value(i < prefix.length ? prefix[i] : items === undefined ? true : items, refDepth));
    }
    return result;
  }

  object(s: Schema, refDepth: number): Record<string, unknown> {
    const properties = s.properties ?? {};
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      throw new SchemaError('properties must be an object');
    }
    const required = s.required ?? [];
    if (!Array.isArray(required) || required.some((name) => typeof name !== 'string')) {
      throw new SchemaError('required must be an array of strings');
    }
    const entries = this.entriesOf(properties as Schema);
    for (const [key, count] of [
      ['properties', entries.length],
      ['required', required.length],
    ] as const) {
      if (count > SCHEMA_LIMITS.entries) {
        throw new SchemaError(`${key} has more than ${SCHEMA_LIMITS.entries} entries`);
      }
    }
    this.work(entries.length + required.length);
    const wanted = new Set(required as string[]);
    // Built as own properties, so `__proto__` is a key like any other (an assignment would set the
    // prototype instead, and JSON would leave it out).
    const result: Record<string, unknown> = {};
    const add = (name: string, value: () => unknown): void => {
      this.charge(jsonLength(name) + 2);
      defineOwn(result, name, value());
    };
    this.charge(1);
    const deep = refDepth >= MAX_REF_DEPTH / 2;
    for (const [name, property] of entries) {
      // Past the recursion limit only what is required, so a recursive schema ends.
      if (property === false || (deep && !wanted.has(name))) continue;
      add(name, () => this.value(property, refDepth));
    }
    for (const name of wanted) {
      if (!Object.hasOwn(result, name)) {
        if (Object.hasOwn(properties, name) && (properties as Schema)[name] === false) {
          throw new SchemaError(`required ${name} is forbidden`);
        }
        add(name, () => this.charged(this.words(1, 2)));
      }
    }
    return result;
  }

  /**
   * A non-negative integer keyword; a lower bound (`minLength`, `minItems`) above
   * {@link SCHEMA_LIMITS.length} is refused, as the fake would have to make a value that long.
   */
  bound(s: Schema, key: string, fallback: number, lower = false): number {
    const value = s[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new SchemaError(`${key} must be a non-negative integer`);
    }
    if (lower && value > SCHEMA_LIMITS.length) {
      throw new SchemaError(`${key} is above ${SCHEMA_LIMITS.length}`);
    }
    return value;
  }

  words(min: number, max: number): string {
    const count = min + Math.floor(this.random() * (max - min + 1));
    return Array.from({ length: count }, () => this.pick(WORDS)).join(' ');
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }
}

/** A JSON-pointer segment of a `$ref`, percent-decoded then unescaped; a malformed escape is refused. */
function decodePointer(raw: string): string {
  let part: string;
  try {
    part = decodeURIComponent(raw);
  } catch {
    throw new SchemaError(`$ref segment ${raw} is not a valid URI escape`);
  }
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Sets `object[name]` as an own, enumerable property, `__proto__` included. */
function defineOwn(object: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

/** An integer from `from` to `to` (both integers, `from <= to`), however far apart they are. */
function pickBetween(from: number, to: number, random: () => number): number {
  // Within a window of a thousand near zero, so a huge range neither overflows nor loses the bounds.
  const start = Math.max(from, Math.min(to, 0) - 500);
  const end = Math.min(to, start + 1000);
  return Math.min(start + Math.floor(random() * (end - start + 1)), end);
}

/** A bound just past an exclusive one (`direction` 1 above, -1 below): 0.01 away, or the next double. */
function past(bound: number, direction: 1 | -1): number {
  const nudged = bound + direction * 0.01;
  if (nudged !== bound) return nudged;
  const bits = new Float64Array([bound]);
  const view = new BigInt64Array(bits.buffer);
  // Away from zero means a larger magnitude; towards zero a smaller one.
  view[0]! += bound > 0 === direction > 0 ? 1n : -1n;
  return bits[0]!;
}
