/** UCUM units as the OpenTelemetry Prometheus compatibility rules spell them in Prometheus names. */
const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tebibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
  '1': 'ratio',
};

/** The time units a rate can be per, singular as in `bytes_per_second`. */
const PER: Readonly<Record<string, string>> = {
  s: 'second',
  min: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/**
 * The Prometheus unit word for an OTel unit (`s` → `seconds`, `By/s` → `bytes_per_second`), or `undefined`
 * for none: an annotation such as `{request}` is not a unit, and an unknown unit is left out rather than
 * guessed.
 */
export function prometheusUnit(unit: string | undefined): string | undefined {
  const text = (unit ?? '').replace(/\{[^}]*\}/g, '').trim();
  if (text === '') return undefined;
  const [numerator = '', denominator, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const top = numerator === '' ? undefined : UNITS[numerator];
  if (denominator === undefined) return top;
  const per = PER[denominator];
  if (per === undefined || (numerator !== '' && top === undefined)) return undefined;
  return top === undefined ? `per_${per}` : `${top}_per_${per}`;
}
