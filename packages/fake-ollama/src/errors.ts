/**
 * Stable codes of {@link FakeOllamaConfigError}. A code never changes meaning once released; messages may
 * be improved freely, so match on the code.
 */
export const FakeOllamaErrorCode = Object.freeze({
  /** An option of `startFakeOllama()` (or a CLI flag) is missing, of the wrong type or out of range. */
  INVALID_OPTION: 'ERR_FAKE_OLLAMA_INVALID_OPTION',
  /** A model definition has no usable name, a duplicate name, or a bad field. */
  INVALID_MODEL: 'ERR_FAKE_OLLAMA_INVALID_MODEL',
  /** A fault passed to `faults.set()` cannot be used. */
  INVALID_FAULT: 'ERR_FAKE_OLLAMA_INVALID_FAULT',
  /** The server could not listen because the address is taken. */
  PORT_IN_USE: 'ERR_FAKE_OLLAMA_PORT_IN_USE',
  /** The server could not listen for another reason (permission, unknown host). */
  LISTEN_FAILED: 'ERR_FAKE_OLLAMA_LISTEN_FAILED',
} as const);

/** One of the stable error codes. */
export type FakeOllamaErrorCode = (typeof FakeOllamaErrorCode)[keyof typeof FakeOllamaErrorCode];

/**
 * The error the fake server throws for bad options, models, faults or a failed listen. It is a plain
 * `Error` with a `code`, so this package needs nothing from `@sightglass/core`.
 */
export class FakeOllamaConfigError extends Error {
  override readonly name = 'FakeOllamaConfigError';

  constructor(
    /** A stable code from {@link FakeOllamaErrorCode}. */
    readonly code: FakeOllamaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
