/**
 * How names and label values are written in the Prometheus exposition formats, shared by the registry
 * (which writes each series' labels once) and `@sightglass/prometheus` (which writes everything else).
 */

/** A valid Prometheus metric or label name: invalid characters become `_`, runs of `_` one, no leading digit. */
export function prometheusLabelName(name: string): string {
  const sanitized = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return /^[0-9]/.test(sanitized) ? `_${sanitized}` : sanitized;
}

const NEEDS_ESCAPE = /[\\\n"]/;

/** A label value as both formats escape it: backslash, newline and double quote. */
export function escapeLabelValue(text: string): string {
  return NEEDS_ESCAPE.test(text)
    ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
    : text;
}
