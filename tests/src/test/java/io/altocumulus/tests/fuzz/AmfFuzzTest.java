package io.altocumulus.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.altocumulus.rtmfp.amf.Amf;
import io.altocumulus.rtmfp.amf.Amf0Reader;
import io.altocumulus.rtmfp.amf.Amf3Reader;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfLimits;
import io.altocumulus.rtmfp.tc.NetGroupMessage;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcData;
import io.altocumulus.rtmfp.tc.TcMetadata;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * AMF0 and AMF3 readers (with {@link AmfLimits}) and the Flash-profile message parsers of
 * {@code io.altocumulus.rtmfp.tc} (RTMFP-WIRE §8) under arbitrary bytes. Allocation is checked
 * twice: under tight limits it must stay within a small multiple of the input, under the default
 * limits within what those limits allow.
 */
class AmfFuzzTest {
  /** Limits small enough that the allocation bound below is tight. */
  static final AmfContext TIGHT = new AmfContext(new AmfLimits(16, 1024, 4096, 1024, 64 << 10)).freeze();
  private static final long TIGHT_ALLOC = 1 << 20;
  /** DEFAULT: depth 64, 65536 values, 1 MiB strings, 65536 items; a claim costs at most its limit. */
  private static final long DEFAULT_ALLOC = 24L << 20;

  @FuzzTest(maxDuration = "5s")
  void amf0(byte[] data) {
    for (AmfContext ctx : new AmfContext[] {TIGHT, AmfContext.DEFAULT}) {
      List<Object> values = new ArrayList<>();
      Fuzz.check("amf0", bound(ctx, data), () -> {
        values.clear();
        Amf0Reader in = new Amf0Reader(ByteBuffer.wrap(data), ctx);
        while (in.hasRemaining()) {
          values.add(in.readValue());
        }
      });
      render(values);
    }
  }

  @FuzzTest(maxDuration = "5s")
  void amf3(byte[] data) {
    for (AmfContext ctx : new AmfContext[] {TIGHT, AmfContext.DEFAULT}) {
      List<Object> values = new ArrayList<>();
      Fuzz.check("amf3", bound(ctx, data), () -> {
        values.clear();
        Amf3Reader in = new Amf3Reader(ByteBuffer.wrap(data), ctx);
        while (in.hasRemaining()) {
          values.add(in.readValue());
        }
      });
      render(values);
    }
  }

  /**
   * What logs and comparisons do with a decoded value (cycles and shared references included):
   * bounded per value, since {@code describe} stops at 1024 characters.
   */
  private static void render(List<Object> values) {
    Fuzz.check("describe/deepEquals", TIGHT_ALLOC + (16L << 10) * values.size(), () -> {
      for (Object v : values) {
        Amf.describe(v);
        Amf.deepEquals(v, v);
      }
    });
  }

  /** {@code data} is a whole TC message (type byte, timestamp, body) or metadata/NetGroup bytes. */
  @FuzzTest(maxDuration = "5s")
  void tcMessages(byte[] data) {
    for (AmfContext ctx : new AmfContext[] {TIGHT, AmfContext.DEFAULT}) {
      Fuzz.check("TcCommand", bound(ctx, data), () -> TcCommand.parse(data, 0, data.length, ctx));
      Fuzz.check("TcData", bound(ctx, data), () -> TcData.parse(data, 0, data.length, ctx));
    }
    Fuzz.check("TcMetadata", TIGHT_ALLOC, () -> TcMetadata.parse(data.clone()));
    Fuzz.check("NetGroup join", TIGHT_ALLOC, () -> NetGroupMessage.parseJoin(data, 0, data.length));
    Fuzz.check("NetGroup member", TIGHT_ALLOC, () -> NetGroupMessage.parseMember(data, 0, data.length));
  }

  static long bound(AmfContext ctx, byte[] data) {
    return (ctx == TIGHT ? TIGHT_ALLOC : DEFAULT_ALLOC) + 64L * data.length;
  }
}
