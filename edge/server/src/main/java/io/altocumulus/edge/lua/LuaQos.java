package io.altocumulus.edge.lua;

import io.altocumulus.edge.stream.StreamQos;
import org.luaj.vm2.LuaValue;

/**
 * A QoS object (CUMULUS-FEATURES §5.11): {@code lostRate} (0..1), {@code byteRate} (B/s),
 * {@code congestionRate} (-1..1), {@code latency} (ms), {@code droppedFrames}, all over the last
 * 5 s and read live on each access. Owned by its publication or listener binding (not persistent
 * on its own).
 */
public final class LuaQos extends LuaBinding {
  private final StreamQos qos;

  LuaQos(LuaHost host, StreamQos qos) {
    super(host);
    this.qos = qos;
  }

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "lostRate" -> LuaValue.valueOf(qos.lostRate());
      case "byteRate" -> LuaValue.valueOf(qos.byteRate());
      case "congestionRate" -> LuaValue.valueOf(qos.congestionRate());
      case "latency" -> LuaValue.valueOf((double) qos.latency());
      case "droppedFrames" -> LuaValue.valueOf((double) qos.droppedFrames());
      default -> null;
    };
  }

  @Override
  protected boolean writable(String key, LuaValue value) {
    return false;
  }
}
