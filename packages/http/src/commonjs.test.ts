import { fileURLToPath } from 'node:url';
import { requireFromCommonJs } from '@sightglass/test-kit';
import { expect, it } from 'vitest';

it('can be required from a CommonJS application on Node >= 20.19', () => {
  const exported = requireFromCommonJs('@sightglass/http', fileURLToPath(new URL('..', import.meta.url)));
  expect(exported).toEqual(
    expect.arrayContaining(['expressRequestMetrics', 'fastifyRequestMetrics', 'instrumentRequestListener']),
  );
});
