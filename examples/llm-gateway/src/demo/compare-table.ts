import type { CompareConditions, PhaseResult, SetupResult } from './compare.js';
import { formatChange, formatMs } from './format.js';

/** One row: a label, the naive and Sightglass values as shown, and the change between them. */
type Row = readonly [label: string, naive: string, sightglass: string, change: string];

const LABEL_WIDTH = 44;
const COLUMN_WIDTH = 14;

function line([label, naive, sightglass, change]: Row): string {
  return `${label.padEnd(LABEL_WIDTH)}${naive.padStart(COLUMN_WIDTH)}${sightglass.padStart(COLUMN_WIDTH)}${change.padStart(COLUMN_WIDTH)}`;
}

/** A row of a figure both setups have, with its change. */
function figure(
  label: string,
  naive: SetupResult,
  sightglass: SetupResult | undefined,
  read: (setup: SetupResult) => number | undefined,
  show: (value: number | undefined) => string,
): Row {
  const before = read(naive);
  const after = sightglass === undefined ? undefined : read(sightglass);
  return [label, show(before), sightglass === undefined ? '–' : show(after), formatChange(before, after)];
}

const count = (value: number | undefined): string => (value === undefined ? 'n/a' : String(value));
const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);
const rate = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(1));
const status = (phase: PhaseResult | undefined, code: string): number | undefined =>
  phase === undefined ? undefined : (phase.requests.byStatus[code] ?? 0);
const failures = (phase: PhaseResult | undefined): string =>
  phase === undefined ? '–' : `${phase.requests.failed} of ${phase.requests.sent}`;

/**
 * The comparison as a table: throughput and latency with many clients, then what an outage costs. Every
 * figure is measured in this run; the change column is Sightglass relative to naive.
 */
export function compareTable(conditions: CompareConditions, setups: readonly SetupResult[]): string {
  const [naive, sightglass] = setups;
  if (naive === undefined) return 'Nothing was measured (interrupted before the first setup).';
  const repeated = Math.round(100 * (1 - conditions.uniqueShare));
  const rows: string[] = [
    line(['', 'naive', 'sightglass', 'change']),
    `Throughput: ${conditions.concurrency} clients for ${seconds(conditions.throughputMs)}, ${repeated}% repeated prompts`,
    line(figure('  answers per second', naive, sightglass, (s) => s.throughput.answersPerSecond, rate)),
    line(figure('  latency p50', naive, sightglass, (s) => s.throughput.requests.latencyMs.p50, formatMs)),
    line(figure('  latency p95', naive, sightglass, (s) => s.throughput.requests.latencyMs.p95, formatMs)),
    line(figure('  latency p99', naive, sightglass, (s) => s.throughput.requests.latencyMs.p99, formatMs)),
    line(['  failed requests', failures(naive.throughput), failures(sightglass?.throughput), '']),
    line(figure('  answers from the cache', naive, sightglass, (s) => s.cacheHits, count)),
    line(figure('  requests that reached Ollama', naive, sightglass, (s) => s.ollamaRequests, count)),
    line(figure('  connections opened to Ollama', naive, sightglass, (s) => s.connectionsOpened, count)),
  ];
  if (naive.outage !== undefined) {
    rows.push(
      `Outage: Ollama hangs for ${seconds(conditions.outageMs)}, ${conditions.rate} req/s, ${formatMs(conditions.timeoutMs)} timeout`,
      line([
        '  failed requests',
        failures(naive.outage),
        failures(sightglass?.outage),
        formatChange(naive.outage.requests.failed, sightglass?.outage?.requests.failed),
      ]),
      line(
        figure(
          '  time clients waited, only to fail',
          naive,
          sightglass,
          (s) => s.outage?.requests.waitedOnFailuresMs,
          seconds,
        ),
      ),
      line(
        figure(
          '  timed out after the full wait (504)',
          naive,
          sightglass,
          (s) => status(s.outage, '504'),
          count,
        ),
      ),
      line(
        figure('  failed fast, breaker open (503)', naive, sightglass, (s) => status(s.outage, '503'), count),
      ),
      line(
        figure(
          '  answered anyway (from the cache)',
          naive,
          sightglass,
          (s) => s.outage?.requests.succeeded,
          count,
        ),
      ),
    );
  } else {
    rows.push('Outage: skipped (a real Ollama cannot be made to fail on cue)');
  }
  if (sightglass !== undefined) {
    const change = formatChange(naive.throughput.answersPerSecond, sightglass.throughput.answersPerSecond);
    rows.push('', `Measured on this machine, not claimed: throughput ${change} with Sightglass.`);
  }
  return rows.join('\n');
}
