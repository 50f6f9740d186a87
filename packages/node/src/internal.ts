/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/node beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */
export { exportersFromEnv, KNOWN_EXPORTERS, parseHeaders, resolveConfig } from './config.js';
