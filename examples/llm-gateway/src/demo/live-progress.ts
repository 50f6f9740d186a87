import { formatMs, formatPercent, formatStatuses } from './format.js';
import { type GatewayReadings, hitRateBetween } from './gateway-readings.js';
import type { OutcomeStats } from './outcome-stats.js';
import { type Output, ProgressLine } from './output.js';

/** How often the progress line is redrawn (and the gateway's figures sampled). */
export const TICK_MS = 250;
/** The live figures (requests/s, latency, hit rate) cover this much recent time. */
const LIVE_WINDOW_MS = 3000;

function progressBar(fraction: number, width = 10): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** The first reading at or after `at`, or the last one. */
export function readingFrom(readings: readonly GatewayReadings[], at: number): GatewayReadings {
  return readings.find((reading) => reading.at >= at) ?? readings[readings.length - 1]!;
}

/**
 * One progress line: how far along, answers per second and latency over the last few seconds, given the
 * gateway's readings its cache hit rate (last few seconds) and breaker state, and the status counts so far.
 */
export function progressText(
  label: string,
  elapsedMs: number,
  durationMs: number,
  stats: OutcomeStats,
  readings?: readonly GatewayReadings[],
): string {
  const now = performance.now();
  // Early in a phase the window is as long as the phase so far, or the rate would read low.
  const live = stats.recentFigures(now, Math.max(TICK_MS, Math.min(LIVE_WINDOW_MS, elapsedMs)));
  const summary = stats.summary();
  const parts = [
    `  ${label.padEnd(8)} ${progressBar(elapsedMs / durationMs)} ${(Math.min(elapsedMs, durationMs) / 1000).toFixed(1)}/${(durationMs / 1000).toFixed(1)} s`,
    `${live.perSecond.toFixed(1)} req/s`,
    `p50 ${formatMs(live.latencyMs.p50)} p95 ${formatMs(live.latencyMs.p95)}`,
  ];
  const last = readings?.[readings.length - 1];
  if (readings !== undefined && last !== undefined) {
    const hitRate = hitRateBetween(readingFrom(readings, now - LIVE_WINDOW_MS), last);
    const state =
      last.breakerState === 'closed' ? 'closed' : last.breakerState.toUpperCase().replace('_', '-');
    parts.push(`cache ${formatPercent(hitRate)}`, `breaker ${state}`);
  }
  // Last, as it grows: on a narrow terminal the line is cut from the end.
  parts.push(formatStatuses(summary.byStatus, summary.errors));
  return parts.join(' │ ');
}

/**
 * Runs `work` with a live progress line drawn by `render` every tick (after `onTick`, which samples what the
 * line shows), and leaves the line's final state printed. `work` may print events above the line.
 */
export async function withProgress<T>(
  out: Output,
  render: () => string,
  work: (progress: ProgressLine) => Promise<T>,
  onTick: () => void = () => {},
): Promise<T> {
  const progress = new ProgressLine(out);
  const ticker = setInterval(() => {
    onTick();
    progress.update(render());
  }, TICK_MS);
  try {
    return await work(progress);
  } finally {
    clearInterval(ticker);
    onTick();
    progress.finish(render());
  }
}
