import { describe, expect, it } from 'vitest';
import { acceptsGzip, negotiateFormat } from './exposition-format.js';

/** The Accept header Prometheus 2.42 sends on every scrape. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('negotiateFormat', () => {
  it('answers Prometheus with OpenMetrics, which it asks for first', () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toBe('openmetrics');
  });

  it('answers with the text format when nothing or only text is asked for', () => {
    expect(negotiateFormat(undefined)).toBe('text');
    expect(negotiateFormat('')).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('text');
    expect(negotiateFormat('application/json')).toBe('text');
  });

  it('follows the q values, then the order of equally preferred types', () => {
    expect(negotiateFormat('text/plain;q=0.9,application/openmetrics-text;q=0.5')).toBe('text');
    expect(negotiateFormat('text/plain;q=0.5,application/openmetrics-text')).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text, text/plain')).toBe('openmetrics');
    expect(negotiateFormat('text/plain, application/openmetrics-text')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('text');
  });

  it('serves OpenMetrics only in version 1.0.0, and text only in 0.0.4', () => {
    expect(negotiateFormat('application/openmetrics-text;version=0.0.1')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe('openmetrics');
    expect(
      negotiateFormat('text/plain;version=1.0.0;escaping=allow-utf-8,application/openmetrics-text;q=0.1'),
    ).toBe('openmetrics');
  });
});

describe('acceptsGzip', () => {
  it('reads Accept-Encoding as scrapers send it', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=1.0, *;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
