/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/resilience beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */
export { MAX_FAILURE_MESSAGE_LENGTH } from './circuit-breaker.js';
export { circuitStateGaugeValue } from './circuit-state.js';
