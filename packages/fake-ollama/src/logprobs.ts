import { mulberry32, seedFrom } from './prng.js';
import { WORDS } from './text.js';

/** One token's log probability, as Ollama's api.TokenLogprob: the token, its logprob, its UTF-8 bytes. */
export interface TokenLogprob {
  readonly token: string;
  readonly logprob: number;
  readonly bytes?: number[];
}

/** A generated token's log probability, with the most likely alternatives when `top_logprobs` asked. */
export interface Logprob extends TokenLogprob {
  readonly top_logprobs?: TokenLogprob[];
}

/** Ollama's answer for a `top_logprobs` out of range (ChatHandler and GenerateHandler on main). */
export const TOP_LOGPROBS_RANGE = 'top_logprobs must be between 0 and 20';

/** `bytes` as Ollama's stringToByteInts makes it: left out for an empty token. */
function withBytes(token: string, logprob: number): TokenLogprob {
  return token === '' ? { token, logprob } : { token, logprob, bytes: [...Buffer.from(token, 'utf8')] };
}

/**
 * The `logprobs` entry of the token at `index`, deterministic from `seed`: the generated token is the most
 * likely one (probability 0.5 to 0.95), and `top` alternatives (0–20) share what is left, each half as
 * likely as the one before, so the probabilities never add up past 1. The generated token leads the
 * `top_logprobs` list, as with greedy sampling.
 */
export function tokenLogprob(token: string, seed: number, index: number, top: number): Logprob {
  const random = mulberry32(seedFrom(seed, 'logprob', index));
  const p = 0.5 + random() * 0.45;
  const logprob = Math.log(p);
  const entry: Logprob = withBytes(token, logprob);
  if (top <= 0) return entry;
  const alternatives: TokenLogprob[] = [withBytes(token, logprob)];
  let rest = 1 - p;
  for (let i = 1; i < top; i++) {
    rest /= 2;
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    alternatives.push(withBytes(token.startsWith(' ') ? ` ${word}` : word, Math.log(rest)));
  }
  return { ...entry, top_logprobs: alternatives };
}
