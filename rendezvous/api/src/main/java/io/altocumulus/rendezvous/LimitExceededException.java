package io.altocumulus.rendezvous;

/**
 * A registration or group join refused because a configured memory bound (peers, groups, members
 * per group) is reached. Rendezvous stages complete exceptionally with it; the gRPC shard maps it
 * to {@code RESOURCE_EXHAUSTED} and back.
 */
public final class LimitExceededException extends RuntimeException {
  public LimitExceededException(String message) {
    super(message, null, false, false); // no stack trace: a refusal is routine, not a bug
  }
}
