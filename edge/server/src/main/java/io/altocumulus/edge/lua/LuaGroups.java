package io.altocumulus.edge.lua;

import io.altocumulus.edge.group.NetGroup;
import io.altocumulus.edge.group.NetGroups;
import io.altocumulus.edge.group.VirtualMember;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * {@code cumulus.groups} (CUMULUS-FEATURES §5.7): {@code count}, {@code groups:pairs()} keyed by
 * hex id, {@code cumulus.groups(id)} with a raw (32 bytes) or hex (64 characters) id, and
 * {@code groups:join(peerId, groupId)} (either id raw or hex) adding a virtual member that local
 * newcomers are told about. Over the node's {@link NetGroups}.
 */
public final class LuaGroups extends LuaBinding {
  private final NetGroups groups;

  private LuaGroups(LuaHost host, NetGroups groups) {
    super(host);
    this.groups = groups;
  }

  /** Adds {@code cumulus.groups}; call before {@link LuaHost#start()}. */
  public static void install(LuaHost host, NetGroups groups) {
    LuaGroups g = new LuaGroups(host, groups);
    host.cumulus().property("groups", g::table);
  }

  static final LuaFunction PAIRS = method(LuaGroups.class, "pairs", (g, a) -> {
    LuaTable t = new LuaTable();
    for (NetGroup n : g.groups.all()) {
      t.rawset(n.id(), LuaGroup.of(g.host, n));
    }
    return LuaValue.varargsOf(g.host.library.rawget("next"), t, LuaValue.NIL);
  });

  static final LuaFunction JOIN = method(LuaGroups.class, "join", (g, a) -> {
    byte[] peer = LuaCumulus.bytes(a.checkstring(1));
    byte[] group = LuaCumulus.bytes(a.checkstring(2));
    if (NetGroups.keyOf(peer) == null || NetGroups.keyOf(group) == null) {
      throw new LuaError("join: ids must be 32 raw bytes or 64 hex characters");
    }
    VirtualMember vm = g.groups.join(peer, group);
    return vm == null ? LuaValue.NIL : LuaMember.of(g.host, vm);
  });

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "count" -> LuaValue.valueOf(groups.count());
      case "pairs" -> PAIRS;
      case "join" -> JOIN;
      default -> null;
    };
  }

  @Override
  protected Varargs call(Varargs args) {
    LuaValue id = args.arg1();
    if (!id.isstring()) {
      return LuaValue.NIL;
    }
    NetGroup n = groups.find(LuaCumulus.bytes(id.checkstring()));
    return n == null ? LuaValue.NIL : LuaGroup.of(host, n);
  }
}
