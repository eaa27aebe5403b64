package io.altocumulus.rtmfp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.tc.TcMetadata;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 4c: clock jumps. The core reads only the monotonic {@code Clock} (no wall clock:
 * cookie lifetime, timeouts and keepalives are all measured on it), so a jump means a suspended
 * process (forward) or a broken clock source (backward). Decided: forward, the session is judged
 * idle as RFC 7016 §3.5.5 / RTMFP-WIRE §9 say and closes cleanly; backward, nothing expires
 * early, the session keeps working; neither throws.
 */
class ClockJumpTest {
  @Nested
  class Jumps extends EndpointPairTest {
    void roundTrip(Session c, SendFlow f, String text) {
      c.write(f, text.getBytes(), true);
      net.pump();
    }

    @Test
    void forwardOneHourClosesIdleSessionsCleanly() {
      Session c = connect(null);
      SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
      roundTrip(c, f, "before");
      net.clock.advanceMillis(3_600_000L);
      server.tick();
      client.tick();
      net.pump();
      net.advance(20_000, 500); // probes and close requests run their course
      assertThat(serverClosed).hasSize(1);
      assertThat(serverDrops.total()).isZero();
    }

    @Test
    void forwardJumpShorterThanIdleTimeoutKeepsTheSession() {
      Session c = connect(null);
      SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
      // Under the idle timeout (6 x 15 s): the session is probed, answers, and survives.
      net.clock.advanceMillis(60_000L);
      net.advance(5_000, 250);
      roundTrip(c, f, "after");
      assertThat(serverClosed).isEmpty();
      assertThat(clientClosed).isEmpty();
      assertThat(serverReceived).extracting(String::new).containsExactly("after");
      assertThat(clientReceived).extracting(String::new).containsExactly("after");
    }

    @Test
    void backwardJumpKeepsSessionsWorking() {
      Session c = connect(null);
      SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
      roundTrip(c, f, "one");
      net.clock.advanceNanos(-600_000_000_000L); // ten minutes back
      net.advance(3_000, 250);
      roundTrip(c, f, "two");
      net.advance(30_000, 500);
      roundTrip(c, f, "three");
      assertThat(serverClosed).isEmpty();
      assertThat(clientClosed).isEmpty();
      assertThat(serverReceived).extracting(String::new).containsExactly("one", "two", "three");
      assertThat(clientReceived).extracting(String::new).containsExactly("one", "two", "three");
      // A new handshake (fresh cookie) still works after the jump.
      assertThat(connect(null)).isNotNull();
    }
  }
}
