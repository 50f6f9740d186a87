/** A model name as Ollama reads it: the form `ollama list` shows, and a key to compare names by. */
export interface ModelName {
  /** The shortest form, e.g. `llama3.2:latest` or `me/model:7b` (default host and namespace left out). */
  readonly display: string;
  /** `display` in lower case: Ollama matches names without regard to case. */
  readonly key: string;
}

const DEFAULT_HOST = 'registry.ollama.ai';
const DEFAULT_NAMESPACE = 'library';
// Ollama's name parts: start with a letter, digit or underscore, then also dots and dashes (and a host may
// carry a port).
const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}(:\d+)?$/;

/**
 * Parses `[host/][namespace/]model[:tag]` as Ollama does, filling in `registry.ollama.ai`, `library` and
 * `latest`, so `llama3.2`, `library/llama3.2:latest` and `LLAMA3.2` all name the same model. Returns
 * `undefined` for a name Ollama would call invalid (an empty or oddly spelled part).
 */
export function parseModelName(raw: string): ModelName | undefined {
  const name = raw.trim();
  const colon = name.lastIndexOf(':');
  const slash = name.lastIndexOf('/');
  const hasTag = colon > slash;
  const tag = hasTag ? name.slice(colon + 1) : 'latest';
  const parts = (hasTag ? name.slice(0, colon) : name).split('/');
  if (parts.length > 3 || !PART.test(tag)) return undefined;
  const model = parts.at(-1)!;
  const namespace = parts.length >= 2 ? parts.at(-2)! : DEFAULT_NAMESPACE;
  const host = parts.length === 3 ? parts[0]! : DEFAULT_HOST;
  if (!PART.test(model) || !PART.test(namespace) || !HOST.test(host)) return undefined;
  const defaultHost = host.toLowerCase() === DEFAULT_HOST;
  const path =
    defaultHost && namespace.toLowerCase() === DEFAULT_NAMESPACE
      ? model
      : defaultHost
        ? `${namespace}/${model}`
        : `${host}/${namespace}/${model}`;
  const display = `${path}:${tag}`;
  return { display, key: display.toLowerCase() };
}

/**
 * The full name Ollama gives a model in some messages (`model.Name`, e.g.
 * `registry.ollama.ai/library/llama3.2:latest`), for a name {@link parseModelName} accepts.
 */
export function fullModelName(raw: string): string {
  const display = parseModelName(raw)?.display ?? raw;
  const colon = display.lastIndexOf(':');
  const parts = display.slice(0, colon).split('/');
  const path = parts.length === 1 ? `${DEFAULT_NAMESPACE}/${parts[0]}` : parts.join('/');
  return `${parts.length === 3 ? '' : `${DEFAULT_HOST}/`}${path}${display.slice(colon)}`;
}
