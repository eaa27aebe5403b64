package io.altocumulus.edge.lua;

import io.altocumulus.edge.stream.Player;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A listener (player) of a publication (CUMULUS-FEATURES §5.10 listeners). The streams binding
 * completes it (id, publication, client, QoS, audioQoS/videoQoS, ...).
 */
public class LuaListener extends LuaBinding {
  protected final Player player;

  protected LuaListener(LuaHost host, Player player) {
    super(host);
    this.player = player;
  }

  /** The listener's persistent table. */
  public static LuaTable of(LuaHost host, Player player) {
    return host.persistent(player, () -> new LuaListener(host, player).table());
  }

  public Player player() {
    return player;
  }

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "latency" -> LuaValue.valueOf((double) player.latencyMillis());
      default -> null;
    };
  }
}
