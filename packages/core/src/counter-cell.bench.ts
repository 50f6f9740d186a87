/**
 * The hot-path counting primitive against the two ways a count is usually kept: OTel's `Counter.add` with
 * two attributes (on a real SDK, so attribute hashing happens) and prom-client's `inc` with two labels.
 * Target: at least 10× cheaper than `Counter.add`, and no slower than prom-client.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { compare, finish } from '@sightglass/bench-kit';
import { Counter as PromCounter, Registry } from 'prom-client';
import { CATALOG } from './catalog.js';
import { createMetricGroup } from './metric-group.js';

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const OPS = 1000;
const provider = new MeterProvider({ readers: [new PullReader()] });
const otelCounter = provider.getMeter('bench').createCounter('bench_requests');
const attributes = { method: 'GET', route: '/v1/chat' }; // built once, as a careful user would

const registry = new Registry();
const promCounter = new PromCounter({
  name: 'bench_requests_total',
  help: 'x',
  labelNames: ['method', 'route'],
  registers: [registry],
});
const promLabels = { method: 'GET', route: '/v1/chat' };
const promChild = promCounter.labels('GET', '/v1/chat');

const cell = createMetricGroup().counter(CATALOG.requests, {
  method: 'GET',
  route: '/v1/chat',
  status: '200',
});

await compare({
  title: 'Counting one event (core CounterCell)',
  baseline: {
    name: 'OTel Counter.add(1, attrs)',
    opsPerCall: OPS,
    fn: () => {
      for (let i = 0; i < OPS; i++) otelCounter.add(1, attributes);
    },
  },
  candidates: [
    {
      name: 'prom-client inc(labels)',
      opsPerCall: OPS,
      fn: () => {
        for (let i = 0; i < OPS; i++) promCounter.inc(promLabels);
      },
    },
    {
      name: 'prom-client labels(...) child inc()',
      opsPerCall: OPS,
      fn: () => {
        for (let i = 0; i < OPS; i++) promChild.inc();
      },
    },
    {
      name: 'Sightglass CounterCell.inc()',
      opsPerCall: OPS,
      fn: () => {
        for (let i = 0; i < OPS; i++) cell.inc();
      },
    },
  ],
  targets: [
    {
      case: 'Sightglass CounterCell.inc()',
      maxRatio: 0.1,
      description: 'at least 10× cheaper than Counter.add',
    },
  ],
});

// "No slower than prom-client": the same measurement with prom-client's inc as the baseline.
await compare({
  title: 'Counting one event against prom-client',
  baseline: {
    name: 'prom-client inc(labels)',
    opsPerCall: OPS,
    fn: () => {
      for (let i = 0; i < OPS; i++) promCounter.inc(promLabels);
    },
  },
  candidates: [
    {
      name: 'Sightglass CounterCell.inc()',
      opsPerCall: OPS,
      fn: () => {
        for (let i = 0; i < OPS; i++) cell.inc();
      },
    },
  ],
  targets: [
    { case: 'Sightglass CounterCell.inc()', maxRatio: 1, description: 'no slower than prom-client inc' },
  ],
});

await provider.shutdown();
finish();
