import * as cockatiel3 from 'cockatiel';
import * as cockatiel4 from 'cockatiel4';

/** Both cockatiel majors the peer range admits; tests run against each. */
export const COCKATIEL_VERSIONS = [
  ['cockatiel 3', cockatiel3 as unknown as typeof cockatiel3],
  ['cockatiel 4', cockatiel4 as unknown as typeof cockatiel3],
] as const;

/** An error the test policies handle (count as failures). */
export class DownstreamError extends Error {
  override name = 'DownstreamError';
}
