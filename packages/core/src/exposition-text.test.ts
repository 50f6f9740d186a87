import { describe, expect, it } from 'vitest';
import { escapeLabelValue, prometheusLabelName } from './exposition-text.js';

describe('prometheusLabelName', () => {
  it('maps OpenTelemetry names to Prometheus names', () => {
    expect(prometheusLabelName('gen_ai.client.operation.duration')).toBe('gen_ai_client_operation_duration');
    expect(prometheusLabelName('a..b--c')).toBe('a_b_c');
    expect(prometheusLabelName('2xx')).toBe('_2xx');
  });
});

describe('escapeLabelValue', () => {
  it('escapes backslash, newline and double quote, and leaves the rest as it is', () => {
    expect(escapeLabelValue('plain /v1/chat')).toBe('plain /v1/chat');
    expect(escapeLabelValue('a\\b "c"\nd')).toBe('a\\\\b \\"c\\"\\nd');
  });
});
