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

class Generator {
  constructor(
    private readonly root: unknown,
    private readonly random: () => number,
  ) {}

  value(schema: unknown, refDepth: number): unknown {
    if (schema === true) return this.words(1, 3);
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new SchemaError(`a schema must be an object or a boolean, got ${JSON.stringify(schema)}`);
    }
    const s = schema as Schema;
    if (typeof s.$ref === 'string') return this.value(this.resolve(s.$ref, refDepth), refDepth + 1);
    if ('const' in s) return s.const;
    if (s.enum !== undefined) {
      if (!Array.isArray(s.enum) || s.enum.length === 0)
        throw new SchemaError('enum must be a non-empty array');
      return this.pick(s.enum);
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      if (s[key] !== undefined) {
        const branches = s[key];
        if (!Array.isArray(branches) || branches.length === 0) {
          throw new SchemaError(`${key} must be a non-empty array`);
        }
        return this.value(this.pick(branches), refDepth);
      }
    }
    if (s.allOf !== undefined) return this.value(this.merge(s, refDepth), refDepth);
    switch (this.typeOf(s)) {
      case 'string':
        return this.string(s);
      case 'integer':
        return this.integer(s);
      case 'number':
        return this.number(s);
      case 'boolean':
        return this.random() < 0.5;
      case 'null':
        return null;
      case 'array':
        return this.array(s, refDepth);
      case 'object':
        return this.object(s, refDepth);
      default:
        // No type and nothing else to go by: any JSON value will do.
        return this.words(1, 3);
    }
  }

  /** The type to produce: the schema's (one of its list), or the one its keywords imply. */
  typeOf(s: Schema): JsonType | undefined {
    const type = s.type;
    if (type !== undefined) {
      const list = Array.isArray(type) ? type : [type];
      if (list.length === 0 || list.some((t) => !TYPES.includes(t as JsonType))) {
        throw new SchemaError(`unknown type ${JSON.stringify(type)}`);
      }
      return this.pick(list) as JsonType;
    }
    if (s.properties !== undefined || s.required !== undefined) return 'object';
    if (s.items !== undefined || s.prefixItems !== undefined) return 'array';
    return undefined;
  }

  resolve(ref: string, refDepth: number): unknown {
    if (refDepth >= MAX_REF_DEPTH) throw new SchemaError(`$ref ${ref} recurses without end`);
    if (!ref.startsWith('#')) throw new SchemaError(`only local $refs are supported, got ${ref}`);
    let target: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      target = typeof target === 'object' && target !== null ? (target as Schema)[part] : undefined;
      if (target === undefined) throw new SchemaError(`$ref ${ref} points nowhere`);
    }
    return target;
  }

  /** `allOf` folded into one schema: properties and required lists joined, other keywords the last's. */
  merge(s: Schema, refDepth: number): Schema {
    if (!Array.isArray(s.allOf) || s.allOf.length === 0)
      throw new SchemaError('allOf must be a non-empty array');
    const { allOf, ...rest } = s;
    let merged: Schema = {};
    for (const part of [...(allOf as unknown[]), rest]) {
      let branch = part as Schema;
      if (typeof branch?.$ref === 'string') branch = this.resolve(branch.$ref, refDepth) as Schema;
      if (typeof branch !== 'object' || branch === null) throw new SchemaError('allOf must hold schemas');
      merged = {
        ...merged,
        ...branch,
        properties: { ...(merged.properties as Schema), ...(branch.properties as Schema) },
        required: [...((merged.required as string[]) ?? []), ...((branch.required as string[]) ?? [])],
      };
    }
    return merged;
  }

  string(s: Schema): string {
    const min = this.bound(s, 'minLength', 0);
    const max = this.bound(s, 'maxLength', Number.POSITIVE_INFINITY);
    if (min > max) throw new SchemaError('minLength is above maxLength');
    let text = this.formatted(s.format) ?? this.words(1, 4);
    while (text.length < min) text += ` ${this.words(1, 1)}`;
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
    const step = typeof s.multipleOf === 'number' && Number.isInteger(s.multipleOf) ? s.multipleOf : 1;
    const [low, high] = this.range(s);
    const from = Math.ceil(Math.ceil(low) / step);
    const to = Math.floor(Math.floor(high) / step);
    if (from > to) throw new SchemaError('no integer fits minimum and maximum');
    return (from + Math.floor(this.random() * (to - from + 1))) * step;
  }

  number(s: Schema): number {
    const [low, high] = this.range(s);
    // Two decimals, inside the bounds (exclusive ones included).
    const from = Math.ceil(low * 100);
    const to = Math.floor(high * 100);
    if (from > to) throw new SchemaError('no number fits minimum and maximum');
    return (from + Math.floor(this.random() * (to - from + 1))) / 100;
  }

  /** The inclusive range a number must fall in; without bounds 0 to 100. */
  range(s: Schema): [number, number] {
    const number = (key: string): number | undefined => {
      const value = s[key];
      if (value === undefined || typeof value === 'boolean') return undefined;
      if (typeof value !== 'number') throw new SchemaError(`${key} must be a number`);
      return value;
    };
    const nudge = 0.01;
    const exclusiveMin =
      number('exclusiveMinimum') ?? (s.exclusiveMinimum === true ? number('minimum') : undefined);
    const exclusiveMax =
      number('exclusiveMaximum') ?? (s.exclusiveMaximum === true ? number('maximum') : undefined);
    let low = exclusiveMin !== undefined ? exclusiveMin + nudge : number('minimum');
    let high = exclusiveMax !== undefined ? exclusiveMax - nudge : number('maximum');
    low ??= high !== undefined ? Math.min(0, high - 100) : 0;
    high ??= low + 100;
    return [low, high];
  }

  array(s: Schema, refDepth: number): unknown[] {
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
    const items = Array.isArray(s.items) ? undefined : s.items;
    const min = this.bound(s, 'minItems', 0);
    const max = this.bound(s, 'maxItems', items === false ? prefix.length : Number.POSITIVE_INFINITY);
    if (min > max) throw new SchemaError('minItems is above maxItems');
    // Past the recursion limit an array is as short as it may be, so a recursive schema ends.
    const wanted = refDepth >= MAX_REF_DEPTH / 2 ? 0 : 1 + Math.floor(this.random() * 3);
    const length = Math.min(Math.max(wanted, min, 0), max);
    const result: unknown[] = [];
    for (let i = 0; i < length; i++) {
      result.push(this.value(i < prefix.length ? prefix[i] : (items ?? true), refDepth));
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
    const result: Record<string, unknown> = {};
    const deep = refDepth >= MAX_REF_DEPTH / 2;
    for (const [name, property] of Object.entries(properties as Schema)) {
      // Past the recursion limit only what is required, so a recursive schema ends.
      if (property === false || (deep && !required.includes(name))) continue;
      result[name] = this.value(property, refDepth);
    }
    for (const name of required as string[]) {
      if (!(name in result)) {
        if ((properties as Schema)[name] === false) throw new SchemaError(`required ${name} is forbidden`);
        result[name] = this.words(1, 2);
      }
    }
    return result;
  }

  bound(s: Schema, key: string, fallback: number): number {
    const value = s[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new SchemaError(`${key} must be a non-negative integer`);
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
