import { hashString, mulberry32 } from './prng.js';

/**
 * The fake model's vocabulary. Plain, short words so answers read like (dull) prose in a demo; the list's
 * content does not matter to a test, only that it never changes, since answers must be reproducible.
 */
export const WORDS: readonly string[] = [
  'the',
  'a',
  'light',
  'river',
  'model',
  'answer',
  'signal',
  'system',
  'value',
  'small',
  'quiet',
  'bright',
  'stone',
  'water',
  'window',
  'cloud',
  'reason',
  'simple',
  'always',
  'often',
  'between',
  'under',
  'over',
  'through',
  'and',
  'but',
  'because',
  'when',
  'where',
  'each',
  'every',
  'many',
  'blue',
  'green',
  'warm',
  'cold',
  'fast',
  'slow',
  'clear',
  'open',
  'path',
  'field',
  'garden',
  'morning',
  'evening',
  'sound',
  'number',
  'pattern',
  'shape',
  'line',
  'point',
  'time',
  'place',
  'world',
  'story',
  'question',
  'idea',
  'is',
  'was',
  'can',
  'will',
  'makes',
  'shows',
  'keeps',
  'finds',
  'turns',
];

/** Pieces a text is counted in: runs of letters and digits, and each other non-space character. */
const PIECE = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

/** Pieces a generated text is streamed in: words with their leading space, spaces, short runs of marks. */
const STREAM_PIECE = /\s?[\p{L}\p{N}]+|\s+|[^\s\p{L}\p{N}]{1,3}/gu;

/**
 * Splits a text the fake generates (a JSON answer, a tool call) into the tokens it streams: joined, they
 * give the text back exactly.
 */
export function streamTokens(text: string): string[] {
  return text.match(STREAM_PIECE) ?? [];
}

/** Splits text into the pieces the fake counts as tokens. */
export function tokenPieces(text: string): string[] {
  return text.match(PIECE) ?? [];
}

/**
 * How many tokens the fake says a prompt has: its pieces, at least 1 (a real model always evaluates the
 * template's own tokens, so a non-empty request never reports zero).
 */
export function countPromptTokens(texts: readonly string[]): number {
  let count = 0;
  for (const text of texts) count += tokenPieces(text).length;
  return Math.max(1, count);
}

/**
 * Token ids for a text, as the `context` array of `/api/generate` carries them: one stable number per
 * piece, in the range of a 128k vocabulary. Only their count and stability matter to a client.
 */
export function tokenIds(text: string): number[] {
  return tokenPieces(text).map((piece) => 256 + (hashString(piece) % 127_744));
}

/**
 * The tokens of an answer, as they are streamed: the first word, then words with a leading space, with
 * sentence breaks now and then, ending with a period. The same seed gives the same answer (`num_predict`
 * cuts this full answer short, so a limited answer is a prefix of the unlimited one).
 */
export function answerTokens(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const tokens: string[] = [];
  let capitalize = true;
  let wordsInSentence = 0;
  for (let i = 0; i < count; i++) {
    if (i === count - 1 && count > 1) {
      tokens.push('.');
      break;
    }
    // A sentence ends after a few words, never right before the final period.
    if (wordsInSentence >= 5 && i < count - 2 && random() < 0.2) {
      tokens.push('.');
      capitalize = true;
      wordsInSentence = 0;
      continue;
    }
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    const text = capitalize ? word[0]!.toUpperCase() + word.slice(1) : word;
    tokens.push(i === 0 ? text : ` ${text}`);
    capitalize = false;
    wordsInSentence++;
  }
  return tokens;
}

/**
 * The tokens of an answer in JSON mode (`format: "json"` or a schema): a one-field object whose string
 * holds the words, split the way a model streams it, `count` tokens in all (at least 5). Cut short by
 * `num_predict`, it is invalid JSON, as a real model's would be.
 */
export function jsonAnswerTokens(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const words = Math.max(1, count - 4);
  const tokens = ['{"', 'answer', '":"'];
  for (let i = 0; i < words; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    tokens.push(i === 0 ? word : ` ${word}`);
  }
  tokens.push('"}');
  return tokens;
}
