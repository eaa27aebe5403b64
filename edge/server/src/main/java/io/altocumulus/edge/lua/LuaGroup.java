package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetGroupView;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A NetGroup (CUMULUS-FEATURES §5.5): id (hex), rawId, size, and the members as client tables
 * through {@code group:members()} (an array). The groups binding completes it.
 */
public class LuaGroup extends LuaBinding {
  protected final NetGroupView group;

  protected LuaGroup(LuaHost host, NetGroupView group) {
    super(host);
    this.group = group;
  }

  /** The group's persistent table. */
  public static LuaTable of(LuaHost host, NetGroupView group) {
    return host.persistent(group, () -> new LuaGroup(host, group).table());
  }

  public NetGroupView group() {
    return group;
  }

  static final LuaFunction MEMBERS = method(LuaGroup.class, "members", (g, a) -> {
    LuaTable t = new LuaTable();
    int i = 1;
    for (Client c : g.group.members()) {
      t.rawset(i++, LuaClient.of(g.host, c));
    }
    return t;
  });

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "id" -> LuaValue.valueOf(group.id());
      case "rawId" -> LuaString.valueOf(group.rawId());
      case "size" -> LuaValue.valueOf(group.size());
      case "members" -> MEMBERS;
      default -> null;
    };
  }
}
