package io.altocumulus.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.wire.ChunkIterator;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.PacketHeader;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.BufferProbe;
import io.altocumulus.rtmfp.wire.chunk.ChunkType;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.FlowExceptionReport;
import io.altocumulus.rtmfp.wire.chunk.ForwardedIHello;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import io.altocumulus.rtmfp.wire.chunk.IIKeying;
import io.altocumulus.rtmfp.wire.chunk.Ping;
import io.altocumulus.rtmfp.wire.chunk.PingReply;
import io.altocumulus.rtmfp.wire.chunk.RHello;
import io.altocumulus.rtmfp.wire.chunk.RHelloCookieChange;
import io.altocumulus.rtmfp.wire.chunk.RIKeying;
import io.altocumulus.rtmfp.wire.chunk.Redirect;
import io.altocumulus.rtmfp.wire.chunk.SessionCloseAck;
import io.altocumulus.rtmfp.wire.chunk.SessionCloseRequest;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.OptionList;
import io.altocumulus.rtmfp.wire.PeerAddress;
import io.altocumulus.rtmfp.wire.Vlu;
import java.nio.ByteBuffer;

/**
 * The packet decoder and every chunk parser of {@code io.altocumulus.rtmfp.wire.chunk} under
 * arbitrary bytes. Seeds: {@code src/test/resources/io/altocumulus/tests/fuzz/WireFuzzTestInputs/}
 * (RTMFP-WIRE §12 vectors). Regression mode in the suite; {@code JAZZER_FUZZ=1} fuzzes (tests/FUZZING.md).
 */
class WireFuzzTest {
  /** A known key: the default key, so every fuzzed plaintext passes the checksum. */
  private static final PacketCipher KEY = PacketCipher.forDefaultKey();
  private static final long ALLOC = 1 << 20;

  private final PacketHeader header = new PacketHeader();
  private final ChunkIterator chunks = new ChunkIterator();
  private final UserData userData = new UserData();
  private final DataAck ack = new DataAck();
  private final BufferProbe probe = new BufferProbe();
  private final FlowExceptionReport exception = new FlowExceptionReport();

  /**
   * {@code data} is a decrypted packet from its flags byte on (RTMFP-WIRE §2.1). It is sealed with
   * a known key, then opened, its header parsed and its chunks walked and parsed as a session
   * would. The raw bytes are also offered to the outer decoder as a datagram.
   */
  @FuzzTest(maxDuration = "5s")
  void packet(byte[] data) {
    Fuzz.check("datagram", ALLOC, () -> {
      byte[] raw = data.clone();
      PacketCodec.sessionId(raw, 0, raw.length);
      PacketCodec.open(raw, 0, raw.length, KEY);
    });
    Fuzz.check("packet", ALLOC + 8L * data.length, () -> {
      byte[] buf = new byte[data.length + 6 + 16];
      System.arraycopy(data, 0, buf, PacketCodec.PLAINTEXT_OFFSET, data.length);
      int n = PacketCodec.seal(buf, 0, PacketCodec.PLAINTEXT_OFFSET + data.length, 0, KEY);
      if (PacketCodec.sessionId(buf, 0, n) != 0) {
        throw new AssertionError("session id not unscrambled");
      }
      PacketCodec.open(buf, 0, n, KEY);
      int p = header.parse(buf, PacketCodec.PLAINTEXT_OFFSET, n);
      ByteBuffer view = ByteBuffer.wrap(buf);
      chunks.reset(view, p, n);
      userData.reset();
      while (chunks.next()) {
        int start = chunks.payloadOffset();
        int end = start + chunks.payloadLength();
        try {
          parseChunk(chunks.type(), view);
        } catch (WireException e) {
          // one refused chunk; the walk goes on as a session's would
        }
        if (view.position() < start || view.position() > end || view.limit() != end) {
          throw new AssertionError("parser left the chunk: " + view.position() + " not in " + start + ".." + end);
        }
      }
    });
  }

  /** {@code data} is one chunk payload, handed to every chunk parser in turn. */
  @FuzzTest(maxDuration = "5s")
  void chunkParsers(byte[] data) {
    for (int type : new int[] {ChunkType.PING, ChunkType.PING_REPLY, ChunkType.SESSION_CLOSE_REQUEST,
        ChunkType.SESSION_CLOSE_ACK, ChunkType.FORWARDED_IHELLO, ChunkType.USER_DATA, ChunkType.NEXT_USER_DATA,
        ChunkType.BUFFER_PROBE, ChunkType.IHELLO, ChunkType.IIKEYING, ChunkType.DATA_ACK_BITMAP,
        ChunkType.DATA_ACK_RANGES, ChunkType.FLOW_EXCEPTION_REPORT, ChunkType.RHELLO, ChunkType.REDIRECT,
        ChunkType.RIKEYING, ChunkType.RHELLO_COOKIE_CHANGE}) {
      Fuzz.check("chunk 0x" + Integer.toHexString(type), ALLOC + 8L * data.length, () -> {
        ByteBuffer in = ByteBuffer.wrap(data);
        parseChunk(type, in);
      });
    }
    // The encodings below the chunks (RTMFP-WIRE §3).
    Fuzz.check("vlu", ALLOC, () -> {
      ByteBuffer in = ByteBuffer.wrap(data);
      while (in.hasRemaining()) {
        Vlu.read(in);
      }
    });
    Fuzz.check("options", ALLOC + 8L * data.length, () -> OptionList.parse(ByteBuffer.wrap(data)));
    Fuzz.check("address", ALLOC, () -> PeerAddress.parse(ByteBuffer.wrap(data)));
    Fuzz.check("epd", ALLOC + 8L * data.length, () -> EndpointDiscriminator.parse(data.clone()));
  }

  private void parseChunk(int type, ByteBuffer in) {
    switch (type) {
      case ChunkType.PING -> Ping.parse(in);
      case ChunkType.PING_REPLY -> PingReply.parse(in);
      case ChunkType.SESSION_CLOSE_REQUEST -> SessionCloseRequest.parse(in);
      case ChunkType.SESSION_CLOSE_ACK -> SessionCloseAck.parse(in);
      case ChunkType.FORWARDED_IHELLO -> ForwardedIHello.parse(in);
      case ChunkType.USER_DATA -> userData.parse(in);
      case ChunkType.NEXT_USER_DATA -> {
        // A 0x11 needs a 0x10 before it in the packet; try both states.
        int at = in.position();
        try {
          userData.parseNext(in);
        } catch (WireException e) {
          // stray 0x11 when nothing precedes it
        }
        in.position(at);
        userData.parse(ByteBuffer.wrap(new byte[] {0, 1, 1, 0}));
        userData.parseNext(in);
      }
      case ChunkType.BUFFER_PROBE -> probe.parse(in);
      case ChunkType.IHELLO -> IHello.parse(in).discriminator();
      case ChunkType.IIKEYING -> IIKeying.parse(in);
      case ChunkType.DATA_ACK_BITMAP -> ack.parseBitmap(in);
      case ChunkType.DATA_ACK_RANGES -> ack.parseRanges(in);
      case ChunkType.FLOW_EXCEPTION_REPORT -> exception.parse(in);
      case ChunkType.RHELLO -> RHello.parse(in);
      case ChunkType.REDIRECT -> Redirect.parse(in);
      case ChunkType.RIKEYING -> RIKeying.parse(in);
      case ChunkType.RHELLO_COOKIE_CHANGE -> RHelloCookieChange.parse(in);
      default -> { } // unknown chunks are skipped
    }
  }
}
