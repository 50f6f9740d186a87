import { run } from './binaries.js';

/**
 * Debian's Python 3, which carries `python3-prometheus-client` (the interpreter first on PATH may be
 * another one without Debian's packages).
 */
const DEBIAN_PYTHON = '/usr/bin/python3';

/** An exemplar as Python's `prometheus_client` parsed it (OpenMetrics only). */
export interface ParsedExemplar {
  labels: Record<string, string>;
  value: number;
  /** Seconds since the epoch, or null when the exemplar has none. */
  timestamp: number | null;
}

/** A metric family as Python's `prometheus_client` parsed it. */
export interface ParsedFamily {
  name: string;
  type: string;
  unit: string;
  /** `exemplar` is there only on a sample that has one. */
  samples: Array<{ name: string; labels: Record<string, string>; value: number; exemplar?: ParsedExemplar }>;
}

const SCRIPT = `
import json, math, sys
fmt = sys.argv[1]
if fmt == 'openmetrics':
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
def sample(s):
    out = {'name': s.name, 'labels': s.labels, 'value': None if math.isnan(s.value) else s.value}
    e = getattr(s, 'exemplar', None)
    if e is not None:
        out['exemplar'] = {'labels': e.labels, 'value': e.value,
                           'timestamp': None if e.timestamp is None else float(e.timestamp)}
    return out
families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append({
        'name': family.name, 'type': family.type, 'unit': family.unit,
        'samples': [sample(s) for s in family.samples],
    })
print(json.dumps(families))
`;

/**
 * Whether Python's `prometheus_client` can be used: Debian's python3 with `python3-prometheus-client`.
 * Under CI its absence fails the run loudly; on a developer's machine the test is skipped with the fix.
 */
export function pythonPrometheusClient(): boolean {
  const probe = run(DEBIAN_PYTHON, ['-c', 'import prometheus_client']);
  if (probe.status === 0) return true;
  const message =
    'Python prometheus_client not found: install it with "apt-get install -y python3-prometheus-client"';
  if (process.env.CI) throw new Error(`${message} (required under CI)`);
  console.warn(`SKIPPING: ${message}`);
  return false;
}

/**
 * Parses an exposition with `prometheus_client`'s classic text parser (`text`) or its OpenMetrics parser
 * (`openmetrics`): parsers nobody here wrote. Throws with the parser's message when it rejects the text.
 */
export function parseWithPrometheusClient(
  exposition: string,
  format: 'text' | 'openmetrics',
): ParsedFamily[] {
  const result = run(DEBIAN_PYTHON, ['-c', SCRIPT, format], exposition);
  if (result.status !== 0) {
    throw new Error(`prometheus_client's ${format} parser rejected the exposition:\n${result.stderr.trim()}`);
  }
  return JSON.parse(result.stdout) as ParsedFamily[];
}
