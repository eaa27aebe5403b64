package io.altocumulus.edge.lua.io;

import io.altocumulus.edge.lua.LuaRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.ThreeArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The Lua bindings of sockets and mail (CUMULUS-FEATURES §5.1 {@code sendMail},
 * {@code createTCPClient}, {@code createTCPServer}, {@code createUDPSocket}; §5.13-5.15; the
 * events {@code socket:onReception}, {@code socket:onDisconnection}, {@code server:clientHandler},
 * {@code udp:onReception}, {@code mail:onSent} of §4).
 *
 * <p>One per node: {@code new LuaIo(config)}, then {@link #install} into each app's
 * {@code cumulus} table, {@link Installed#close()} when that app stops or reloads (its sockets
 * close), {@link #close()} at node shutdown (every socket, the socket loop, the mail thread).
 *
 * <p>Every event from a socket or mail thread reaches Lua through {@link LuaRuntime#execute}
 * and {@link LuaRuntime#callMember}. Lua strings stay bytes both ways. Failures come back to the
 * script as error strings, the way Cumulus returns them; only a wrong call (a missing argument,
 * a method called with {@code .} instead of {@code :}) raises a Lua error.
 */
public final class LuaIo implements AutoCloseable {
  private final IoLimits limits;
  private final IoStats stats = new IoStats();
  private final IoLoop loop = new IoLoop();
  private final Mailer mailer;
  private final Set<Installed> installs = ConcurrentHashMap.newKeySet();

  public LuaIo(Mailer.Config mail) {
    this(mail, IoLimits.DEFAULTS);
  }

  public LuaIo(Mailer.Config mail, IoLimits limits) {
    this.limits = limits;
    this.mailer = new Mailer(mail, stats, limits);
  }

  public IoStats stats() {
    return stats;
  }

  /**
   * Adds {@code createTCPClient}, {@code createTCPServer}, {@code createUDPSocket} and
   * {@code sendMail} to an app's {@code cumulus} table. Call it on that app's Lua thread (or
   * before the app's script runs).
   */
  public Installed install(LuaRuntime rt, LuaTable cumulus) {
    Installed app = new Installed(rt, cumulus);
    installs.add(app);
    cumulus.rawset("createTCPClient", method(cumulus, "createTCPClient", a -> app.newTcpClient()));
    cumulus.rawset("createTCPServer", method(cumulus, "createTCPServer", a -> app.newTcpServer()));
    cumulus.rawset("createUDPSocket", method(cumulus, "createUDPSocket", a -> app.newUdpSocket(a.arg1().toboolean())));
    cumulus.rawset("sendMail", method(cumulus, "sendMail", app::sendMail));
    return app;
  }

  /** Closes every app's sockets, the socket loop and the mail thread (pending mails get an error). */
  @Override
  public void close() {
    for (Installed app : installs) {
      app.close();
    }
    loop.close();
    mailer.close();
  }

  /** One app's sockets. */
  public final class Installed implements AutoCloseable {
    private final LuaRuntime rt;
    private final LuaTable cumulus;
    private final Map<Object, Runnable> open = new ConcurrentHashMap<>();

    private Installed(LuaRuntime rt, LuaTable cumulus) {
      this.rt = rt;
      this.cumulus = cumulus;
    }

    /** Sockets this app has opened and not closed (accepted clients until their disconnection). */
    public int openSockets() {
      return open.size();
    }

    /** Closes this app's sockets and forgets their tables. Mails already queued still go. */
    @Override
    public void close() {
      installs.remove(this);
      for (Map.Entry<Object, Runnable> e : open.entrySet()) {
        e.getValue().run();
        rt.unlink(e.getKey());
      }
      open.clear();
    }

    private LuaValue newTcpClient() {
      TcpClient c = new TcpClient(loop, rt::enqueue, stats, limits, null);
      LuaTable t = tcpClientTable(c, false);
      open.put(c, c::disconnect);
      return t;
    }

    /** An accepted client is forgotten (table unlinked) after its disconnection: nothing can reconnect it. */
    private LuaTable tcpClientTable(TcpClient c, boolean accepted) {
      Map<String, Method> m = new LinkedHashMap<>();
      m.put("connect", a -> err(c.connect(a.checkjstring(1), a.checkint(2))));
      m.put("disconnect", a -> {
        c.disconnect();
        return LuaValue.NONE;
      });
      m.put("send", a -> err(c.send(bytes(a.arg1()))));
      Map<String, Supplier<LuaValue>> p = new LinkedHashMap<>();
      p.put("connected", () -> LuaValue.valueOf(c.connected()));
      p.put("address", () -> str(c.address()));
      p.put("peerAddress", () -> str(c.peerAddress()));
      p.put("error", () -> str(c.error()));
      LuaTable t = object(c, m, p);
      c.handler(new TcpClient.Handler() {
        @Override
        public int onReception(byte[] data) {
          LuaValue rest = rt.callMember(t, "onReception", LuaString.valueOf(data)).arg1();
          return rest.isnumber() ? rest.toint() : 0;
        }

        @Override
        public void onDisconnection() {
          rt.callMember(t, "onDisconnection", LuaValue.NONE);
          if (accepted && open.remove(c) != null) {
            rt.unlink(c);
          }
        }
      });
      return t;
    }

    private LuaValue newTcpServer() {
      LuaTable[] self = new LuaTable[1];
      TcpServer s = new TcpServer(loop, rt::enqueue, stats, limits, client -> {
        LuaTable ct = tcpClientTable(client, true);
        open.put(client, client::disconnect);
        rt.callMember(self[0], "clientHandler", ct);
      });
      Map<String, Method> m = new LinkedHashMap<>();
      m.put("start", a -> LuaValue.valueOf(s.start(a.checkint(1))));
      m.put("stop", a -> {
        s.stop();
        return LuaValue.NONE;
      });
      Map<String, Supplier<LuaValue>> p = new LinkedHashMap<>();
      p.put("port", () -> LuaValue.valueOf(s.port()));
      p.put("running", () -> LuaValue.valueOf(s.running()));
      self[0] = object(s, m, p);
      open.put(s, s::stop);
      return self[0];
    }

    private LuaValue newUdpSocket(boolean broadcast) {
      LuaTable[] self = new LuaTable[1];
      UdpSocket u = new UdpSocket(loop, rt::enqueue, stats, limits, broadcast,
          (data, from) -> rt.callMember(self[0], "onReception", LuaValue.varargsOf(LuaString.valueOf(data), LuaValue.valueOf(from))));
      Map<String, Method> m = new LinkedHashMap<>();
      m.put("bind", a -> err(u.bind(a.checkjstring(1))));
      m.put("connect", a -> err(u.connect(a.checkjstring(1))));
      m.put("send", a -> err(u.send(bytes(a.arg1()), a.isnil(2) ? null : a.checkjstring(2))));
      m.put("close", a -> {
        u.close();
        return LuaValue.NONE;
      });
      Map<String, Supplier<LuaValue>> p = new LinkedHashMap<>();
      p.put("address", () -> str(u.address()));
      p.put("peerAddress", () -> str(u.peerAddress()));
      self[0] = object(u, m, p);
      open.put(u, u::close);
      return self[0];
    }

    /** {@code cumulus:sendMail(from, subject, body, to1, ...)}; a recipient may also be a table of them. */
    private Varargs sendMail(Varargs a) {
      String from = a.checkjstring(1);
      String subject = a.optjstring(2, "");
      String body = a.optjstring(3, "");
      List<String> to = new ArrayList<>();
      for (int i = 4; i <= a.narg(); i++) {
        LuaValue v = a.arg(i);
        if (v.istable()) {
          for (int j = 1; j <= v.length(); j++) {
            to.add(v.get(j).checkjstring());
          }
        } else if (!v.isnil()) {
          to.add(v.checkjstring());
        }
      }
      LuaTable mail = new LuaTable();
      // onSent always comes later, on the Lua thread: the script sets mail.onSent after this returns.
      mailer.send(from, subject, body, to).thenAccept(err ->
          rt.execute(() -> rt.callMember(mail, "onSent", err == null ? LuaValue.NIL : LuaValue.valueOf(err))));
      return mail;
    }

    /**
     * A script object: its persistent table, with methods (called with {@code :}) and read-only
     * properties behind a metatable so fields the script sets (event handlers) are plain fields.
     */
    private LuaTable object(Object owner, Map<String, Method> methods, Map<String, Supplier<LuaValue>> props) {
      return rt.persistent(owner, () -> {
        LuaTable t = new LuaTable();
        LuaTable fns = new LuaTable();
        methods.forEach((name, body) -> fns.rawset(name, method(t, name, body)));
        LuaTable meta = new LuaTable();
        meta.rawset(LuaValue.INDEX, new TwoArgFunction() {
          @Override
          public LuaValue call(LuaValue self, LuaValue key) {
            LuaValue f = fns.rawget(key);
            if (!f.isnil() || !key.isstring()) {
              return f;
            }
            Supplier<LuaValue> p = props.get(key.tojstring());
            return p == null ? LuaValue.NIL : p.get();
          }
        });
        meta.rawset(LuaValue.NEWINDEX, new ThreeArgFunction() {
          @Override
          public LuaValue call(LuaValue self, LuaValue key, LuaValue value) {
            if (key.isstring() && props.containsKey(key.tojstring())) {
              throw new org.luaj.vm2.LuaError("'" + key.tojstring() + "' is read-only");
            }
            self.rawset(key, value);
            return LuaValue.NONE;
          }
        });
        t.setmetatable(meta);
        return t;
      });
    }
  }

  /** A method body: gets the arguments after {@code self}. */
  @FunctionalInterface
  interface Method {
    Varargs call(Varargs args);
  }

  /** {@code self:name(...)}: checks {@code self} is the object, then calls {@code body} with the rest. */
  private static VarArgFunction method(LuaTable self, String name, Method body) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs a) {
        if (!a.arg1().raweq(self)) {
          throw new org.luaj.vm2.LuaError("call " + name + " with ':' (" + name + " needs its object as self)");
        }
        return body.call(a.subargs(2));
      }
    };
  }

  private static Varargs err(String error) {
    return error == null ? LuaValue.NONE : LuaValue.valueOf(error);
  }

  private static LuaValue str(String s) {
    return s == null ? LuaValue.NIL : LuaValue.valueOf(s);
  }

  /** The bytes of a Lua string (numbers are converted, as Lua does); a copy the socket may keep. */
  static byte[] bytes(LuaValue v) {
    LuaString s = v.checkstring();
    byte[] b = new byte[s.m_length];
    s.copyInto(0, b, 0, b.length);
    return b;
  }
}
