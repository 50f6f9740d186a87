/**
 * Formats JSON the way the repository's formatter (Biome) does, so a generated file passes `biome check`
 * untouched: two-space indent, objects one key per line, and arrays of plain values (numbers, strings, …) on
 * one line when that line fits in `lineWidth` columns.
 */
export function formatJson(value: unknown, lineWidth = 110): string {
  return `${render(value, 0, 0, 0, lineWidth)}\n`;
}

function isFlat(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isFlat);
  return value === null || typeof value !== 'object';
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  return JSON.stringify(value);
}

/**
 * `used` is the width already taken on the value's first line (indent and key), `after` what follows the
 * value on its line (a comma).
 */
function render(value: unknown, indent: number, used: number, after: number, lineWidth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = inline(value);
    if (isFlat(value) && used + flat.length + after <= lineWidth) return flat;
    const items = value.map(
      (item, index) =>
        `${inner}${render(item, indent + 2, indent + 2, index < value.length - 1 ? 1 : 0, lineWidth)}`,
    );
    return `[\n${items.join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([name, item], index) => {
    const prefix = `${JSON.stringify(name)}: `;
    const comma = index < entries.length - 1 ? 1 : 0;
    return `${inner}${prefix}${render(item, indent + 2, indent + 2 + prefix.length, comma, lineWidth)}`;
  });
  return `{\n${lines.join(',\n')}\n${close}}`;
}
