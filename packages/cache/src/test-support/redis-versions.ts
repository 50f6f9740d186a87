import * as redis5 from 'redis';
import * as redis6 from 'redis6';

/**
 * Both node-redis majors the peer range admits (`redis6` is an npm alias of redis@6); the Redis tests run
 * against each. The third element is the package name a child process imports it by.
 */
export const REDIS_VERSIONS = [
  ['node-redis 5', redis5, 'redis'],
  ['node-redis 6', redis6 as unknown as typeof redis5, 'redis6'],
] as const;
