package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;

/**
 * Thrown by parsers for input that breaks the wire format. Carries the {@link DropCause} under
 * which the refusal is counted. Stack traces are off: this is a routine, attacker-driven path.
 */
public final class WireException extends RuntimeException {
  private final DropCause cause;

  public WireException(DropCause cause, String message) {
    super(message, null, false, false);
    this.cause = cause;
  }

  public DropCause dropCause() {
    return cause;
  }
}
