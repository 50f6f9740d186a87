/** The content type of the Prometheus text exposition format served at `/metrics`. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Block {
  name: string;
  type: string | undefined;
  readonly header: string[];
  readonly samples: string[];
}

const HEADER = /^# (HELP|TYPE|UNIT) (\S+)(?: (.*))?$/;

/** Splits an exposition into metric blocks: header lines (`# HELP/UNIT/TYPE name`) then sample lines. */
function parseBlocks(exposition: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const line of exposition.split('\n')) {
    if (line.trim().length === 0) continue;
    const header = HEADER.exec(line);
    if (header !== null) {
      const name = header[2]!;
      if (current === undefined || current.name !== name || current.samples.length > 0) {
        current = { name, type: undefined, header: [], samples: [] };
        blocks.push(current);
      }
      current.header.push(line);
      if (header[1] === 'TYPE') current.type = header[3];
    } else if (!line.startsWith('#')) {
      if (current === undefined) {
        current = { name: line.split(/[{ ]/, 1)[0]!, type: undefined, header: [], samples: [] };
        blocks.push(current);
      }
      current.samples.push(line);
    }
  }
  return blocks;
}

/** A sample line's series: everything before its value (name and labels). */
function seriesOf(sample: string): string {
  const end = sample.lastIndexOf(' ');
  return end > 0 ? sample.slice(0, end) : sample;
}

/**
 * Merges metric families that appear more than once in an exposition into one block.
 *
 * exporter-prometheus writes one block per (instrumentation scope, metric), so a metric name used by two
 * meters gets two `# TYPE` lines, and Prometheus rejects the whole scrape. Here the first block keeps its
 * header; later blocks of the same name and type add their samples (they differ by their `otel_scope_name`
 * label). What cannot be merged is left out and named in `dropped`: a later block that declares another
 * type, and a sample whose series (name and labels) was already written, as happens when scope labels are
 * off and two meters report the same label set.
 */
export function mergeMetricFamilies(exposition: string): { text: string; dropped: string[] } {
  const families = new Map<string, Block & { series: Set<string> }>();
  const dropped: string[] = [];
  for (const block of parseBlocks(exposition)) {
    let family = families.get(block.name);
    if (family === undefined) {
      family = { ...block, samples: [], series: new Set() };
      families.set(block.name, family);
    } else if (family.type !== block.type) {
      dropped.push(`${block.name} (declared ${family.type ?? 'untyped'}, then ${block.type ?? 'untyped'})`);
      continue;
    }
    for (const sample of block.samples) {
      const series = seriesOf(sample);
      if (family.series.has(series)) {
        dropped.push(`${series} (reported twice)`);
        continue;
      }
      family.series.add(series);
      family.samples.push(sample);
    }
  }
  const text = [...families.values()].map((family) => [...family.header, ...family.samples].join('\n'));
  return { text: text.length > 0 ? `${text.join('\n')}\n` : '', dropped };
}
