package io.altocumulus.rtmfp.crypto;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Option;
import io.altocumulus.rtmfp.wire.OptionList;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;

/**
 * The responder's answer to the RFC 7425 §4.6.4 negotiations of per-packet HMAC (option 0x1A:
 * {@code flags, VLU hmacLength}) and session sequence numbers (option 0x1E: {@code flags}). Flags:
 * 0x04 will send always, 0x02 will send on request, 0x01 request. We send what the initiator
 * requests and check what it says it will always send; we request nothing ourselves, so an
 * initiator that only offers (Flash: {@code 03 1a 02 0a 02 1e 02}) gets both declined in the
 * exact bytes {@code 03 1a 00 00 02 1e 00} that Flash-exact clients read by position
 * (REAL-CLIENTS §3–4). An initiator that requires them (rtmfp-cpp by default: flags 0x07) gets
 * them.
 *
 * @param sendHmac we append an HMAC to every session packet
 * @param sendHmacLength its length (what our option announces)
 * @param recvHmac every session packet we receive carries an HMAC
 * @param recvHmacLength its length, as the initiator announced
 * @param sendSequence we put a session sequence number in front of every session packet
 * @param recvSequence every session packet we receive starts with one
 */
public record Negotiation(boolean sendHmac, int sendHmacLength, boolean recvHmac, int recvHmacLength,
    boolean sendSequence, boolean recvSequence) {
  public static final int FLAG_SEND_ALWAYS = 0x04;
  public static final int FLAG_SEND_ON_REQUEST = 0x02;
  public static final int FLAG_REQUEST = 0x01;
  /** RFC 7425 §4.6.4 bounds an HMAC length; rtmfp-cpp accepts 4 to 32. */
  public static final int MIN_HMAC_LENGTH = 4;
  public static final int MAX_HMAC_LENGTH = 32;
  /** The HMAC length we announce and send: half of SHA-256, as RFC 2104 §5 recommends at least. */
  public static final int OUR_HMAC_LENGTH = 16;

  public static final Negotiation NONE = new Negotiation(false, 0, false, 0, false, false);

  public boolean any() {
    return sendHmac || recvHmac || sendSequence || recvSequence;
  }

  /**
   * Our answer to the initiator's keying component.
   *
   * @throws WireException {@link DropCause#BAD_KEYING} if the SKIC does not parse or announces an
   *     HMAC it will always send with a length outside 4..32
   */
  public static Negotiation answer(byte[] skic) {
    OptionList options;
    try {
      options = OptionList.parse(skic);
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_KEYING, "SKIC: " + e.getMessage());
    }
    int hmacFlags = 0;
    long hmacLength = 0;
    Option h = options.find(KeyingComponents.OPT_HMAC_NEGOTIATION);
    if (h != null && h.value().length > 0) {
      ByteBuffer v = ByteBuffer.wrap(h.value());
      hmacFlags = v.get() & 0xFF;
      if (v.hasRemaining()) {
        try {
          hmacLength = Vlu.read(v);
        } catch (WireException e) {
          throw new WireException(DropCause.BAD_KEYING, "HMAC negotiation length");
        }
      }
    }
    int seqFlags = 0;
    Option q = options.find(KeyingComponents.OPT_SESSION_SEQUENCE_NEGOTIATION);
    if (q != null && q.value().length > 0) {
      seqFlags = q.value()[0] & 0xFF;
    }
    boolean recvHmac = (hmacFlags & FLAG_SEND_ALWAYS) != 0;
    if (recvHmac && (hmacLength < MIN_HMAC_LENGTH || hmacLength > MAX_HMAC_LENGTH)) {
      throw new WireException(DropCause.BAD_KEYING, "HMAC length " + hmacLength + " outside 4..32");
    }
    boolean sendHmac = (hmacFlags & FLAG_REQUEST) != 0;
    return new Negotiation(sendHmac, sendHmac ? OUR_HMAC_LENGTH : 0, recvHmac, recvHmac ? (int) hmacLength : 0,
        (seqFlags & FLAG_REQUEST) != 0, (seqFlags & FLAG_SEND_ALWAYS) != 0);
  }

  /**
   * The two negotiation options that open our SKRC: {@code 03 1a 00 00 02 1e 00} when declined,
   * else {@code 03 1a <flags> <len>} / {@code 02 1e <flags>} with what we do.
   */
  public byte[] responderOptions() {
    boolean hmac = sendHmac || recvHmac;
    boolean seq = sendSequence || recvSequence;
    int hmacFlags = hmac ? flags(sendHmac, recvHmac) : 0;
    int hmacLen = hmac ? OUR_HMAC_LENGTH : 0;
    return new byte[] {0x03, (byte) KeyingComponents.OPT_HMAC_NEGOTIATION, (byte) hmacFlags, (byte) hmacLen,
        0x02, (byte) KeyingComponents.OPT_SESSION_SEQUENCE_NEGOTIATION, (byte) (seq ? flags(sendSequence, recvSequence) : 0)};
  }

  private static int flags(boolean send, boolean require) {
    return (send ? FLAG_SEND_ALWAYS : 0) | FLAG_SEND_ON_REQUEST | (require ? FLAG_REQUEST : 0);
  }
}
