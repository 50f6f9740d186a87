import { ErrorCode, SightglassError } from '@sightglass/core';

/** Turns values into strings for a store that keeps strings (Redis) and back. */
export interface Serializer<V> {
  serialize(value: V): string;
  deserialize(text: string): V;
}

/**
 * JSON, strictly: a value JSON would silently change (a function, a symbol, `undefined` inside an array
 * is fine, but a `BigInt` or a circular object throws) is refused with `ERR_SIGHTGLASS_CACHE_INVALID_VALUE`
 * before anything is written.
 */
export const jsonSerializer: Serializer<unknown> = {
  serialize(value) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new SightglassError(
        ErrorCode.CACHE_INVALID_VALUE,
        `value cannot be serialized as JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (text === undefined) {
      throw new SightglassError(
        ErrorCode.CACHE_INVALID_VALUE,
        `a ${typeof value} cannot be serialized as JSON`,
      );
    }
    return text;
  },
  deserialize(text) {
    return JSON.parse(text) as unknown;
  },
};
