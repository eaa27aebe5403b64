package io.altocumulus.tests.bench;

import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.wire.ChunkIterator;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.PacketHeader;
import io.altocumulus.rtmfp.wire.chunk.ChunkType;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-packet cost of the wire layer on the steady session path, both directions:
 * <ul>
 *   <li>{@code open}: AES-CBC decrypt + checksum ({@link PacketCodec#open}), header, chunk walk,
 *       {@link UserData#parse} / {@link DataAck#parseRanges};
 *   <li>{@code seal}: {@link PacketHeader#write}, chunk writes, {@link PacketCodec#seal}.
 * </ul>
 * {@code size} is the packet length before padding (the cap of RTMFP-WIRE §1 counts that way).
 * {@code size=1192}: a full data packet (header with timestamp and echo, one User Data chunk with
 * a 1173-byte fragment), 1204 bytes on the wire. {@code size=64}: an ack + small message packet
 * (Data Ack ranges + User Data with 38 bytes), 68 bytes on the wire. {@code open} decrypts in
 * place, so each op first copies the ciphertext back ({@link #copyOnly} measures that copy).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PacketCodecBench {
  static final int SSID = 0x12345603;
  static final long FLOW = 2;

  @Param({"1192", "64"})
  public int size;

  PacketCipher cipher;
  byte[] data;
  int dataLength;
  byte[] sealed;
  int sealedLength;
  byte[] rx = new byte[2048];
  ByteBuffer rxView = ByteBuffer.wrap(rx);
  byte[] tx = new byte[2048];
  ByteBuffer txView = ByteBuffer.wrap(tx);
  final PacketHeader header = new PacketHeader();
  final ChunkIterator chunks = new ChunkIterator();
  final UserData userData = new UserData();
  final DataAck ack = new DataAck();
  long seq = 1000;
  int plainEnd;

  @Setup
  public void setUp() {
    byte[] key = new byte[16];
    new Random(1).nextBytes(key);
    cipher = new PacketCipher(key);
    dataLength = size == 1192 ? 1173 : 38;
    data = new byte[dataLength];
    new Random(2).nextBytes(data);
    sealedLength = seal();
    sealed = java.util.Arrays.copyOf(tx, sealedLength);
    if (plainEnd != size) {
      throw new IllegalStateException("packet of " + plainEnd + " bytes before padding, wanted " + size);
    }
    if (open() == 0) {
      throw new IllegalStateException("sealed packet does not open");
    }
  }

  /** Header, chunks, padding, checksum, encryption: one outgoing packet. */
  @Benchmark
  public int seal() {
    long s = seq++;
    int p = PacketHeader.write(tx, PacketCodec.PLAINTEXT_OFFSET, PacketHeader.MODE_INITIATOR, 0x1234, 0x0FED);
    ByteBuffer out = txView;
    out.limit(tx.length);
    out.position(p);
    if (size != 1192) {
      ack.clear(FLOW + 1, 0x7F, 500);
      ack.write(out);
    }
    UserData.write(out, false, UserData.WHOLE, FLOW, s, 1, null, -1, data, 0, dataLength);
    plainEnd = out.position();
    return PacketCodec.seal(tx, 0, out.position(), SSID, cipher);
  }

  /** Copy of the ciphertext into the receive buffer, then decrypt and parse every chunk. */
  @Benchmark
  public long open() {
    System.arraycopy(sealed, 0, rx, 0, sealedLength);
    int len = sealedLength;
    if (PacketCodec.sessionId(rx, 0, len) != SSID) {
      return 0;
    }
    PacketCodec.open(rx, 0, len, cipher);
    int p = header.parse(rx, PacketCodec.PLAINTEXT_OFFSET, len);
    long sum = header.timestamp();
    userData.reset();
    chunks.reset(rxView, p, len);
    while (chunks.next()) {
      switch (chunks.type()) {
        case ChunkType.USER_DATA -> {
          userData.parse(rxView);
          sum += userData.sequenceNumber() + userData.dataLength() + rx[userData.dataOffset()];
        }
        case ChunkType.NEXT_USER_DATA -> {
          userData.parseNext(rxView);
          sum += userData.sequenceNumber() + userData.dataLength();
        }
        case ChunkType.DATA_ACK_RANGES -> {
          ack.parseRanges(rxView);
          sum += ack.cumulativeAck();
        }
        default -> sum++;
      }
    }
    return sum;
  }

  /** The receive-buffer copy {@link #open} starts with, alone (subtract it from open). */
  @Benchmark
  public byte[] copyOnly() {
    System.arraycopy(sealed, 0, rx, 0, sealedLength);
    return rx;
  }
}
