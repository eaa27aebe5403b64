package io.altocumulus.rtmfp.time;

/**
 * Monotonic time source injected into the protocol core. The core never reads the system clock
 * itself, so tests drive it with {@code FakeClock} and the adapters pass {@code System::nanoTime}.
 */
@FunctionalInterface
public interface Clock {
  /** Monotonic nanoseconds; only differences are meaningful. */
  long nanoTime();

  default long millis() {
    return nanoTime() / 1_000_000L;
  }
}
