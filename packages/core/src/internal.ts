/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/core beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */

export { brandErrorClass } from './brand-error-class.js';
export { type PrometheusType, prometheusType } from './catalog.js';
export { MAX_NAME_LENGTH, validateName } from './errors.js';
export { escapeLabelValue, prometheusLabelName } from './exposition-text.js';
export { guard, reportInstrumentationError } from './guard.js';
export { healthStatusValue, worseStatus } from './health.js';
export { LabelGuard } from './label-guard.js';
export { METER_NAME, REGISTRY_PRODUCER_MARK, readsMetricRegistry } from './metric-registry.js';
export { numberedName } from './numbered-name.js';
export {
  ATTR_ERROR_TYPE,
  addSpanEvent,
  ERROR_TYPE_OTHER,
  recordingSpan,
  sampledSpanContext,
  spanErrorType,
} from './span-events.js';
export {
  type NumberRule,
  type ValidationErrorCode,
  validateInteger,
  validateNumber,
} from './validate-number.js';
