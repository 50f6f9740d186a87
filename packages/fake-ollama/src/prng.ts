/**
 * A 32-bit FNV-1a hash of a string (over its UTF-16 code units). Used to turn a request into a PRNG seed,
 * so it only has to be stable and spread well, not be cryptographic.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A seed from several parts; the separator keeps `('ab', 'c')` and `('a', 'bc')` apart. */
export function seedFrom(...parts: ReadonlyArray<string | number>): number {
  return hashString(parts.join('\u0000'));
}

/**
 * mulberry32: a tiny, fast PRNG with a 32-bit state. Returns a function giving numbers in [0, 1). The same
 * seed always gives the same sequence, on every platform, which is what makes the fake's answers
 * reproducible.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
