package io.altocumulus.rtmfp.tc;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The raw messages of a NetGroup ({@code GC}) flow between a client and the server (RTMFP-WIRE
 * §8.9). Neither carries the TC timestamp (RTMFP-WIRE §8.2, type 0x01):
 * <pre>
 *   join   (client to server): 01 | VLU(L) | marker (1) | value (L-1 bytes)
 *           marker 0x10: value is the group specifier, group id = SHA-256(value)
 *           other marker (0x15 in practice, L = 0x21): value is the 32-byte group id
 *   member (server to client): 0B | peer id (32)
 * </pre>
 */
public final class NetGroupMessage {
  /** Type byte of the join message (RTMFP-WIRE §8.2 "NetGroup raw"). */
  public static final int JOIN = 0x01;
  /** Type byte of a member announcement; librtmfp's GROUP_MEMBER. */
  public static final int MEMBER = 0x0B;
  /** Join marker: the value is a group specifier to hash. */
  public static final int MARKER_SPECIFIER = 0x10;
  /** Join marker librtmfp (and so, presumably, Flash) uses with a 32-byte group id. */
  public static final int MARKER_GROUP_ID = 0x15;
  /** Group ids and peer ids are 32 bytes (SHA-256). */
  public static final int ID_LENGTH = 32;
  /** Length of a member message. */
  public static final int MEMBER_LENGTH = 1 + ID_LENGTH;

  private NetGroupMessage() {}

  /**
   * The group id a join message names. The specifier is hashed where it lies in {@code buf}:
   * nothing is allocated from a length read on the wire. Bytes after the value are ignored.
   */
  public static byte[] parseJoin(byte[] buf, int off, int len) {
    if (len < 3 || (buf[off] & 0xFF) != JOIN) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "NetGroup join message too short or not type 0x01");
    }
    ByteBuffer in = ByteBuffer.wrap(buf, off + 1, len - 1);
    long l;
    try {
      l = Vlu.read(in);
    } catch (WireException e) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "NetGroup join: " + e.getMessage());
    }
    if (l < 1 || l > in.remaining()) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "NetGroup join: length " + l + " with " + in.remaining() + " bytes left");
    }
    int marker = in.get() & 0xFF;
    int valueOff = in.position();
    int valueLen = (int) l - 1;
    if (marker == MARKER_SPECIFIER) {
      MessageDigest sha = sha256();
      sha.update(buf, valueOff, valueLen);
      return sha.digest();
    }
    if (valueLen != ID_LENGTH) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "NetGroup join: marker 0x" + Integer.toHexString(marker)
          + " with a " + valueLen + "-byte group id");
    }
    return Arrays.copyOfRange(buf, valueOff, valueOff + ID_LENGTH);
  }

  /** A join naming the group by its id: {@code 01 21 15 <id>}, as librtmfp sends it. */
  public static byte[] joinWithId(byte[] groupId) {
    checkId(groupId);
    byte[] m = new byte[3 + ID_LENGTH];
    m[0] = JOIN;
    m[1] = (byte) (ID_LENGTH + 1);
    m[2] = (byte) MARKER_GROUP_ID;
    System.arraycopy(groupId, 0, m, 3, ID_LENGTH);
    return m;
  }

  /** A join carrying a group specifier, which the server hashes: {@code 01 VLU(L) 10 <specifier>}. */
  public static byte[] joinWithSpecifier(byte[] specifier) {
    long l = specifier.length + 1L;
    ByteBuffer out = ByteBuffer.allocate(1 + Vlu.size(l) + (int) l);
    out.put((byte) JOIN);
    Vlu.write(out, l);
    out.put((byte) MARKER_SPECIFIER).put(specifier);
    return out.array();
  }

  /** The group id the server derives from a specifier join (RTMFP-WIRE §8.9). */
  public static byte[] groupIdOfSpecifier(byte[] specifier) {
    return sha256().digest(specifier);
  }

  /** {@code 0B <peer id>}. */
  public static byte[] member(byte[] peerId) {
    checkId(peerId);
    byte[] m = new byte[MEMBER_LENGTH];
    m[0] = MEMBER;
    System.arraycopy(peerId, 0, m, 1, ID_LENGTH);
    return m;
  }

  /** The peer id of a member message. */
  public static byte[] parseMember(byte[] buf, int off, int len) {
    if (len < MEMBER_LENGTH || (buf[off] & 0xFF) != MEMBER) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "NetGroup member message too short or not type 0x0B");
    }
    return Arrays.copyOfRange(buf, off + 1, off + MEMBER_LENGTH);
  }

  private static void checkId(byte[] id) {
    if (id == null || id.length != ID_LENGTH) {
      throw new IllegalArgumentException("a group or peer id is " + ID_LENGTH + " bytes");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
