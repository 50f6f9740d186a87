/**
 * One client process of the metrics-cost benchmark: `load-client.ts <url> on|off`. It waits for rounds
 * from its parent over IPC (`{ kind: 'chats' | 'streams', requests }`) and answers each with its own CPU
 * nanoseconds per request, so that clients with and without metrics can run side by side, each measuring
 * only itself.
 */
import { Ollama } from '../client.js';
import { CONCURRENCY, load, SMALL_CHAT, streamLongChat } from './chat-load.js';

const [url, metrics] = process.argv.slice(2);
if (url === undefined || (metrics !== 'on' && metrics !== 'off') || process.send === undefined) {
  console.error('usage (as a child process with IPC): load-client.ts <url> on|off');
  process.exit(2);
}

const client = new Ollama({
  host: url,
  name: `bench-${metrics}-${process.pid}`,
  connections: CONCURRENCY,
  metrics: metrics === 'on',
});

/** One round: `requests` calls, answered with this process's CPU nanoseconds per call. */
async function round(kind: 'chats' | 'streams', requests: number): Promise<number> {
  const call = kind === 'chats' ? () => client.chat(SMALL_CHAT) : () => streamLongChat(client);
  return (await load(requests, call)).cpuNs;
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
