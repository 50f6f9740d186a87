/**
 * A number as Python's `repr()` prints a float: the shortest digits that round-trip (as JavaScript's),
 * positional from 1e-4 up to 1e16 with at least one decimal (`1.0`), else an exponent of two digits or more
 * (`1e-05`, `1e+16`).
 */
function pythonRepr(value: number): string {
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${shown}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const padded = digits.padEnd(exponent + 1, '0');
  return `${sign}${padded.slice(0, exponent + 1)}.${padded.slice(exponent + 1) || '0'}`;
}

/**
 * A bucket bound as OpenMetrics writes `le`: the canonical form Go's and Python's clients print and that
 * parsers compare literally, so one bucket has one spelling (`1.0`, not `1`; `1.048576e+06` for 1048576,
 * Go switching to an exponent sooner than Python, as `prometheus_client`'s `floatToGoString` does).
 */
export function canonicalFloat(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const text = pythonRepr(value);
  const dot = text.indexOf('.');
  if (value > 0 && dot > 6) {
    const mantissa = `${text[0]}.${text.slice(1, dot)}${text.slice(dot + 1)}`.replace(/[0.]+$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return text;
}
