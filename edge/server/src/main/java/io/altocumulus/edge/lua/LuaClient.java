package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Client;
import java.net.InetSocketAddress;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The Lua client object (CUMULUS-FEATURES §5.2): id, rawId, path, address, swfUrl, pageUrl,
 * flashVersion, ping, elapsedFromReception, writer, the URL's query parameters as members, and
 * the script's own fields. Read-only in onFailed/onDisconnection: {@code writer} raises an error
 * there (CUMULUS-FEATURES §8.3, kept).
 */
public final class LuaClient extends LuaBinding {
  private final Client client;
  private boolean readOnly;

  private LuaClient(LuaHost host, Client client) {
    super(host);
    this.client = client;
  }

  /** The client's persistent table. */
  public static LuaTable of(LuaHost host, Client client) {
    return host.persistent(client, () -> new LuaClient(host, client).table());
  }

  /** The Java client behind a client table, or null. */
  public static Client client(LuaValue table) {
    return LuaBinding.of(table) instanceof LuaClient c ? c.client : null;
  }

  static void readOnly(LuaTable table, boolean ro) {
    if (LuaBinding.of(table) instanceof LuaClient c) {
      c.readOnly = ro;
    }
  }

  public Client javaClient() {
    return client;
  }

  @Override
  protected LuaValue index(String key) {
    switch (key) {
      case "id":
        return LuaValue.valueOf(client.id());
      case "rawId": {
        byte[] id = client.session().peerId();
        return id == null ? LuaValue.NIL : LuaString.valueOf(id);
      }
      case "path":
        return LuaValue.valueOf(client.path().isEmpty() ? "" : "/" + client.path());
      case "address": {
        InetSocketAddress a = client.address();
        return a == null ? LuaValue.NIL : LuaValue.valueOf(a.getAddress().getHostAddress() + ":" + a.getPort());
      }
      case "swfUrl":
        return str(client.swfUrl());
      case "pageUrl":
        return str(client.pageUrl());
      case "flashVersion":
        return str(client.flashVer());
      case "ping":
        return LuaValue.valueOf((double) client.ping());
      case "elapsedFromReception":
        return LuaValue.valueOf((double) client.elapsedFromReceptionMillis());
      case "writer":
        if (readOnly) {
          throw new LuaError("client.writer is not available once the client is disconnected");
        }
        return LuaWriter.of(host, client);
      default: {
        String p = client.properties().get(key);
        return p == null ? null : LuaValue.valueOf(p);
      }
    }
  }

  @Override
  protected boolean writable(String key, LuaValue value) {
    return switch (key) {
      case "id", "rawId", "path", "address", "swfUrl", "pageUrl", "flashVersion", "ping", "elapsedFromReception",
          "writer" -> false;
      default -> true;
    };
  }

  private static LuaValue str(String s) {
    return s == null ? LuaValue.NIL : LuaValue.valueOf(s);
  }
}
