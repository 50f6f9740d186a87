/**
 * One client process of the metrics-cost benchmark: `load-client.ts <url> on|off`. It waits for rounds
 * from its parent over IPC (`{ kind: 'chats' | 'streams', requests }`) and answers each with its own CPU
 * nanoseconds per request, so that clients with and without metrics can run side by side, each measuring
 * only itself.
 */
import { Ollama } from '../client.js';

const [url, metrics] = process.argv.slice(2);
if (url === undefined || (metrics !== 'on' && metrics !== 'off') || process.send === undefined) {
  console.error('usage (as a child process with IPC): load-client.ts <url> on|off');
  process.exit(2);
}

const CONCURRENCY = 32;
const client = new Ollama({
  host: url,
  name: `bench-${metrics}-${process.pid}`,
  connections: CONCURRENCY,
  metrics: metrics === 'on',
});
const small = { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: 8 } };
const long = { model: 'llama3.2', messages: [{ role: 'user', content: 'Tell me a story' }] };

async function stream(): Promise<void> {
  let tokens = 0;
  for await (const chunk of await client.chat({ ...long, stream: true })) if (chunk.message.content) tokens++;
  if (tokens !== 256) throw new Error(`expected 256 tokens, got ${tokens}`);
}

async function round(kind: 'chats' | 'streams', requests: number): Promise<number> {
  const call = kind === 'chats' ? () => client.chat(small) : stream;
  let next = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) await call();
    }),
  );
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / requests;
}

process.on('message', (message: { kind: 'chats' | 'streams'; requests: number } | 'exit') => {
  if (message === 'exit') {
    void client.close().then(() => process.exit(0));
    return;
  }
  round(message.kind, message.requests).then(
    (cpuNs) => process.send?.({ cpuNs }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send({ ready: true });
