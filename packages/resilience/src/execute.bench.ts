/**
 * The cost of instrumentation on the call path: an instrumented breaker's and composition's `execute` of a
 * trivial async function against the same raw cockatiel policies, in the same run. Target: ratio ≤ 1.10.
 */
import { compare, finish } from '@sightglass/bench-kit';
import { bulkhead, ConsecutiveBreaker, circuitBreaker, handleAll, retry, wrap } from 'cockatiel';
import { instrumentCircuitBreaker } from './circuit-breaker.js';
import { instrumentPolicy } from './policy.js';

const CALLS = 100;
const work = async (): Promise<number> => 1;
const newBreaker = () =>
  circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
// No timeout policy here: its per-call timer and AbortController dominate and make the figure noisy.
const newComposition = () => wrap(retry(handleAll, { maxAttempts: 2 }), newBreaker(), bulkhead(64, 64));

const rawBreaker = newBreaker();
const instrumentedBreaker = instrumentCircuitBreaker(newBreaker(), { name: 'bench-breaker' });
const rawComposition = newComposition();
const instrumentedComposition = instrumentPolicy(newComposition(), { name: 'bench-policy' });

// One loop per case, written out: a shared loop would make its call site polymorphic, which costs both
// cases something no application pays.
async function rawBreakerLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await rawBreaker.execute(work);
}
async function instrumentedBreakerLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await instrumentedBreaker.execute(work);
}
async function rawCompositionLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await rawComposition.execute(work);
}
async function instrumentedCompositionLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await instrumentedComposition.execute(work);
}

await compare({
  title: 'Circuit breaker execute (instrumentCircuitBreaker)',
  baseline: { name: 'cockatiel breaker.execute', opsPerCall: CALLS, fn: rawBreakerLoop },
  candidates: [{ name: 'instrumented breaker.execute', opsPerCall: CALLS, fn: instrumentedBreakerLoop }],
  targets: [{ case: 'instrumented breaker.execute', maxRatio: 1.1, description: 'at most 10% overhead' }],
  rounds: 9,
});

await compare({
  title: 'wrap(retry, breaker, bulkhead) execute (instrumentPolicy)',
  baseline: { name: 'cockatiel wrap(...).execute', opsPerCall: CALLS, fn: rawCompositionLoop },
  candidates: [
    { name: 'instrumented wrap(...).execute', opsPerCall: CALLS, fn: instrumentedCompositionLoop },
  ],
  targets: [{ case: 'instrumented wrap(...).execute', maxRatio: 1.1, description: 'at most 10% overhead' }],
  rounds: 9,
});

finish();
