/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/prometheus beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */
export { negotiateFormat } from './exposition-format.js';
export { defaultPrometheusReader, setDefaultPrometheusReader } from './reader.js';
export { validatePort } from './server.js';
