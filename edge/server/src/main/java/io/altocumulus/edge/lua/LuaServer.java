package io.altocumulus.edge.lua;

import io.altocumulus.cluster.link.ServerLink;
import java.net.InetSocketAddress;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A server link object (CUMULUS-FEATURES §5.12): {@code address} (the remote's gRPC address as
 * registered, where Cumulus had the configured target), {@code publicAddress} (the RTMFP address
 * from the remote's hello), {@code isTarget}, {@code nodeId}, each link property as a raw string
 * member, and {@code send(handler, ...)}. Persistent for the link's life: script fields stay on it,
 * and it is unlinked when the link goes down. Lua thread only.
 */
public final class LuaServer extends LuaBinding {
  private final ServerLink link;

  private LuaServer(LuaHost host, ServerLink link) {
    super(host);
    this.link = link;
  }

  /** The link's persistent table. */
  public static LuaTable of(LuaHost host, ServerLink link) {
    return host.persistent(link, () -> new LuaServer(host, link).table());
  }

  /** The link behind a server table, or null. */
  public static ServerLink link(LuaValue table) {
    return LuaBinding.of(table) instanceof LuaServer s ? s.link : null;
  }

  public ServerLink link() {
    return link;
  }

  /** CUMULUS-FEATURES §6 "Limits": "" and "." are reserved (RTMFP-WIRE §10); names up to 255 bytes. */
  static String handler(Varargs args) {
    String h = args.checkjstring(1);
    if (h.isEmpty() || h.equals(".")) {
      throw new LuaError("server handler must not be empty or \".\" (reserved)");
    }
    if (h.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
      throw new LuaError("server handler longer than 255 bytes");
    }
    return h;
  }

  /** server:send(handler, ...): the arguments AMF-encoded as Cumulus did (AMF0, AMF3 behind the switch). */
  static final LuaFunction SEND = method(LuaServer.class, "send", (s, a) -> {
    String h = handler(a);
    byte[] amf = LuaAmf.encode(s.host, a.subargs(2), false);
    return LuaValue.valueOf(s.link.send(h, amf));
  });

  /** The publicAddress as a redirect target (CUMULUS-FEATURES §4 onHandshake), or null if unusable. */
  InetSocketAddress redirectAddress() {
    String p = link.publicAddress();
    if (p == null || p.isBlank()) {
      return null;
    }
    InetSocketAddress a = LuaHost.parseAddress(p.trim());
    if (a == null) {
      LuaHost.LOG.warn("server {}: publicAddress '{}' is not host:port, not a redirect target", link.nodeId(), p);
    }
    return a;
  }

  @Override
  protected LuaValue index(String key) {
    switch (key) {
      case "address":
        return LuaValue.valueOf(link.address());
      case "publicAddress":
        return LuaValue.valueOf(link.publicAddress());
      case "isTarget":
        return LuaValue.valueOf(link.isTarget());
      case "nodeId":
        return LuaValue.valueOf(link.nodeId());
      case "send":
        return SEND;
      default: {
        String v = link.properties().get(key);
        return v == null ? null : LuaValue.valueOf(v);
      }
    }
  }

  @Override
  public String toString() {
    return "LuaServer[" + link + "]";
  }
}
