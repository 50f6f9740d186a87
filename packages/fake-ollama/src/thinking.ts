import type { ResolvedModel } from './options.js';

/** How hard a model thinks: `true` is `medium`, as Ollama's `ThinkValue.String()` says. */
export type ThinkLevel = 'low' | 'medium' | 'high' | 'max';

const LEVELS: readonly string[] = ['low', 'medium', 'high', 'max'];

/** Tokens of thinking per token of a full answer, by level. */
const LENGTH: Record<ThinkLevel, number> = { low: 0.5, medium: 1, high: 2, max: 3 };

/**
 * Reads `think` as Ollama's `api.ThinkValue` does (api/types.go on main): a boolean, or one of the levels
 * `"low"`, `"medium"`, `"high"`, `"max"`; `null` or missing is "not set". Anything else is Go's 400.
 */
export function readThink(value: unknown): { think: boolean | ThinkLevel | undefined } | { error: string } {
  if (value === undefined || value === null) return { think: undefined };
  if (typeof value === 'boolean') return { think: value };
  if (typeof value === 'string') {
    if (LEVELS.includes(value)) return { think: value as ThinkLevel };
    return {
      error: `invalid think value: ${JSON.stringify(value)} (must be "high", "medium", "low", "max", true, or false)`,
    };
  }
  return { error: 'think must be a boolean or string ("high", "medium", "low", "max", true, or false)' };
}

/**
 * Whether a request thinks, and how hard, or the refusal Ollama gives. As in ChatHandler and
 * GenerateHandler of server/routes.go: a thinking model thinks unless told `think: false` (unset means
 * on, since Ollama 0.12.4); another model refuses any `think` but `false` with 400
 * `"<model>" does not support thinking`, naming the model as the request did.
 */
export function thinkLevel(
  model: ResolvedModel,
  requestName: string,
  think: boolean | ThinkLevel | undefined,
): { level: ThinkLevel | undefined } | { error: string } {
  if (model.capabilities.includes('thinking')) {
    if (think === false) return { level: undefined };
    return { level: think === undefined || think === true ? 'medium' : think };
  }
  if (think === undefined || think === false) return { level: undefined };
  return { error: `${JSON.stringify(requestName)} does not support thinking` };
}

/** Tokens of thinking at `level` for an answer of `tokensPerAnswer` tokens (at least one). */
export function thinkingTokenCount(level: ThinkLevel, tokensPerAnswer: number): number {
  return Math.max(1, Math.round(tokensPerAnswer * LENGTH[level]));
}
