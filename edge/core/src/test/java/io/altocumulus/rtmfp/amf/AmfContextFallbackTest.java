package io.altocumulus.rtmfp.amf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The fallback externalizer: classes nobody registered go to it; registered ones do not. */
class AmfContextFallbackTest {
  static final AmfExternalizer SHORT = new AmfExternalizer() {
    @Override
    public Object readExternal(String className, Amf3Reader in) {
      if (className.equals("no.Reader")) {
        throw new IllegalStateException("no reader");
      }
      return className + "=" + in.readU16();
    }

    @Override
    public void writeExternal(Object value, Amf3Writer out) {
      out.output().writeU16((Integer) ((AmfObject) value).externalData());
    }
  };

  static byte[] external(String className, int v) {
    AmfOutput out = new AmfOutput();
    new Amf3Writer(out, new AmfContext().register(className, SHORT)).writeValue(AmfObject.externalized(className, v));
    return out.toByteArray();
  }

  @Test
  void unknownClassesGoToTheFallback() {
    AmfContext ctx = new AmfContext().fallback(SHORT);
    assertThat(new Amf3Reader(ByteBuffer.wrap(external("a.B", 7)), ctx).readValue()).isEqualTo("a.B=7");
    // A registered class keeps its own externalizer.
    assertThat(ctx.externalizer(AmfContext.ARRAY_COLLECTION)).isNotSameAs(SHORT);
    assertThat(ctx.externalizer("x.Y")).isSameAs(SHORT);
    // A fallback that cannot read a class makes the value malformed, as with no externalizer.
    assertThatThrownBy(() -> new Amf3Reader(ByteBuffer.wrap(external("no.Reader", 1)), ctx).readValue())
        .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_AMF));
    assertThatThrownBy(() -> new Amf3Reader(ByteBuffer.wrap(external("a.B", 7)), new AmfContext()).readValue())
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> AmfContext.DEFAULT.fallback(SHORT)).isInstanceOf(IllegalStateException.class);
  }
}
