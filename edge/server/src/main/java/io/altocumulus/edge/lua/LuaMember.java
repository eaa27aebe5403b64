package io.altocumulus.edge.lua;

import io.altocumulus.edge.group.NetGroup;
import io.altocumulus.edge.group.VirtualMember;
import java.util.List;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A virtual group member from {@code cumulus.groups:join(peerId, groupId)} (CUMULUS-FEATURES
 * §5.6): {@code id} (hex), {@code rawId}, {@code release()} (leaves every group). One table per
 * peer id, as the engine keeps one {@link VirtualMember} per peer. Garbage collection does not
 * release it (LuaJ tables have no {@code __gc}): a script releases explicitly.
 */
public final class LuaMember extends LuaBinding {
  private final VirtualMember member;

  private LuaMember(LuaHost host, VirtualMember member) {
    super(host);
    this.member = member;
  }

  public static LuaTable of(LuaHost host, VirtualMember member) {
    return host.persistent(member, () -> new LuaMember(host, member).table());
  }

  public VirtualMember member() {
    return member;
  }

  static final LuaFunction RELEASE = method(LuaMember.class, "release", (m, a) -> {
    List<NetGroup> groups = m.member.groups();
    m.member.release();
    m.host.unlink(m.member);
    for (NetGroup g : groups) {
      LuaGroup.forgetIfEmpty(m.host, g);
    }
    return LuaValue.NONE;
  });

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "id" -> LuaValue.valueOf(member.id());
      case "rawId" -> LuaString.valueOf(member.rawId());
      case "release" -> RELEASE;
      default -> null;
    };
  }
}
