/** A value `toYaml()` writes: strings, numbers, booleans, lists and maps (undefined map values are left out). */
export type YamlValue =
  | string
  | number
  | boolean
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue | undefined };

const PLAIN = /^[A-Za-z_(][A-Za-z0-9_ .,:/()=<>*+\-[\]{}"~!|$%]*$/;
const DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

/**
 * Writes `value` as block-style YAML, the way rule files are usually written: strings plain when that is
 * unambiguous (`for: 5m`, `severity: warning`), single-quoted otherwise (PromQL with `"` and `{`, Go
 * templates), double-quoted only when they hold a line break. `header` lines become `#` comments on top.
 * Small on purpose: the rule files are the only YAML this package writes, and a test reads it back with a
 * full YAML parser.
 */
export function toYaml(value: YamlValue, header: readonly string[] = []): string {
  const comments = header.map((line) => (line === '' ? '#' : `# ${line}`));
  return `${[...comments, ...block(value, 0)].join('\n')}\n`;
}

/** A string as a YAML scalar. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  if (value.includes('\n')) return JSON.stringify(value);
  const plain =
    (PLAIN.test(value) || DURATION.test(value)) &&
    !RESERVED.test(value) &&
    !value.endsWith(' ') &&
    !value.endsWith(':') &&
    !value.includes(': ') &&
    !value.includes(' #');
  return plain ? value : `'${value.replaceAll("'", "''")}'`;
}

function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : yamlScalar(name);
}

function isScalar(value: YamlValue): value is string | number | boolean {
  return typeof value !== 'object';
}

function block(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (isScalar(value)) return [`${pad}${yamlScalar(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return (value as readonly YamlValue[]).flatMap((item) => {
      const lines = block(item, indent + 2);
      return [`${pad}- ${lines[0]!.slice(indent + 2)}`, ...lines.slice(1)];
    });
  }
  const entries = Object.entries(value).filter(
    (entry): entry is [string, YamlValue] => entry[1] !== undefined,
  );
  if (entries.length === 0) return [`${pad}{}`];
  return entries.flatMap(([name, item]) => {
    if (isScalar(item)) return [`${pad}${key(name)}: ${yamlScalar(item)}`];
    if (Array.isArray(item) && item.length === 0) return [`${pad}${key(name)}: []`];
    if (!Array.isArray(item) && Object.keys(item).length === 0) return [`${pad}${key(name)}: {}`];
    return [`${pad}${key(name)}:`, ...block(item, indent + 2)];
  });
}
