import { ErrorCode, SightglassError } from '@sightglass/core';
import { validateInteger } from '@sightglass/core/internal';
import type { OtlpProtocol } from './options.js';

/** The OTLP protocols, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** An `ERR_SIGHTGLASS_INVALID_CONFIG` error. */
export function configError(message: string): SightglassError {
  return new SightglassError(ErrorCode.INVALID_CONFIG, message);
}

/** The trimmed value, or `undefined` when it is missing or blank (the OTel spec treats empty as unset). */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** A number from an option, or from a variable's digits (anything else is left for the check to refuse). */
function fromDigits(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/** A positive whole number of milliseconds from an option or a variable's digits. */
export function positiveMs(value: unknown, what: string): number {
  return validateInteger(fromDigits(value), what, {
    code: ErrorCode.INVALID_CONFIG,
    min: 1,
    unit: 'milliseconds',
  });
}

/** A positive whole number (a count) from an option or a variable's digits. */
export function positiveCount(value: unknown, what: string): number {
  return validateInteger(fromDigits(value), what, { code: ErrorCode.INVALID_CONFIG, min: 1 });
}

/** The protocol of an option or variable, checked. */
export function otlpProtocol(value: string, what: string): OtlpProtocol {
  if (!(PROTOCOLS as readonly string[]).includes(value)) {
    throw configError(
      `${what}: the OTLP protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as OtlpProtocol;
}

/** Parses `key=value,key2=value2` (values URL-encoded) as the OTel spec defines OTLP headers. */
export function parseHeaders(value: string | undefined, variable: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const separator = pair.indexOf('=');
    const key = separator > 0 ? pair.slice(0, separator).trim() : '';
    if (key === '')
      throw configError(`${variable} must be a list of key=value pairs, got ${JSON.stringify(pair)}`);
    try {
      headers[key] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      throw configError(`${variable} has a malformed percent-encoding in the value of ${key}`);
    }
  }
  return headers;
}

function parseUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SightglassError(ErrorCode.INVALID_URL, `${what} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SightglassError(
      ErrorCode.INVALID_URL,
      `${what} must be an http:// or https:// URL, got ${url.protocol}`,
    );
  }
  return url;
}

/**
 * The endpoint of one signal (`metrics` or `traces`): the option (a bare origin gets `/v1/<signal>`), else
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT` plus `/v1/<signal>`, else
 * the default collector address. gRPC endpoints are used as given.
 */
export function otlpUrl(
  option: string | undefined,
  what: string,
  protocol: OtlpProtocol,
  signal: 'metrics' | 'traces',
  env: Record<string, string | undefined>,
): string {
  const signalVariable = `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`;
  const fromSignal = nonEmpty(env[signalVariable]);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const [value, source, isBase] =
    option !== undefined
      ? [option, what, true]
      : fromSignal !== undefined
        ? [fromSignal, signalVariable, false]
        : base !== undefined
          ? [base, 'OTEL_EXPORTER_OTLP_ENDPOINT', true]
          : [protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318', 'default', true];
  const url = parseUrl(value, source);
  if (protocol !== 'grpc' && isBase && (url.pathname === '/' || url.pathname === ''))
    url.pathname = `/v1/${signal}`;
  else if (protocol !== 'grpc' && isBase && source === 'OTEL_EXPORTER_OTLP_ENDPOINT') {
    url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/${signal}`;
  }
  return url.toString();
}
