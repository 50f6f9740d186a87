import { mulberry32, seedFrom } from './prng.js';
import { tokenPieces } from './text.js';

/**
 * A deterministic unit-length embedding of `text` for `model`: the normalized sum of one pseudo-random
 * vector per lower-cased word. The same text always gives the same vector, and texts that share words
 * point in similar directions (positive cosine), so a semantic cache or a retrieval demo behaves sensibly.
 * Values are rounded to float32-like precision, as Ollama sends them.
 */
export function embedText(model: string, text: string, dimensions: number): number[] {
  const sum = new Float64Array(dimensions);
  const words = tokenPieces(text.toLowerCase());
  // Punctuation-only or empty text still needs a vector: use the text itself as the one "word".
  for (const word of words.length > 0 ? words : [text]) {
    const random = mulberry32(seedFrom('embedding', model, word));
    for (let i = 0; i < dimensions; i++) sum[i]! += random() * 2 - 1;
  }
  return normalize(Array.from(sum));
}

/**
 * Scales a vector to length 1, rounding each value to 9 significant digits (float32 precision, which is
 * what Ollama's JSON carries). A zero vector stays zero.
 */
export function normalize(vector: readonly number[]): number[] {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const scale = 1 / Math.max(Math.sqrt(squares), 1e-12);
  return vector.map((value) => Number((value * scale).toPrecision(9)));
}

/**
 * Applies `/api/embed`'s `dimensions`: like Ollama, a smaller positive size truncates the vector and
 * normalizes it again; anything else leaves it whole.
 */
export function truncateEmbedding(vector: number[], dimensions: number | undefined): number[] {
  if (dimensions === undefined || dimensions <= 0 || dimensions >= vector.length) return vector;
  return normalize(vector.slice(0, dimensions));
}
