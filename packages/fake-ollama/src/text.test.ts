import { describe, expect, it } from 'vitest';
import { answerTokens, countPromptTokens, jsonAnswerTokens, tokenIds, tokenPieces } from './text.js';

describe('answerTokens', () => {
  it('gives the same answer for a seed and another for another seed', () => {
    expect(answerTokens(1, 40)).toEqual(answerTokens(1, 40));
    expect(answerTokens(1, 40).join('')).not.toBe(answerTokens(2, 40).join(''));
  });

  it('has exactly the asked number of tokens and ends a full answer with a period', () => {
    const tokens = answerTokens(5, 25);
    expect(tokens).toHaveLength(25);
    expect(tokens.at(-1)).toBe('.');
    expect(tokens[0]).toMatch(/^[A-Z][a-z]+$/);
    expect(tokens.slice(1).every((t) => t === '.' || t.startsWith(' '))).toBe(true);
  });

  it('never puts two periods side by side', () => {
    for (let seed = 0; seed < 50; seed++) expect(answerTokens(seed, 60).join('')).not.toContain('..');
  });

  it('handles tiny answers', () => {
    expect(answerTokens(3, 0)).toEqual([]);
    expect(answerTokens(3, 1)).toHaveLength(1);
    expect(answerTokens(3, 1)[0]).not.toBe('.');
  });
});

describe('jsonAnswerTokens', () => {
  it('joins into valid JSON with the asked number of tokens', () => {
    const tokens = jsonAnswerTokens(4, 12);
    expect(tokens).toHaveLength(12);
    expect(JSON.parse(tokens.join(''))).toEqual({ answer: expect.stringMatching(/^[a-z]+( [a-z]+)*$/) });
    expect(jsonAnswerTokens(4, 12)).toEqual(tokens);
  });

  it('always has at least one word', () => {
    expect(jsonAnswerTokens(4, 1)).toHaveLength(5);
  });
});

describe('prompt tokens', () => {
  it('counts words and punctuation, at least one', () => {
    expect(tokenPieces('Why is the sky blue?')).toEqual(['Why', 'is', 'the', 'sky', 'blue', '?']);
    expect(countPromptTokens(['Why is the sky blue?', 'Be brief.'])).toBe(9);
    expect(countPromptTokens([''])).toBe(1);
    expect(countPromptTokens([])).toBe(1);
  });

  it('maps pieces to stable ids in a 128k vocabulary', () => {
    const ids = tokenIds('Why is the sky blue?');
    expect(ids).toHaveLength(6);
    expect(tokenIds('Why is the sky blue?')).toEqual(ids);
    expect(ids.every((id) => Number.isInteger(id) && id >= 256 && id < 128_000)).toBe(true);
  });
});
