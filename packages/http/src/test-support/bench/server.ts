/**
 * One server of the request-metrics benchmarks, in a process of its own:
 * `server.ts node|express|fastify <variant>`. A process per variant keeps one variant's object shapes,
 * garbage and compiled code out of the others', as in separate deployments.
 *
 * It is driven over IPC by the bench (run.ts): `gc` collects garbage before a measured window, `cpu`
 * answers the process's CPU time so far (the bench takes the difference around a window), `recorded`
 * answers how many requests the variant's instrumentation recorded (to check that it measured at all).
 * Started with --expose-gc.
 */
import type { Variant } from './variant.js';

const [framework, name] = process.argv.slice(2);
const modules: Record<string, () => Promise<{ variants: Record<string, () => Promise<Variant>> }>> = {
  node: () => import('./node-variants.js'),
  express: () => import('./express-variants.js'),
  fastify: () => import('./fastify-variants.js'),
};
const load = modules[framework ?? ''];
const build = load && (await load()).variants[name ?? ''];
if (build === undefined) {
  console.error(`usage: server.ts ${Object.keys(modules).join('|')} <variant>`);
  process.exit(2);
}
const variant = await build();
const url = await variant.listen();

type Command = { id: number; type: 'gc' | 'cpu' | 'recorded' };
process.on('message', async (command: Command) => {
  let value: unknown;
  if (command.type === 'gc') {
    // A full collection, not bare gc(): that one may also discard compiled code and measure the JIT again.
    (globalThis as { gc?: (options: object) => void }).gc?.({ type: 'major', execution: 'sync' });
  } else if (command.type === 'cpu') {
    const usage = process.cpuUsage();
    value = usage.user + usage.system;
  } else {
    value = await variant.recorded();
  }
  process.send?.({ id: command.id, value });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, value: url });
