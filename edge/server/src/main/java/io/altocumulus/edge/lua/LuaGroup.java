package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetGroupView;
import java.util.List;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A NetGroup (CUMULUS-FEATURES §5.5): {@code id} (hex), {@code rawId} (32 bytes), {@code size}
 * (members known here, virtual ones included) and {@code group:ipairs()}, the connected members
 * as client tables in join order. {@code group:members()} gives the same list as an array.
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

  /** The group is gone from this node (its last member left): forget its table. */
  static void forgetIfEmpty(LuaHost host, NetGroupView group) {
    if (group.size() == 0) {
      host.unlink(group);
    }
  }

  private LuaTable members() {
    List<Client> members = group.members();
    LuaTable t = new LuaTable(members.size(), 0);
    int i = 1;
    for (Client c : members) {
      t.rawset(i++, LuaClient.of(host, c));
    }
    return t;
  }

  static final LuaFunction MEMBERS = method(LuaGroup.class, "members", (g, a) -> g.members());

  /** {@code for i, client in group:ipairs() do}: LuaJ's ipairs has no __ipairs, so a method as in Cumulus. */
  static final LuaFunction IPAIRS = method(LuaGroup.class, "ipairs",
      (g, a) -> g.host.library.rawget("ipairs").invoke(g.members()));

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "id" -> LuaValue.valueOf(group.id());
      case "rawId" -> LuaString.valueOf(group.rawId());
      case "size" -> LuaValue.valueOf(group.size());
      case "ipairs" -> IPAIRS;
      case "members" -> MEMBERS;
      default -> null;
    };
  }
}
