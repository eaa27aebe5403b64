package io.altocumulus.rtmfp.crypto;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static io.altocumulus.rtmfp.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import org.junit.jupiter.api.Test;

/** RFC 7425 §4.6.4 HMAC and session-sequence negotiation, responder side. */
class NegotiationTest {
  static final String RANDOM = "410e" + "00".repeat(64);

  @Test
  void flashOffersOnlySoBothAreDeclinedInFlashBytes() {
    byte[] skic = bytes("021d02" + RANDOM + "031a020a021e02");
    Negotiation n = Negotiation.answer(skic);
    assertThat(n).isEqualTo(Negotiation.NONE);
    assertThat(hex(n.responderOptions())).isEqualTo("031a0000021e00");
    byte[] skrc = KeyingComponents.responderSkrc(DhGroup.MODP_1024, new byte[128]);
    assertThat(KeyingComponents.responderSkrc(skrc, n)).isSameAs(skrc);
  }

  @Test
  void rtmfpCppRequiresBothAndGetsThem() {
    // rtmfp-cpp default: flags 0x07 (send always, send on request, request), HMAC length 16.
    byte[] skic = bytes("021d0e" + RANDOM + "031a0710021e07");
    Negotiation n = Negotiation.answer(skic);
    assertThat(n).isEqualTo(new Negotiation(true, 16, true, 16, true, true));
    assertThat(hex(n.responderOptions())).isEqualTo("031a0710021e07");
    byte[] declined = KeyingComponents.responderSkrc(DhGroup.MODP_1024, new byte[128]);
    byte[] skrc = KeyingComponents.responderSkrc(declined, n);
    assertThat(hex(skrc)).startsWith("031a0710021e0781020d02");
    assertThat(skrc).hasSameSizeAs(declined);
    assertThat(KeyingComponents.responderKey(skrc).publicKey()).isEqualTo(new byte[128]);
  }

  @Test
  void eachDirectionAndOptionIsIndependent() {
    // HMAC: request only (we send, they do not); sequence numbers: they send always, no request.
    Negotiation n = Negotiation.answer(bytes("031a0100021e04"));
    assertThat(n).isEqualTo(new Negotiation(true, 16, false, 0, false, true));
    assertThat(hex(n.responderOptions())).isEqualTo("031a0610021e03");
    // No negotiation options at all (an RFC-only initiator).
    assertThat(Negotiation.answer(bytes(RANDOM))).isEqualTo(Negotiation.NONE);
  }

  @Test
  void announcedHmacLengthMustBeUsable() {
    for (String opt : new String[] {"031a0403", "031a0421", "021a04"}) {
      assertThatThrownBy(() -> Negotiation.answer(bytes(opt)))
          .as(opt)
          .isInstanceOfSatisfying(WireException.class,
              e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_KEYING));
    }
    assertThat(Negotiation.answer(bytes("031a0404")).recvHmacLength()).isEqualTo(4);
    assertThat(Negotiation.answer(bytes("031a0420")).recvHmacLength()).isEqualTo(32);
  }
}
