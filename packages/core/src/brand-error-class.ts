/**
 * Makes `instanceof errorClass` hold for errors made by another copy of the same package in the process
 * (two installed versions, or one loaded as ESM and as CommonJS), as undici brands its errors: instances
 * carry `Symbol.for(key)` on their prototype (not enumerable, so no log line, JSON or deep equality sees
 * it), and the class's `Symbol.hasInstance` looks for it. A subclass that is not branded itself (an
 * application's `class DeadlineError extends TimeoutError`) keeps the ordinary prototype check. `key` names
 * the class for good: changing it breaks the match with copies that have the old one.
 */
export function brandErrorClass(errorClass: abstract new (...args: never[]) => Error, key: string): void {
  const brand = Symbol.for(key);
  Object.defineProperty(errorClass.prototype, brand, { value: true });
  Object.defineProperty(errorClass, Symbol.hasInstance, {
    // A function, not an arrow: `this` is the class on the right of `instanceof`, which for a subclass that
    // inherited this static method is the subclass.
    value: function hasInstance(this: unknown, instance: unknown): boolean {
      if (this !== errorClass) return Function.prototype[Symbol.hasInstance].call(this, instance);
      return (
        typeof instance === 'object' &&
        instance !== null &&
        (instance as { [brand]?: unknown })[brand] === true
      );
    },
  });
}
