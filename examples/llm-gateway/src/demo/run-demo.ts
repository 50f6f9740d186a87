import { setTimeout as delay } from 'node:timers/promises';
import type { WarmReport } from '@sightglass/cache';
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { startTelemetry } from '@sightglass/node';
import { circuitStateName } from '@sightglass/resilience';
import { commonRequests, type Models } from '../common-prompts.js';
import { createGateway, type Gateway } from '../gateway.js';
import { type DemoSettings, type DemoUrls, printIntro, printSummary } from './demo-report.js';
import type { GatewayNames } from './gateway-readings.js';
import { LoadGenerator } from './load-generator.js';
import { OutcomeStats, type OutcomeSummary } from './outcome-stats.js';
import { type Output, println } from './output.js';
import { nothingLost } from './scene-checks.js';
import { runScene, type SceneContext, type SceneRun, sceneResult, skippedScene } from './scene-runner.js';
import { type Check, SCENES, type SceneResult, sceneDurationsMs } from './scenes.js';
import { DEMO_MODELS, demoPolicy, FAKE_OLLAMA_TIMING, OUTAGE, UNIQUE_SHARE } from './settings.js';
import { runShowcase, type ShowcaseResult, showcaseChecks } from './showcase.js';
import { sceneTraffic } from './traffic.js';

/** Options of {@link runDemo}; all optional. */
export interface DemoOptions {
  /** Total length of the scenes, in seconds. Default 60. */
  durationSeconds?: number;
  /** Requests per second the load generator sends. Default 20. */
  rate?: number;
  /** Run against this Ollama instead of an in-process fake one (the outage scenes are then skipped). */
  ollamaUrl?: string;
  /** The models to ask for. Default `llama3.2` and `nomic-embed-text`. */
  models?: Models;
  /** The gateway's port. Default 0: a free one. */
  port?: number;
  /** Where to print. Default `process.stdout`. */
  out?: Output;
  /** Aborting it (Ctrl-C) ends the current scene, skips the rest and stops everything cleanly. */
  signal?: AbortSignal;
}

/** What a demo run showed, as data. */
export interface DemoResult {
  readonly urls: DemoUrls;
  readonly settings: DemoSettings;
  readonly warm: WarmReport;
  readonly scenes: readonly SceneResult[];
  /** The steady scene's tool call and structured answer (absent when the steady scene did not run). */
  readonly showcase: ShowcaseResult | undefined;
  /** Every request of the run, counted after the load drained. */
  readonly total: OutcomeSummary;
  /** `sent = answered + errored`, nothing in flight: no request was lost without an error. */
  readonly nothingLost: Check;
  readonly interrupted: boolean;
  /** Every scene that ran showed what it claims, and nothing was lost. */
  readonly ok: boolean;
}

/** The names the gateway reports under (its defaults), for reading its metrics. */
const NAMES: GatewayNames = { ollama: 'ollama', cache: 'responses' };

/** How long Ctrl-C waits for answers in flight before closing the gateway under them. */
const INTERRUPT_DRAIN_MS = 2000;

/**
 * The demo: starts a fake Ollama (unless `ollamaUrl` is given), the gateway and a load generator, then runs
 * the scenes (steady traffic, the cache warming up, an outage, the recovery) with a live progress line
 * each, and prints what each scene claimed and whether the figures bore it out. Stops everything it
 * started before returning, also when interrupted.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const out = options.out ?? process.stdout;
  const durationSeconds = options.durationSeconds ?? 60;
  const rate = options.rate ?? 20;
  const models = options.models ?? DEMO_MODELS;
  const realOllama = options.ollamaUrl !== undefined;
  const signal = options.signal;

  const telemetry = await startTelemetry({ serviceName: 'llm-gateway-demo', prometheus: { server: false } });
  let fake: FakeOllama | undefined;
  let gateway: Gateway | undefined;
  try {
    fake = realOllama ? undefined : await startFakeOllama(FAKE_OLLAMA_TIMING);
    const ollamaUrl = options.ollamaUrl ?? fake!.url;
    gateway = createGateway({ ollamaUrl, policy: demoPolicy(durationSeconds, realOllama) });
    const { settings: policy, breakers } = gateway.policy;

    // Warm before listening: /readyz holds off traffic until the common answers are cached.
    const warming = gateway.warm(commonRequests(models));
    const base = await gateway.listen(options.port ?? 0);
    const urls: DemoUrls = {
      ollama: ollamaUrl,
      gateway: base,
      metrics: `${base}/metrics`,
      health: `${base}/health`,
      dashboard: gateway.routes.includes('/dashboard') ? `${base}/dashboard` : undefined,
    };
    const settings: DemoSettings = {
      durationSeconds,
      rate,
      uniqueShare: UNIQUE_SHARE,
      timeoutMs: policy.timeoutMs,
      halfOpenAfterMs: policy.halfOpenAfterMs,
      breakerFailures: policy.breakerFailures,
      fakeOllama: !realOllama,
    };
    const warm = await warming;
    printIntro(out, urls, warm, settings);

    const scenes = SCENES.filter((scene) => !scene.needsFakeOllama || fake !== undefined);
    const durations = sceneDurationsMs(scenes, durationSeconds);
    const trafficOf = sceneTraffic(models, rate, durations.get('warming') ?? 0);

    const load = new LoadGenerator(base, policy.timeoutMs * (policy.retries + 1) + 2000);
    const total = new OutcomeStats();
    const context: SceneContext = {
      load,
      rate,
      total,
      names: NAMES,
      out,
      ...(signal === undefined ? {} : { signal }),
      watchBreaker: (listener) => {
        const subscriptions = Object.entries(breakers).map(([operation, breaker]) =>
          breaker.onStateChange((state) => listener(circuitStateName(state), operation)),
        );
        return () => {
          for (const subscription of subscriptions) subscription.dispose();
        };
      },
    };
    const runs: Array<SceneRun | SceneResult> = [];
    let showcase: ShowcaseResult | undefined;
    // Once, beside the steady traffic: a chat with a tool, round the loop, and a JSON-schema answer.
    const showcaseAside = async (print: (lines: readonly string[]) => void) => {
      const bound = AbortSignal.timeout(policy.timeoutMs * (policy.retries + 1) * 2 + 2000);
      const stop = signal === undefined ? bound : AbortSignal.any([signal, bound]);
      showcase = await runShowcase(base, models.model, print, stop);
    };
    for (const [index, spec] of SCENES.entries()) {
      if (spec.needsFakeOllama && fake === undefined) {
        const reason = 'a real Ollama cannot be made to fail on cue (--ollama-url)';
        runs.push(skippedScene(spec, reason));
        println(out, `\n▶ ${index + 1}/${SCENES.length} ${spec.title}: skipped, ${reason}`);
        continue;
      }
      if (signal?.aborted) break;
      if (spec.name === 'outage') fake?.faults.set(OUTAGE);
      if (spec.name === 'recovery') fake?.faults.clear();
      println(out, `\n▶ ${index + 1}/${SCENES.length} ${spec.title}: ${spec.description}`);
      const aside = spec.name === 'steady' ? showcaseAside : undefined;
      runs.push(await runScene(context, spec, durations.get(spec.name)!, trafficOf[spec.name]!, aside));
    }
    fake?.faults.clear();

    // Every request sent must end as an answer or a counted error before anything is judged. Ctrl-C waits a
    // little for answers in flight; closing the gateway then answers the rest (502) instead of dropping them.
    if (signal?.aborted)
      await Promise.race([load.drain(), delay(INTERRUPT_DRAIN_MS, undefined, { ref: false })]);
    else await load.drain();
    await gateway.close();
    await load.drain();

    const results = runs.map((run) => {
      const result = 'stats' in run ? sceneResult(run, policy.timeoutMs) : run;
      if (result.name !== 'steady' || showcase === undefined) return result;
      // The showcase's claims sit with the steady scene's, before "no request lost".
      const [last, ...rest] = [...result.checks].reverse();
      return { ...result, checks: [...rest.reverse(), ...showcaseChecks(showcase), ...(last ? [last] : [])] };
    });
    const summary = total.summary();
    const lost = nothingLost(summary);
    const interrupted = signal?.aborted === true;
    printSummary(out, results, lost, interrupted);
    const ok = lost.ok && results.every((scene) => scene.checks.every((check) => check.ok));
    return {
      urls,
      settings,
      warm,
      scenes: results,
      showcase,
      total: summary,
      nothingLost: lost,
      interrupted,
      ok,
    };
  } finally {
    await gateway?.close();
    await fake?.close();
    await telemetry.shutdown();
  }
}
