/**
 * A small JSON Schema validator for tests (types, properties, required, additionalProperties: false,
 * items, prefixItems, enum, const, anyOf/oneOf/allOf, local $refs, numeric and length bounds, string
 * formats date/date-time/uuid/email). Returns the problems found, `[]` when `value` fits.
 */
export function schemaProblems(
  value: unknown,
  schema: unknown,
  root: unknown = schema,
  path = '$',
): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: no value is allowed`];
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') {
    const target = s.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], root);
    return schemaProblems(value, target, root, path);
  }
  const problems: string[] = [];
  const fail = (message: string): void => {
    problems.push(`${path}: ${message}`);
  };
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value))
    fail(`is not ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((b) => schemaProblems(value, b, root, path).length === 0)) {
    fail('fits no anyOf branch');
  }
  if (
    Array.isArray(s.oneOf) &&
    s.oneOf.filter((b) => schemaProblems(value, b, root, path).length === 0).length !== 1
  ) {
    fail('fits not exactly one oneOf branch');
  }
  if (Array.isArray(s.allOf)) for (const b of s.allOf) problems.push(...schemaProblems(value, b, root, path));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const actual =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'array'
          : typeof value === 'number' && Number.isInteger(value)
            ? 'integer'
            : typeof value;
    const fits = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!fits) fail(`is ${actual}, not ${types.join(' or ')}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail(`${value} < minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) fail(`${value} > maximum ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) fail('<= exclusiveMinimum');
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) fail('>= exclusiveMaximum');
    if (typeof s.multipleOf === 'number' && value % s.multipleOf !== 0)
      fail(`not a multiple of ${s.multipleOf}`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) fail(`longer than ${s.maxLength}`);
    const formats: Record<string, RegExp> = {
      date: /^\d{4}-\d{2}-\d{2}$/,
      'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    };
    const format = formats[s.format as string];
    if (format !== undefined && !format.test(value)) fail(`is not a ${s.format as string}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
    value.forEach((item, i) => {
      problems.push(...schemaProblems(item, i < prefix.length ? prefix[i] : s.items, root, `${path}[${i}]`));
    });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    for (const name of (s.required as string[] | undefined) ?? []) {
      if (!(name in object)) fail(`lacks required ${name}`);
    }
    for (const [name, item] of Object.entries(object)) {
      if (name in properties)
        problems.push(...schemaProblems(item, properties[name], root, `${path}.${name}`));
      else if (s.additionalProperties === false) fail(`has unexpected ${name}`);
    }
  }
  return problems;
}
