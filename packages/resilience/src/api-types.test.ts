/**
 * The instrumented policies keep cockatiel's own types: what the user's code called before, it can call
 * after, with the same result types (checked by `tsc` in `pnpm test`).
 */
import {
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import * as cockatiel4 from 'cockatiel4';
import { expect, expectTypeOf, it } from 'vitest';
import { instrumentBulkhead } from './bulkhead.js';
import { instrumentCircuitBreaker } from './circuit-breaker.js';
import { instrumentPolicy } from './policy.js';
import { instrumentRetry } from './retry.js';
import { instrumentTimeout } from './timeout.js';

it('keeps the types of the policies it instruments', async () => {
  const breaker = instrumentCircuitBreaker(
    circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(2) }),
    { name: 'typed-breaker' },
  );
  const retrying = instrumentRetry(retry(handleAll, { maxAttempts: 1 }), { name: 'typed-retry' });
  const limited = instrumentTimeout(timeout(1000, TimeoutStrategy.Aggressive), { name: 'typed-timeout' });
  const bounded = instrumentBulkhead(bulkhead(1), { name: 'typed-bulkhead' });
  const policy = instrumentPolicy(wrap(retry(handleAll, { maxAttempts: 1 }), bulkhead(2)), {
    name: 'typed-policy',
  });

  expectTypeOf(breaker.execute(() => 1)).toEqualTypeOf<Promise<number>>();
  expectTypeOf(breaker.state).toBeNumber();
  expectTypeOf(retrying.execute(({ attempt }) => attempt)).toEqualTypeOf<Promise<number>>();
  expectTypeOf(limited.execute((_context, signal) => signal.aborted)).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(policy.execute(({ signal }) => String(signal.aborted))).toEqualTypeOf<Promise<string>>();
  expectTypeOf(bounded.dispose).toEqualTypeOf<() => void>();

  await expect(retrying.execute(({ attempt }) => attempt)).resolves.toBe(0);
  await expect(limited.execute((_context, signal) => signal.aborted)).resolves.toBe(false);
  for (const instrumented of [breaker, retrying, limited, bounded, policy]) instrumented.dispose();
});

it('keeps the types of cockatiel 4 policies too', () => {
  const breaker = instrumentCircuitBreaker(
    cockatiel4.circuitBreaker(cockatiel4.handleAll, {
      halfOpenAfter: 1000,
      breaker: new cockatiel4.ConsecutiveBreaker(2),
    }),
    { name: 'typed-breaker-4' },
  );
  const policy = instrumentPolicy(
    cockatiel4.wrap(
      cockatiel4.retry(cockatiel4.handleAll, { maxAttempts: 1 }),
      cockatiel4.timeout(10, cockatiel4.TimeoutStrategy.Cooperative),
    ),
    { name: 'typed-policy-4' },
  );
  expectTypeOf(breaker.execute(() => 'x')).toEqualTypeOf<Promise<string>>();
  expectTypeOf(policy.execute(() => 1)).toEqualTypeOf<Promise<number>>();
  breaker.dispose();
  policy.dispose();
});
