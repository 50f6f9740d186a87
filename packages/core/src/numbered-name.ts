import { MAX_NAME_LENGTH } from './errors.js';

/**
 * The `n`th name for instances that share a default name: `name` itself for the first, then `name_2`,
 * `name_3`, …, shortened so the result stays within {@link MAX_NAME_LENGTH} (names become label values).
 *
 * @example
 * for (let n = 1; taken.has(numberedName('ollama', n)); n++);
 */
export function numberedName(name: string, n: number): string {
  if (n <= 1) return name;
  const suffix = `_${n}`;
  return `${name.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}
