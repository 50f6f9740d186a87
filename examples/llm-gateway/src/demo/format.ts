/** A duration for people: `0.4 ms`, `12 ms`, `1.80 s`; `–` when there is none. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A percentage: `68%`; `–` when there is none. */
export function formatPercent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${Math.round(value)}%`;
}

/** A relative change from `before` to `after`: `+238%`, `-97%`; `–` when it has no meaning. */
export function formatChange(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined || before === 0) return '–';
  const change = (100 * (after - before)) / before;
  const rounded = Math.abs(change) < 10 ? change.toFixed(1) : String(Math.round(change));
  return `${change >= 0 ? '+' : ''}${rounded}%`;
}

/** Status counts as `200×98 503×40`. */
export function formatStatuses(
  byStatus: Readonly<Record<string, number>>,
  errors: Readonly<Record<string, number>> = {},
): string {
  const parts = Object.entries(byStatus).map(([status, count]) => `${status}×${count}`);
  for (const [kind, count] of Object.entries(errors)) parts.push(`${kind}×${count}`);
  return parts.length === 0 ? 'no answers yet' : parts.join(' ');
}
