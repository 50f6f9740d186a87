/**
 * `pnpm demo`: the gateway in front of a fake Ollama (or a real one), under load, in four scenes.
 *
 *   node dist/demo.js [--duration 60] [--rate 20] [--ollama-url http://127.0.0.1:11434]
 *   node dist/demo.js --compare [--duration 60] [--concurrency 16]
 *
 * Ctrl-C ends the current scene, prints what was measured so far and stops everything (exit code 0).
 */
import { runCompare } from './demo/compare.js';
import { DEMO_USAGE, parseDemoArgs } from './demo/demo-args.js';
import { runDemo } from './demo/run-demo.js';

async function main(): Promise<void> {
  const args = parseDemoArgs(process.argv.slice(2), process.env);
  if (args.help) {
    console.log(DEMO_USAGE);
    return;
  }
  const interrupt = new AbortController();
  const onSignal = (): void => {
    process.stdout.write('\nstopping...\n');
    interrupt.abort();
    // A second Ctrl-C does not wait for the clean stop.
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const options = {
    durationSeconds: args.durationSeconds,
    rate: args.rate,
    models: args.models,
    signal: interrupt.signal,
    ...(args.ollamaUrl === undefined ? {} : { ollamaUrl: args.ollamaUrl }),
  };
  if (args.compare) {
    await runCompare({ ...options, concurrency: args.concurrency });
  } else {
    const result = await runDemo({ ...options, port: args.port });
    // A full run that did not show what it claims fails, so CI notices; Ctrl-C is a clean stop.
    if (!result.ok && !result.interrupted) process.exitCode = 1;
  }
  console.log('stopped cleanly');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
