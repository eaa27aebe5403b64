package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetConnection;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.tc.TcCommand;
import java.util.LinkedHashMap;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A flow writer (CUMULUS-FEATURES §5.4): the client's NetConnection writer, or one made by
 * {@code newFlowWriter} (a new flow with the same metadata, associated with the NetConnection
 * flow, RTMFP-WIRE §7.3). Messages are encoded here on the Lua thread and written on the
 * session's loop, in order.
 */
public final class LuaWriter extends LuaBinding {
  private final Client client;
  private final boolean own;
  private boolean reliable = true;
  /** Our own flow (newFlowWriter); opened by the first task on the loop. Loop only. */
  private SendFlow flow;
  private boolean closed;

  private LuaWriter(LuaHost host, Client client, boolean own) {
    super(host);
    this.client = client;
    this.own = own;
  }

  /** The client's NetConnection writer (persistent). */
  public static LuaTable of(LuaHost host, Client client) {
    return host.persistent(client.netConnection(), () -> new LuaWriter(host, client, false).table());
  }

  Client client() {
    return client;
  }

  /** "NetConnection" here; stream and group writers use their own prefix. */
  String statusPrefix() {
    return "NetConnection";
  }

  /** Encodes a command for this client on the Lua thread and writes it on the client's loop. */
  public void writeCommand(String name, double txid, Object... args) {
    byte[] msg = LuaAmf.command(host, name, txid, client.amfMode(), args);
    write(msg);
  }

  /** Writes an already encoded message on the client's loop (at once when the event runs there inline). */
  public void write(byte[] msg) {
    if (closed) {
      throw new org.luaj.vm2.LuaError("writer is closed");
    }
    boolean rel = reliable;
    NetConnection nc = client.netConnection();
    host.onLoop(client.session().loop(), () -> {
      if (!own) {
        nc.write(msg, rel);
        return;
      }
      if (flow == null) {
        flow = nc.openFlow();
        if (flow == null) {
          return;
        }
      }
      client.session().write(flow, msg, rel);
    });
  }

  private static Object[] args(LuaHost host, Varargs a, int from) {
    Object[] out = new Object[Math.max(0, a.narg() - from + 1)];
    for (int i = from; i <= a.narg(); i++) {
      out[i - from] = host.fromLua(a.arg(i));
    }
    return out;
  }

  static final LuaFunction WRITE_AMF_MESSAGE = method(LuaWriter.class, "writeAMFMessage", (w, a) -> {
    w.writeCommand(a.checkjstring(1), 0, args(w.host, a, 2));
    return LuaValue.NONE;
  });

  static final LuaFunction WRITE_AMF_RESULT = method(LuaWriter.class, "writeAMFResult", (w, a) -> {
    w.writeCommand("_result", w.host.currentTransaction, args(w.host, a, 1));
    return LuaValue.NONE;
  });

  static final LuaFunction WRITE_STATUS_RESPONSE = method(LuaWriter.class, "writeStatusResponse", (w, a) -> {
    LinkedHashMap<String, Object> extra = new LinkedHashMap<>();
    for (int i = 3; i + 1 <= a.narg(); i += 2) {
      extra.put(a.arg(i).tojstring(), w.host.fromLua(a.arg(i + 1)));
    }
    w.writeCommand("onStatus", 0,
        TcCommand.info("status", w.statusPrefix() + "." + a.checkjstring(1), a.optjstring(2, ""), extra));
    return LuaValue.NONE;
  });

  static final LuaFunction NEW_FLOW_WRITER = method(LuaWriter.class, "newFlowWriter", (w, a) -> {
    LuaWriter n = new LuaWriter(w.host, w.client, true);
    w.host.flowWriters.add(n);
    return n.table();
  });

  static final LuaFunction FLUSH = method(LuaWriter.class, "flush", (w, a) -> {
    // The session flushes what a loop turn queued at the end of that turn: nothing to force.
    return LuaValue.NONE;
  });

  static final LuaFunction CLOSE = method(LuaWriter.class, "close", (w, a) -> {
    w.close();
    return LuaValue.NONE;
  });

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    host.flowWriters.remove(this);
    NetConnection nc = client.netConnection();
    host.onLoop(client.session().loop(), () -> {
      if (own) {
        if (flow != null) {
          client.session().closeFlow(flow);
        }
      } else {
        nc.closeResponseFlow();
      }
    });
  }

  @Override
  public void unlink() {
    host.flowWriters.remove(this);
    super.unlink();
  }

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "reliable" -> LuaValue.valueOf(reliable);
      case "writeAMFMessage" -> WRITE_AMF_MESSAGE;
      case "writeAMFResult" -> WRITE_AMF_RESULT;
      case "writeStatusResponse" -> WRITE_STATUS_RESPONSE;
      case "newFlowWriter" -> NEW_FLOW_WRITER;
      case "flush" -> FLUSH;
      case "close" -> CLOSE;
      default -> null;
    };
  }

  @Override
  protected boolean set(String key, LuaValue value) {
    if (key.equals("reliable")) {
      reliable = value.toboolean();
      return true;
    }
    return false;
  }
}
