import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { escapeLabelValue, prometheusLabelName } from '@sightglass/core/internal';

/** Labels every series of a scope carries (scope and resource labels), rendered once. */
export interface SharedLabels {
  /** `otel_scope_name="a",…`, without braces; `''` when there are none. */
  readonly text: string;
  /** Their label names, to tell a point attribute that would repeat one. */
  readonly names: readonly string[];
  /** The attributes they were made from (for the rare series whose labels collide). */
  readonly attributes: Attributes;
}

function valueText(value: AttributeValue | undefined): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/**
 * Renders label sets for one exposition. Label names are sanitized once per distinct attribute key; a
 * series' labels are one string built once, which each of its sample lines (a histogram has a dozen) reuses.
 */
export class LabelWriter {
  private readonly names = new Map<string, string>();

  /** The Prometheus name of an attribute key or a metric name (each sanitized once). */
  name(key: string): string {
    let name = this.names.get(key);
    if (name === undefined) {
      name = prometheusLabelName(key);
      this.names.set(key, name);
    }
    return name;
  }

  /** Renders labels shared by many series. */
  shared(attributes: Attributes): SharedLabels {
    return {
      text: this.slow(attributes, {}),
      names: Object.keys(attributes).map((key) => this.name(key)),
      attributes,
    };
  }

  /**
   * `a="1",b="2",otel_scope_name="x"` (no braces) for a point's attributes followed by the shared labels.
   * Two keys that become one label name (`http.route` and `http_route`) are one label, their values joined
   * with `;` as the OpenTelemetry compatibility rules ask: Prometheus rejects a repeated label name.
   */
  body(attributes: Attributes, shared: SharedLabels): string {
    let out = '';
    const seen: string[] = [];
    for (const key in attributes) {
      const label = this.name(key);
      if (seen.includes(label) || shared.names.includes(label))
        return this.slow(attributes, shared.attributes);
      seen.push(label);
      out += `${out === '' ? '' : ','}${label}="${escapeLabelValue(valueText(attributes[key]))}"`;
    }
    if (shared.text === '') return out;
    return out === '' ? shared.text : `${out},${shared.text}`;
  }

  /** The general case: labels merged by name, point attributes first, a shared key a point also has skipped. */
  private slow(attributes: Attributes, extra: Attributes): string {
    const labels = new Map<string, string>();
    const add = (key: string, value: AttributeValue | undefined): void => {
      const label = this.name(key);
      const text = valueText(value);
      const previous = labels.get(label);
      labels.set(label, previous === undefined ? text : `${previous};${text}`);
    };
    for (const key in attributes) add(key, attributes[key]);
    for (const key in extra) if (!(key in attributes)) add(key, extra[key]);
    let out = '';
    for (const [label, value] of labels)
      out += `${out === '' ? '' : ','}${label}="${escapeLabelValue(value)}"`;
    return out;
  }
}

/** `{body}`, or nothing for a series without labels. */
export function braces(body: string): string {
  return body === '' ? '' : `{${body}}`;
}
