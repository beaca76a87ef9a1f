/**
 * A message that can never be processed (malformed, wrong shape). Not retryable: it goes
 * straight to the dead-letter queue with `reason`.
 */
export class InvalidMessageError extends Error {
  override readonly name = "InvalidMessageError";
  readonly retryable = false;
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}
