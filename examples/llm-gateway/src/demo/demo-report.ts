import type { WarmReport } from '@sightglass/cache';
import { formatMs } from './format.js';
import { type Output, println } from './output.js';
import type { Check, SceneResult } from './scenes.js';

/** Where everything the demo started can be reached. */
export interface DemoUrls {
  readonly ollama: string;
  readonly gateway: string;
  readonly metrics: string;
  readonly health: string;
  /** Absent when the gateway runs without its dashboard. */
  readonly dashboard: string | undefined;
}

/** The settings a run used, printed up front so the figures can be read against them. */
export interface DemoSettings {
  readonly durationSeconds: number;
  readonly rate: number;
  readonly uniqueShare: number;
  readonly timeoutMs: number;
  readonly halfOpenAfterMs: number;
  readonly breakerFailures: number;
  readonly fakeOllama: boolean;
}

/** Prints the URLs, the warm-up and the settings. */
export function printIntro(out: Output, urls: DemoUrls, warm: WarmReport, settings: DemoSettings): void {
  const ollama = settings.fakeOllama
    ? 'a fake Ollama in this process; --ollama-url for a real one'
    : 'a real Ollama';
  println(out, 'Sightglass LLM gateway demo');
  println(out, `  ollama     ${urls.ollama}  (${ollama})`);
  println(out, `  gateway    ${urls.gateway}  POST /v1/chat /v1/generate /v1/embed`);
  println(out, `  dashboard  ${urls.dashboard ?? '(off)'}`);
  println(out, `  metrics    ${urls.metrics}`);
  println(out, `  health     ${urls.health}  (also /livez, /readyz)`);
  println(
    out,
    `  warm-up    ${warm.loaded} common answers cached in ${formatMs(warm.durationMs)}${warm.failed ? `, ${warm.failed} failed` : ''}`,
  );
  println(
    out,
    `  load       ${settings.rate} req/s for ${settings.durationSeconds} s, ${Math.round(100 * (1 - settings.uniqueShare))}% repeated prompts`,
  );
  println(
    out,
    `  policy     timeout ${formatMs(settings.timeoutMs)}, breakers (chat, generate, embed) open after ${settings.breakerFailures} failures, half-open after ${formatMs(settings.halfOpenAfterMs)}`,
  );
  println(out, 'Press Ctrl-C to stop.');
}

function mark(check: Check): string {
  return `${check.ok ? '✓' : '✗'} ${check.claim}: ${check.detail}`;
}

/** Prints each scene's claims with their verdicts, then the whole run's accounting. */
export function printSummary(
  out: Output,
  scenes: readonly SceneResult[],
  total: Check,
  interrupted: boolean,
): void {
  println(out);
  println(out, interrupted ? 'Summary (interrupted)' : 'Summary');
  for (const scene of scenes) {
    const label = `  ${scene.name.padEnd(9)}`;
    if (scene.skipped !== undefined) {
      println(out, `${label}skipped: ${scene.skipped}`);
      continue;
    }
    // "No request lost" is checked per scene too, but printed once, for the whole run.
    const shown = scene.checks.filter((check) => check.claim !== total.claim);
    shown.forEach((check, index) => {
      println(out, `${index === 0 ? label : ' '.repeat(label.length)}${mark(check)}`);
    });
  }
  println(out, `  ${'total'.padEnd(9)}${mark(total)}`);
}
