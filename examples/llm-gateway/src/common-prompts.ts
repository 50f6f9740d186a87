import type { GatewayRequest } from './requests.js';

/**
 * Prompts a gateway sees all day (a help bot's top questions). Warming them at start-up means the first user
 * to ask does not pay for the generation. Replace them with your own: the top of your request log.
 */
export const COMMON_PROMPTS: readonly string[] = Object.freeze([
  'What are your opening hours?',
  'How do I reset my password?',
  'How can I change my delivery address?',
  'What is your refund policy?',
  'How do I contact a human?',
  'Which payment methods do you accept?',
  'How long does shipping take?',
  'Can I cancel my subscription at any time?',
  'Where can I find my invoice?',
  'Do you ship internationally?',
  'How do I update my email address?',
  'Is my personal data shared with third parties?',
]);

/** The models requests are made for. */
export interface Models {
  /** A chat/generation model, e.g. `llama3.2`. */
  model: string;
  /** An embedding model, e.g. `nomic-embed-text`. */
  embedModel: string;
}

/** One request of each kind for a prompt: a one-message chat, a generation and an embedding. */
export function requestsFor(prompt: string, models: Models): GatewayRequest[] {
  return [
    { kind: 'chat', body: { model: models.model, messages: [{ role: 'user', content: prompt }] } },
    { kind: 'generate', body: { model: models.model, prompt } },
    { kind: 'embed', body: { model: models.embedModel, input: prompt } },
  ];
}

/** The requests to warm at start-up: every kind, for every common prompt. */
export function commonRequests(
  models: Models,
  prompts: readonly string[] = COMMON_PROMPTS,
): GatewayRequest[] {
  return prompts.flatMap((prompt) => requestsFor(prompt, models));
}
