package io.altocumulus.rtmfp.amf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and mutated inputs: the readers may only succeed or throw WireException(MALFORMED_AMF). */
class AmfRobustnessTest {
  private static final int RUNS = 20_000;

  static List<byte[]> corpus() {
    List<byte[]> seeds = new ArrayList<>();
    AmfObject typed = new AmfObject("com.x.T").setDynamic(true);
    typed.sealed().put("a", 1);
    typed.sealed().put("b", "bee");
    typed.put("self", typed);
    AmfDictionary dict = new AmfDictionary(true);
    dict.entries().put(typed, AmfArray.of(1, 2));
    dict.entries().put("k", new AmfDate(7));
    AmfVector vo = new AmfVector(AmfVector.Kind.OBJECT, false, "T");
    vo.values().addAll(List.of(typed, "s", 3.5));
    AmfVector vu = new AmfVector(AmfVector.Kind.UINT, true, null);
    vu.values().addAll(List.of(1L, 2L));
    AmfArray arr = AmfArray.of("x", "x", typed, new byte[] {1, 2, 3}, new AmfXml("<a/>", false));
    arr.associative().put("assoc", Amf.UNDEFINED);
    Object[] values = {typed, dict, vo, vu, arr,
        AmfObject.externalized(AmfContext.ARRAY_COLLECTION, AmfArray.of(typed, typed))};
    for (Object v : values) {
      AmfOutput out = new AmfOutput();
      new Amf3Writer(out).writeValue(v);
      seeds.add(out.toByteArray());
      AmfOutput out0 = new AmfOutput();
      Amf0Writer w = new Amf0Writer(out0, Amf0Writer.Mode.AMF3_SWITCH);
      w.writeString("cmd");
      w.writeNumber(3);
      w.writeNull();
      w.writeValue(v);
      seeds.add(out0.toByteArray());
    }
    AmfOutput pure = new AmfOutput();
    Amf0Writer p = new Amf0Writer(pure, Amf0Writer.Mode.PURE);
    AmfObject anon = new AmfObject().put("a", "b").put("n", 1.0);
    anon.put("me", anon);
    AmfArray ecma = AmfArray.of(1.0, anon);
    ecma.associative().put("k", new AmfDate(1));
    p.writeValue(ecma);
    p.writeValue(new AmfXml("<x/>", true));
    p.writeValue(typed.sealed());
    seeds.add(pure.toByteArray());
    return seeds;
  }

  /** Returns true when every value decoded. */
  static boolean readAll(byte[] input, boolean amf0) {
    try {
      ByteBuffer buf = ByteBuffer.wrap(input);
      AmfReader r = amf0 ? new Amf0Reader(buf) : new Amf3Reader(buf);
      while (r.hasRemaining()) {
        Object v = r.readValue();
        Amf.describe(v); // rendering a decoded graph must not blow up either
      }
      return true;
    } catch (WireException e) {
      assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_AMF);
      return false;
    } catch (Throwable t) {
      fail("input " + Hex.hex(input) + " (amf0=" + amf0 + ") threw " + t, t);
      return false;
    }
  }

  @Test
  void mutatedAndRandomInputsOnlyGiveWireException() {
    Random rnd = new Random(0x5EED);
    List<byte[]> seeds = corpus();
    for (int i = 0; i < seeds.size(); i++) {
      boolean amf0 = i % 2 == 1 || i == seeds.size() - 1;
      assertThat(readAll(seeds.get(i), amf0)).as("seed %d decodes", i).isTrue();
    }
    int decoded = 0;
    for (int run = 0; run < RUNS; run++) {
      byte[] input;
      if (run % 5 == 0) {
        input = new byte[rnd.nextInt(64)];
        rnd.nextBytes(input);
        // bias towards valid markers so the parsers go deep
        for (int i = 0; i < input.length; i += 1 + rnd.nextInt(4)) {
          input[i] = (byte) rnd.nextInt(0x12);
        }
      } else {
        byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
        input = mutate(seed, rnd);
      }
      decoded += readAll(input, true) ? 1 : 0;
      decoded += readAll(input, false) ? 1 : 0;
    }
    assertThat(decoded).as("some mutated inputs still decode").isPositive();
  }

  static byte[] mutate(byte[] seed, Random rnd) {
    byte[] b = seed.clone();
    int edits = 1 + rnd.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int pos = rnd.nextInt(b.length);
      switch (rnd.nextInt(5)) {
        case 0 -> b[pos] = (byte) rnd.nextInt(256);
        case 1 -> b[pos] ^= (byte) (1 << rnd.nextInt(8));
        case 2 -> b = Arrays.copyOf(b, pos); // truncate
        case 3 -> { // delete one byte
          byte[] c = new byte[b.length - 1];
          System.arraycopy(b, 0, c, 0, pos);
          System.arraycopy(b, pos + 1, c, pos, b.length - pos - 1);
          b = c;
        }
        default -> { // insert a marker-like byte
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, pos);
          c[pos] = (byte) rnd.nextInt(0x20);
          System.arraycopy(b, pos, c, pos + 1, b.length - pos);
          b = c;
        }
      }
    }
    return b;
  }
}
