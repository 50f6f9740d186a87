/**
 * Makes `instanceof errorClass` hold for errors made by another copy of the same package in the process
 * (two installed versions, or one loaded as ESM and as CommonJS), as undici brands its errors: instances
 * carry `Symbol.for(key)` on their prototype (not enumerable, so no log line, JSON or deep equality sees
 * it), and the class's `Symbol.hasInstance` looks for it. A subclass of a branded class must be branded
 * with a key of its own, or it inherits its parent's check. `key` names the class for good: changing it
 * breaks the match with copies that have the old one.
 */
export function brandErrorClass(errorClass: abstract new (...args: never[]) => Error, key: string): void {
  const brand = Symbol.for(key);
  Object.defineProperty(errorClass.prototype, brand, { value: true });
  Object.defineProperty(errorClass, Symbol.hasInstance, {
    value: (instance: unknown): boolean =>
      typeof instance === 'object' &&
      instance !== null &&
      (instance as { [brand]?: unknown })[brand] === true,
  });
}
