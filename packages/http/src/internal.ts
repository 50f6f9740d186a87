/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/http beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */
export { RequestRecorder } from './request-recorder.js';
export { compileRoutes, methodLabel, type RouteMatcher } from './route.js';
