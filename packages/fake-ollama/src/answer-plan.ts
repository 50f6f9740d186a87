import { seedFrom } from './prng.js';
import { type Format, formatTokens } from './structured-output.js';
import { answerTokens, streamTokens } from './text.js';
import { type ThinkLevel, thinkingTokenCount } from './thinking.js';
import { type ToolCall, toolCallText } from './tool-calls.js';

/** What a generated token is: thinking, the answer's content, or part of a tool call's text. */
export type TokenKind = 'thinking' | 'content' | 'tool';

/** One generated token; the last token of a tool call's text carries the parsed call. */
export interface PlannedToken {
  readonly text: string;
  readonly kind: TokenKind;
  readonly call?: ToolCall;
}

/** Every token of an answer in the order a model generates them, and why it ended. */
export interface AnswerPlan {
  readonly tokens: readonly PlannedToken[];
  readonly doneReason: 'stop' | 'length';
}

/** What decides an answer's tokens. */
export interface AnswerInputs {
  /** The request's seed: the server's, the request's `options.seed`, the model and the conversation. */
  readonly seed: number;
  readonly tokensPerAnswer: number;
  /** The request's `options.num_predict`, read as Ollama reads it. */
  readonly numPredict: unknown;
  /** How hard the model thinks first, or `undefined` for no thinking. */
  readonly thinking: ThinkLevel | undefined;
  readonly format: Format;
  /** The calls to make instead of a text answer (empty for a text answer). */
  readonly toolCalls: readonly ToolCall[];
}

/**
 * Plans an answer: thinking first (as Ollama streams `thinking` before `content`), then the tool calls'
 * text or the content (plain words, the `format: "json"` object, or JSON fitting the schema). A text
 * answer is the same with and without thinking. `num_predict` > 0 cuts the whole (thinking included)
 * short with `done_reason: "length"`. Throws a `SchemaError` for a schema no value fits.
 */
export function planAnswer(inputs: AnswerInputs): AnswerPlan {
  const { seed, tokensPerAnswer: count, format } = inputs;
  const tokens: PlannedToken[] = [];
  if (inputs.thinking !== undefined) {
    const thinking = answerTokens(seedFrom(seed, 'thinking'), thinkingTokenCount(inputs.thinking, count));
    for (const text of thinking) tokens.push({ text, kind: 'thinking' });
  }
  if (inputs.toolCalls.length > 0) {
    for (const call of inputs.toolCalls) {
      const pieces = streamTokens(toolCallText(call));
      pieces.forEach((text, i) => {
        tokens.push(i === pieces.length - 1 ? { text, kind: 'tool', call } : { text, kind: 'tool' });
      });
    }
  } else {
    const content = format.kind === 'text' ? answerTokens(seed, count) : formatTokens(format, seed, count);
    for (const text of content) tokens.push({ text, kind: 'content' });
  }
  const limit = inputs.numPredict;
  // As in Ollama, num_predict <= 0 means no limit (-1 is its default, -2 "fill the context").
  if (typeof limit === 'number' && limit > 0 && limit < tokens.length) {
    return { tokens: tokens.slice(0, Math.floor(limit)), doneReason: 'length' };
  }
  return { tokens, doneReason: 'stop' };
}

/** The answer's thinking, content and completed tool calls, as a non-streamed answer carries them. */
export function collectAnswer(plan: AnswerPlan): { thinking: string; content: string; calls: ToolCall[] } {
  let thinking = '';
  let content = '';
  const calls: ToolCall[] = [];
  for (const token of plan.tokens) {
    if (token.kind === 'thinking') thinking += token.text;
    else if (token.kind === 'content') content += token.text;
    if (token.call !== undefined) calls.push(token.call);
  }
  return { thinking, content: content + unfinishedToolText(plan), calls };
}

/**
 * The text of a tool call `num_predict` cut off: Ollama's tool parser cannot parse it, so the final chunk
 * carries it as content (`toolParser.Content()` in ChatHandler).
 */
export function unfinishedToolText(plan: AnswerPlan): string {
  let text = '';
  for (const token of plan.tokens) {
    if (token.kind !== 'tool') continue;
    text = token.call === undefined ? text + token.text : '';
  }
  return text;
}
