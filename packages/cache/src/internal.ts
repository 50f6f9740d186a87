/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/cache beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */
export { MAX_PENDING_WRITES, STORE_ERROR_MEMORY_MS } from './base-cache.js';
