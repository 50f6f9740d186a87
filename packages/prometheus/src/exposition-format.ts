/** The two exposition formats `/metrics` serves. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The content type of OpenMetrics 1.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** What distinguishes a format on the wire. */
export function formatSpec(format: ExpositionFormat): { contentType: string; terminator: string } {
  return format === 'openmetrics'
    ? { contentType: OPENMETRICS_CONTENT_TYPE, terminator: '# EOF\n' }
    : { contentType: PROMETHEUS_CONTENT_TYPE, terminator: '' };
}

interface MediaRange {
  type: string;
  version: string | undefined;
  q: number;
  order: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part, order) => {
    const [type = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    if (type === '') return [];
    let q = 1;
    let version: string | undefined;
    for (const parameter of parameters) {
      const [key = '', value = ''] = parameter.split('=').map((piece) => piece.trim());
      if (key.toLowerCase() === 'q') q = Number.parseFloat(value);
      else if (key.toLowerCase() === 'version') version = value;
    }
    return Number.isFinite(q) && q > 0 ? [{ type: type.toLowerCase(), version, q, order }] : [];
  });
}

/**
 * The format to answer a scrape with, from its `Accept` header, the way Prometheus's own client libraries
 * negotiate: OpenMetrics 1.0 when the scraper asks for `application/openmetrics-text` (version 1.0.0, or
 * none) at least as much as for the text format, the text format otherwise (and without an `Accept`).
 * Prometheus asks for OpenMetrics first on every scrape.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept.trim() === '') return 'text';
  let openMetrics: MediaRange | undefined;
  let text: MediaRange | undefined;
  for (const range of parseAccept(accept)) {
    if (range.type === 'application/openmetrics-text') {
      if (range.version !== undefined && range.version !== '1.0.0') continue;
      if (openMetrics === undefined || range.q > openMetrics.q) openMetrics = range;
    } else if (range.type === 'text/plain' || range.type === 'text/*' || range.type === '*/*') {
      if (range.type === 'text/plain' && range.version !== undefined && range.version !== '0.0.4') continue;
      if (text === undefined || range.q > text.q) text = range;
    }
  }
  if (openMetrics === undefined) return 'text';
  if (text === undefined) return 'openmetrics';
  if (openMetrics.q !== text.q) return openMetrics.q > text.q ? 'openmetrics' : 'text';
  return openMetrics.order <= text.order ? 'openmetrics' : 'text';
}

/** Whether the scraper accepts a gzip-encoded answer (`Accept-Encoding: gzip`, not refused with `q=0`). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return q === undefined || Number.parseFloat(q.slice(2)) > 0;
  });
}
