/**
 * Retained heap per label set (a counter and a histogram with the same method/route/status labels), each
 * implementation in a fresh process of its own, measured three times: Sightglass's registry, prom-client 15
 * and the OTel SDK. Twice: with the 11 buckets prom-client users often configure, and with the catalog's 15
 * seconds buckets for `request_duration_seconds`. Target: Sightglass at most prom-client's heap per label
 * set (11 buckets).
 *
 * A child measures `heapUsed` after two full GCs before and after creating the label sets (their route
 * strings included, for every implementation alike), so only what each keeps per label set is counted.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LABEL_SETS = 5000;
const RUNS = 3;
const BUCKETS_11 = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const IMPLEMENTATIONS = ['sightglass', 'prom-client', 'otel-sdk'] as const;
type Implementation = (typeof IMPLEMENTATIONS)[number];

async function measureInThisProcess(
  implementation: Implementation,
  catalogBuckets: boolean,
): Promise<number> {
  const { CATALOG, metricRegistry } = await import('./index.js');
  const buckets = catalogBuckets ? [...(CATALOG.requestDurationSeconds.boundaries ?? [])] : BUCKETS_11;
  const keep: unknown[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let add: (index: number) => void;
  if (implementation === 'sightglass') {
    const registry = metricRegistry();
    registry.setLabelGuardOptions({ maxValues: LABEL_SETS * 2 });
    const duration = { ...CATALOG.requestDurationSeconds, boundaries: buckets };
    add = (index) => {
      const labels = { method: 'GET', route: `/api/items/${index}`, status: '200' };
      keep.push(registry.addCounter(CATALOG.requests, labels).cell);
      registry.addHistogram(duration, labels).cell.record(0.2);
    };
  } else if (implementation === 'prom-client') {
    const { default: client } = await import('prom-client');
    const registry = new client.Registry();
    const labelNames = ['method', 'route', 'status'];
    const counter = new client.Counter({
      name: 'requests_total',
      help: 'h',
      labelNames,
      registers: [registry],
    });
    const histogram = new client.Histogram({
      name: 'request_duration_seconds',
      help: 'h',
      labelNames,
      buckets,
      registers: [registry],
    });
    keep.push(registry);
    add = (index) => {
      const labels = { method: 'GET', route: `/api/items/${index}`, status: '200' };
      counter.inc(labels);
      histogram.observe(labels, 0.2);
    };
  } else {
    const { AggregationType, MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    class Reader extends MetricReader {
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    }
    const provider = new MeterProvider({
      readers: [new Reader()],
      views: [
        {
          instrumentName: 'request_duration_seconds',
          aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: buckets } },
          aggregationCardinalityLimit: LABEL_SETS * 2,
        },
        { instrumentName: 'requests', aggregationCardinalityLimit: LABEL_SETS * 2 },
      ],
    });
    const meter = provider.getMeter('bench');
    const counter = meter.createCounter('requests');
    const histogram = meter.createHistogram('request_duration_seconds');
    keep.push(provider);
    add = (index) => {
      const labels = { method: 'GET', route: `/api/items/${index}`, status: '200' };
      counter.add(1, labels);
      histogram.record(0.2, labels);
    };
  }
  add(-1); // the first label set allocates per-metric state: not a label set's cost
  const before = heap();
  for (let index = 0; index < LABEL_SETS; index++) add(index);
  const after = heap();
  if (keep.length === 0) throw new Error('nothing kept');
  return (after - before) / LABEL_SETS;
}

const [childImplementation, childBuckets] = process.argv.slice(2);
if (childImplementation !== undefined) {
  const bytes = await measureInThisProcess(childImplementation as Implementation, childBuckets === 'catalog');
  process.stdout.write(String(bytes));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (implementation: Implementation, buckets: string): number =>
    Number(
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, implementation, buckets], {
        encoding: 'utf8',
      }),
    );
  let missed = false;
  for (const buckets of ['11', 'catalog']) {
    console.log(
      `\n## Retained heap per label set: a counter + a ${buckets === '11' ? '11-bucket' : '15-bucket (the catalog’s)'} histogram, ${LABEL_SETS} label sets, fresh process each, ${RUNS} runs\n`,
    );
    console.log(
      '| implementation | bytes per label set (min / median / max) | ratio to prom-client (medians) |',
    );
    console.log('|---|---:|---:|');
    const medians = new Map<Implementation, number>();
    const rows: string[] = [];
    for (const implementation of IMPLEMENTATIONS) {
      const samples = Array.from({ length: RUNS }, () => run(implementation, buckets)).sort((a, b) => a - b);
      medians.set(implementation, samples[Math.floor(RUNS / 2)]!);
      rows.push(
        `| ${implementation} | ${samples.map((value) => Math.round(value)).join(' / ')} | ` +
          `RATIO:${implementation} |`,
      );
    }
    const base = medians.get('prom-client')!;
    for (const row of rows) {
      console.log(
        row.replace(/RATIO:(\S+)/, (_, name: Implementation) => (medians.get(name)! / base).toFixed(2)),
      );
    }
    if (buckets === '11') {
      const ratio = medians.get('sightglass')! / base;
      console.log(
        `${ratio <= 1 ? 'PASS' : 'MISS'} at most prom-client's heap per label set: ratio ${ratio.toFixed(3)} (limit 1)`,
      );
      missed = ratio > 1;
    }
  }
  if (missed) process.exitCode = 1;
}
