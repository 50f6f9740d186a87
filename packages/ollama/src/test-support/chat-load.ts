/**
 * The load the client benchmark puts on fake-ollama, shared by the bench and its side-by-side client
 * processes (load-client.ts): the requests, the concurrency, and a loop that measures what they cost.
 */
import type { Ollama } from '../client.js';

/** Calls in flight at once. */
export const CONCURRENCY = 32;

/** A small non-streamed chat (eight tokens). */
export const SMALL_CHAT = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Hi' }],
  options: { num_predict: 8 },
};

/** A chat answered with the server's full answer (fake-ollama's `--tokens`, 256 in the bench). */
export const LONG_CHAT = { model: 'llama3.2', messages: [{ role: 'user', content: 'Tell me a story' }] };

/** What one batch cost: wall-clock ns per request, and this process's CPU ns per request. */
export interface Cost {
  wallNs: number;
  cpuNs: number;
}

/** Runs `requests` calls with {@link CONCURRENCY} in flight. */
export async function load(requests: number, call: () => Promise<unknown>): Promise<Cost> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) await call();
    }),
  );
  const wallNs = Number(process.hrtime.bigint() - started) / requests;
  const used = process.cpuUsage(cpu);
  return { wallNs, cpuNs: ((used.user + used.system) * 1000) / requests };
}

/** Reads one streamed long chat to its end, checking that all 256 tokens came. */
export async function streamLongChat(client: Pick<Ollama, 'chat'>): Promise<void> {
  let tokens = 0;
  for await (const chunk of await client.chat({ ...LONG_CHAT, stream: true }))
    if (chunk.message.content) tokens++;
  if (tokens !== 256) throw new Error(`expected 256 tokens, got ${tokens}`);
}
