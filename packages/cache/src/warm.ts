import type { WarmItem, WarmReport, WarmSource } from './options.js';

/**
 * Runs one warm-up pass: reads the source and loads its items with at most `concurrency` loads at once.
 * Never rejects: a failing item, or a source that throws, is counted as failed.
 */
export async function runWarmPass<V>(
  source: WarmSource<V>,
  concurrency: number,
  load: (item: WarmItem<V>) => Promise<unknown>,
): Promise<WarmReport> {
  const started = performance.now();
  let loaded = 0;
  let failed = 0;
  try {
    const items = await source();
    const iterator =
      Symbol.asyncIterator in Object(items)
        ? (items as AsyncIterable<WarmItem<V>>)[Symbol.asyncIterator]()
        : (items as Iterable<WarmItem<V>>)[Symbol.iterator]();
    // Workers pull from one shared iterator, so at most `concurrency` loads run and none is read twice.
    const worker = async (): Promise<void> => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        try {
          await load(next.value);
          loaded++;
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } catch {
    failed++; // the source itself failed
  }
  return { loaded, failed, durationMs: performance.now() - started };
}
