/** One sample line of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its HELP and TYPE and the samples that belong to it. */
export interface Family {
  help: string | undefined;
  type: string | undefined;
  /** How many `# TYPE` lines named this family (more than one is an invalid exposition). */
  typeLines: number;
  samples: Sample[];
}

const SUFFIXES = ['_bucket', '_count', '_sum'];

/** Parses a text exposition into families (histogram samples are grouped under their family). */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let found = families.get(name);
    if (found === undefined) {
      found = { help: undefined, type: undefined, typeLines: 0, samples: [] };
      families.set(name, found);
    }
    return found;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (header) {
      const target = family(header[2]!);
      if (header[1] === 'HELP') target.help = header[3];
      else {
        target.type = header[3];
        target.typeLines++;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const name = sample[1]!;
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      // Label values as the formats escape them: \\, \" and \n.
      labels[match[1]!] = match[2]!.replace(/\\(["\\n])/g, (_, escaped: string) =>
        escaped === 'n' ? '\n' : escaped,
      );
    }
    const base = SUFFIXES.find(
      (suffix) => name.endsWith(suffix) && families.get(name.slice(0, -suffix.length))?.type === 'histogram',
    );
    family(base ? name.slice(0, -base.length) : name).samples.push({
      name,
      labels,
      value: Number(sample[3]),
    });
  }
  return families;
}
