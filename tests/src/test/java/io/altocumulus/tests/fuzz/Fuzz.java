package io.altocumulus.tests.fuzz;

import io.altocumulus.rtmfp.wire.WireException;
import java.lang.management.ManagementFactory;

/**
 * The property every fuzz target checks (issue 8 item 1): hostile bytes end in a return or a
 * {@link WireException}, never another exception, and one input allocates no more than a bound
 * proportional to its size (what the parser may take from the wire is bounded, not what the wire
 * claims). Hangs are caught by the fuzzer's per-input timeout. Each input runs twice (see below).
 */
final class Fuzz {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Fuzz() {}

  /** A body that may throw only {@link WireException}. */
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs {@code body}; a {@link WireException} is the documented refusal and passes. Fails if the
   * thread allocated more than {@code maxAllocBytes} doing it.
   */
  static void check(String target, long maxAllocBytes, Body body) {
    // The first run links lambdas, string concatenations and classes on new paths, which the JVM
    // allocates for once; the second run of the same input is what the input itself costs.
    run(target, body);
    long tid = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(tid);
    run(target, body);
    long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
    if (allocated > maxAllocBytes) {
      throw new AssertionError(target + ": one input allocated " + allocated + " bytes (bound " + maxAllocBytes + ")");
    }
  }

  private static void run(String target, Body body) {
    try {
      body.run();
    } catch (WireException refused) {
      // the one allowed way to refuse input
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(target + ": checked exception escaped", e);
    }
  }
}
