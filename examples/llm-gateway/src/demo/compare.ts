import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { startTelemetry } from '@sightglass/node';
import { commonRequests, type Models } from '../common-prompts.js';
import { createGateway } from '../gateway.js';
import { createNaiveGateway } from '../naive-gateway.js';
import { compareTable } from './compare-table.js';
import { readGateway } from './gateway-readings.js';
import { progressText, withProgress } from './live-progress.js';
import { LoadGenerator } from './load-generator.js';
import { OutcomeStats, type OutcomeSummary } from './outcome-stats.js';
import { type Output, println } from './output.js';
import { DEMO_MODELS, demoPolicy, FAKE_OLLAMA_TIMING, OUTAGE, UNIQUE_SHARE } from './settings.js';
import { createTraffic } from './traffic.js';

/** Options of {@link runCompare}; all optional. */
export interface CompareOptions {
  /** Total length, split evenly between the two setups, in seconds. Default 60. */
  durationSeconds?: number;
  /** Requests per second during the outage phase. Default 20. */
  rate?: number;
  /** Clients of the throughput phase. Default 16. */
  concurrency?: number;
  /** Compare against this Ollama instead of an in-process fake (no outage phase then). */
  ollamaUrl?: string;
  models?: Models;
  out?: Output;
  /** Aborting it (Ctrl-C) cuts the current phase short and skips what is left. */
  signal?: AbortSignal;
}

/** One measured phase of one setup. */
export interface PhaseResult {
  readonly durationMs: number;
  /** Every request of the phase, counted after the load drained. */
  readonly requests: OutcomeSummary;
  /** Successful answers per second of the phase. */
  readonly answersPerSecond: number;
}

/** What one setup did under the load. */
export interface SetupResult {
  readonly name: 'naive' | 'sightglass';
  /** Closed loop: `concurrency` clients as fast as the setup answers. */
  readonly throughput: PhaseResult;
  /** Open loop at `rate` while Ollama hangs; absent against a real Ollama. */
  readonly outage: PhaseResult | undefined;
  /** Answers served from the cache during the throughput phase. */
  readonly cacheHits: number;
  /** Connections opened to Ollama during the throughput phase. */
  readonly connectionsOpened: number;
  /** Requests that reached Ollama during the throughput phase (known for the fake only). */
  readonly ollamaRequests: number | undefined;
}

/** The conditions both setups ran under, printed with the table. */
export interface CompareConditions {
  readonly throughputMs: number;
  readonly outageMs: number;
  readonly concurrency: number;
  readonly rate: number;
  readonly uniqueShare: number;
  readonly timeoutMs: number;
  readonly fakeOllama: boolean;
}

export interface CompareResult {
  readonly conditions: CompareConditions;
  /** Naive first, then Sightglass (fewer than two when interrupted). */
  readonly setups: readonly SetupResult[];
  /** The table as printed. */
  readonly table: string;
  readonly interrupted: boolean;
}

/**
 * `pnpm demo --compare`: the same load against a naive setup (a new connection per call, no cache, no
 * breaker) and the Sightglass gateway, one after the other on the same Ollama, and a table of the
 * difference: throughput and latency with `concurrency` clients, then failures and time spent waiting while
 * Ollama hangs. Both use the same timeout and the same seeded sequence of requests.
 */
export async function runCompare(options: CompareOptions = {}): Promise<CompareResult> {
  const out = options.out ?? process.stdout;
  const durationSeconds = options.durationSeconds ?? 60;
  const models = options.models ?? DEMO_MODELS;
  const realOllama = options.ollamaUrl !== undefined;
  const policy = demoPolicy(durationSeconds, realOllama);
  const perSetupMs = (durationSeconds * 1000) / 2;
  const conditions: CompareConditions = {
    throughputMs: Math.round(realOllama ? perSetupMs : perSetupMs * 0.6),
    outageMs: realOllama ? 0 : Math.round(perSetupMs * 0.4),
    concurrency: options.concurrency ?? 16,
    rate: options.rate ?? 20,
    uniqueShare: UNIQUE_SHARE,
    timeoutMs: policy.timeoutMs ?? 60_000,
    fakeOllama: !realOllama,
  };

  const telemetry = await startTelemetry({
    serviceName: 'llm-gateway-compare',
    prometheus: { server: false },
  });
  let fake: FakeOllama | undefined;
  const setups: SetupResult[] = [];
  try {
    fake = realOllama ? undefined : await startFakeOllama(FAKE_OLLAMA_TIMING);
    const ollamaUrl = options.ollamaUrl ?? fake!.url;
    println(
      out,
      `Comparing a naive setup with Sightglass on ${realOllama ? ollamaUrl : 'a fake Ollama'} (Ctrl-C stops)`,
    );
    for (const name of ['naive', 'sightglass'] as const) {
      if (options.signal?.aborted) break;
      println(out, `\n▶ ${name}`);
      setups.push(await measureSetup(name, { ...options, out, models, ollamaUrl, policy, conditions, fake }));
    }
    const table = compareTable(conditions, setups);
    println(out);
    println(out, table);
    return { conditions, setups, table, interrupted: options.signal?.aborted === true };
  } finally {
    fake?.faults.clear();
    await fake?.close();
    await telemetry.shutdown();
  }
}

interface SetupContext {
  readonly out: Output;
  readonly models: Models;
  readonly ollamaUrl: string;
  readonly policy: ReturnType<typeof demoPolicy>;
  readonly conditions: CompareConditions;
  readonly fake: FakeOllama | undefined;
  readonly signal?: AbortSignal;
}

/**
 * Runs one phase with a live progress line and waits for its last answers: every request it sent is counted
 * in the result.
 */
async function measurePhase(
  out: Output,
  load: LoadGenerator,
  label: string,
  durationMs: number,
  run: (stats: OutcomeStats) => Promise<void>,
): Promise<PhaseResult> {
  const stats = new OutcomeStats();
  const started = performance.now();
  await withProgress(
    out,
    () => progressText(label, performance.now() - started, durationMs, stats),
    () => run(stats),
  );
  await load.drain();
  const elapsed = performance.now() - started;
  const requests = stats.summary();
  return { durationMs: elapsed, requests, answersPerSecond: (requests.succeeded * 1000) / elapsed };
}

/** Starts one setup, runs both phases against it, and stops it. */
async function measureSetup(name: SetupResult['name'], context: SetupContext): Promise<SetupResult> {
  const { conditions, fake, models } = context;
  const sightglass = name === 'sightglass';
  const gateway = sightglass
    ? createGateway({ ollamaUrl: context.ollamaUrl, policy: context.policy })
    : createNaiveGateway({ ollamaUrl: context.ollamaUrl, timeoutMs: conditions.timeoutMs });
  try {
    // Warming is part of the Sightglass setup, as at any start-up; it is not measured.
    if ('warm' in gateway) await gateway.warm(commonRequests(models));
    const base = await gateway.listen();
    const load = new LoadGenerator(base, conditions.timeoutMs * 2 + 2000);
    // The same seed for both setups: the same requests in the same order.
    const traffic = createTraffic({
      models,
      popular: commonRequests(models),
      uniqueShare: UNIQUE_SHARE,
      seed: 7,
    });
    const names = { ollama: 'ollama', cache: 'responses' };
    const before = readGateway(names);
    const naiveConnectionsBefore = 'upstream' in gateway ? gateway.upstream.connectionsOpened : 0;
    fake?.resetStats();

    const phase = (label: string, durationMs: number, run: (stats: OutcomeStats) => Promise<void>) =>
      measurePhase(context.out, load, label, durationMs, run);
    const signal = context.signal === undefined ? {} : { signal: context.signal };
    const throughput = await phase('load', conditions.throughputMs, (stats) =>
      load.closedLoop({
        traffic,
        durationMs: conditions.throughputMs,
        concurrency: conditions.concurrency,
        stats: [stats],
        ...signal,
      }),
    );
    const after = readGateway(names);
    const ollamaRequests = fake?.stats.requests;
    const connectionsOpened =
      'upstream' in gateway
        ? gateway.upstream.connectionsOpened - naiveConnectionsBefore
        : after.connectionsOpened - before.connectionsOpened;

    let outage: PhaseResult | undefined;
    if (fake !== undefined && context.signal?.aborted !== true) {
      fake.faults.set(OUTAGE);
      try {
        outage = await phase('outage', conditions.outageMs, (stats) =>
          load.openLoop({
            traffic,
            durationMs: conditions.outageMs,
            rate: conditions.rate,
            stats: [stats],
            ...signal,
          }),
        );
      } finally {
        fake.faults.clear();
      }
    }
    return {
      name,
      throughput,
      outage,
      cacheHits: sightglass ? after.cacheHits - before.cacheHits : 0,
      connectionsOpened,
      ollamaRequests,
    };
  } finally {
    await gateway.close();
  }
}
