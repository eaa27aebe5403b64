package io.altocumulus.tests.bench;

import io.altocumulus.edge.lua.LuaApplication;
import io.altocumulus.edge.lua.LuaHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Lua host's cost on top of the protocol work (issue 4 "Must measure", target ≤ 5 µs):
 * <ul>
 *   <li>{@code rpc}: what LuaApplication does on the Lua thread for an RPC: AMF args to Lua, the
 *       member lookup on the client table, the call under the instruction budget, the last value
 *       back to AMF ({@code function client:add(x, y) return x + y end});
 *   <li>{@code connection}: onConnection(client, arg) returning a 2-member table merged into _result;
 *   <li>{@code hop}: a submit and its completion while Lua is idle, paid once per event on top of
 *       the two above (LuaExecutor runs it on the caller's thread; before, it was the round trip
 *       event loop → Lua thread → back).
 * </ul>
 * The dispatch runs on the benchmark thread while the Lua thread idles (nothing else runs Lua).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LuaDispatchBench {
  Path www;
  LuaHost host;
  LuaTable client;
  LuaValue onConnection;
  List<Object> rpcArgs = List.of(2, 40.5);
  List<Object> connectArgs = List.of("bob");

  @Setup
  public void setup() throws Exception {
    www = Files.createTempDirectory("lua-bench");
    Files.writeString(www.resolve("main.lua"), """
        function onConnection(client, name)
          function client:add(x, y) return x + y end
          return {greeting = 'hello', n = 5}
        end
        """);
    host = new LuaHost(www, Map.of(), null);
    LuaApplication app = host.submit(() -> {
      LuaApplication a = host.app("");
      a.refresh();
      return a;
    }).get();
    onConnection = app.env().get("onConnection");
    client = new LuaTable();
    host.invoke(onConnection, LuaValue.varargsOf(client, LuaValue.valueOf("x")));
  }

  @TearDown
  public void tearDown() throws IOException {
    host.close();
    Files.deleteIfExists(www.resolve("main.lua"));
    Files.deleteIfExists(www);
  }

  @Benchmark
  public Object rpc() {
    LuaValue fn = client.get("add");
    LuaValue[] a = new LuaValue[rpcArgs.size() + 1];
    a[0] = client;
    for (int i = 0; i < rpcArgs.size(); i++) {
      a[i + 1] = host.toLua(rpcArgs.get(i));
    }
    Varargs r = host.invoke(fn, LuaValue.varargsOf(a));
    return host.fromLua(r.arg(r.narg()));
  }

  @Benchmark
  public Object connection() {
    LuaTable c = new LuaTable();
    LuaValue[] a = new LuaValue[connectArgs.size() + 1];
    a[0] = c;
    for (int i = 0; i < connectArgs.size(); i++) {
      a[i + 1] = host.toLua(connectArgs.get(i));
    }
    Varargs r = host.invoke(onConnection, LuaValue.varargsOf(a));
    LuaValue t = r.arg1();
    List<Object> out = new ArrayList<>(4);
    for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
      out.add(host.fromLua(t.rawget(k)));
    }
    return out;
  }

  @Benchmark
  public Object hop() throws Exception {
    return host.submit(() -> 1).get();
  }
}
