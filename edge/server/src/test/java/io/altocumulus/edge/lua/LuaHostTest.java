package io.altocumulus.edge.lua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.amf.Amf;
import io.altocumulus.rtmfp.amf.AmfArray;
import io.altocumulus.rtmfp.amf.AmfDate;
import io.altocumulus.rtmfp.amf.AmfDictionary;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.edge.net.Blacklist;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

class LuaHostTest {
  @TempDir
  Path www;
  LuaHost host;
  Blacklist blacklist = new Blacklist();

  @BeforeEach
  void start() {
    host = new LuaHost(www, Map.of("lua.budget", "200000", "a.b", "x", "a.flag", "true", "a.n", "42", "off", "false"),
        blacklist);
  }

  @AfterEach
  void stop() {
    host.close();
  }

  <T> T lua(Supplier<T> s) throws Exception {
    return host.submit(s).get(10, TimeUnit.SECONDS);
  }

  void script(String path, String text) throws Exception {
    Path dir = path.isEmpty() ? www : www.resolve(path);
    Files.createDirectories(dir);
    Path f = dir.resolve("main.lua");
    long before = Files.exists(f) ? Files.getLastModifiedTime(f).toMillis() : 0;
    Files.writeString(f, text);
    // Make sure the mtime moves even on coarse file systems.
    Files.setLastModifiedTime(f, FileTime.fromMillis(Math.max(System.currentTimeMillis(), before + 2000)));
  }

  /** Runs {@code code} as a function in app {@code path}'s environment and returns its results. */
  Varargs run(String path, String code) throws Exception {
    return lua(() -> {
      LuaApplication a = host.app(path);
      a.refresh();
      LuaValue load = a.env().get("load");
      Varargs f = load.invoke(LuaValue.valueOf(code));
      if (f.arg1().isnil()) {
        throw new AssertionError(f.arg(2).tojstring());
      }
      return host.invoke(f.arg1(), LuaValue.NONE);
    });
  }

  @Test
  void sandboxHidesIoOsExecuteLuajavaDebug() throws Exception {
    script("", "x = 1");
    Varargs r = run("", "return io, os.execute, os.exit, os.remove, os.rename, os.tmpname, os.getenv, luajava, debug, dofile, require, type(os.time()), type(os.clock()), type(os.date())");
    for (int i = 1; i <= 11; i++) {
      assertThat(r.arg(i).isnil()).as("arg %d", i).isTrue();
    }
    assertThat(r.arg(12).tojstring()).isEqualTo("number");
    assertThat(r.arg(13).tojstring()).isEqualTo("number");
    assertThat(r.arg(14).tojstring()).isEqualTo("string");
  }

  @Test
  void bytecodeIsRefused() throws Exception {
    script("", "x = 1");
    Varargs r = run("", "return load(string.char(27) .. 'LuaR')");
    assertThat(r.arg1().isnil()).isTrue();
    assertThat(r.arg(2).tojstring()).contains("bytecode");
  }

  @Test
  void unsafeConfigAllowsIo() throws Exception {
    host.close();
    host = new LuaHost(www, Map.of("lua.unsafe", "true"), null);
    script("", "x = 1");
    assertThat(run("", "return io ~= nil and os.getenv ~= nil").arg1().toboolean()).isTrue();
  }

  @Test
  void prelude51() throws Exception {
    script("", "x = 1");
    Varargs r = run("", "local a, b = unpack({1, 2}); local t = {1, 2, 3}; t[10] = 1;"
        + " local it = string.gfind('a b', '%a+');"
        + " return a + b, table.getn({1, 2, 3}), table.maxn(t), math.mod(7, 3), it(), loadstring('return 5')()");
    assertThat(r.arg(1).toint()).isEqualTo(3);
    assertThat(r.arg(2).toint()).isEqualTo(3);
    assertThat(r.arg(3).toint()).isEqualTo(10);
    assertThat(r.arg(4).toint()).isEqualTo(1);
    assertThat(r.arg(5).tojstring()).isEqualTo("a");
    assertThat(r.arg(6).toint()).isEqualTo(5);
  }

  @Test
  void runawayLoopIsStoppedEvenUnderPcall() throws Exception {
    script("", "function spin() while true do end end\nfunction sneaky() while true do pcall(spin) end end");
    assertThatThrownBy(() -> run("", "spin()")).hasCauseInstanceOf(LuaError.class).hasMessageContaining("instructions");
    assertThatThrownBy(() -> run("", "sneaky()")).hasMessageContaining("instructions");
    assertThat(host.budgetStops()).isEqualTo(2);
    // The host keeps serving.
    assertThat(run("", "return 1 + 1").arg1().toint()).isEqualTo(2);
  }

  @Test
  void childSeesParentAndParentSeesChildByName() throws Exception {
    script("", "rootVar = 'r'\nfunction hello() return 'hi' end");
    script("chat", "chatVar = 'c'\nfunction fromChild() return rootVar .. hello() .. tostring(super.rootVar) end");
    Varargs r = run("chat", "return fromChild(), chatVar");
    assertThat(r.arg1().tojstring()).isEqualTo("rhir");
    assertThat(r.arg(2).tojstring()).isEqualTo("c");
    // The parent reaches the child by folder name (loaded on demand); a missing one is nil.
    Varargs p = run("", "return chat.chatVar, nothere");
    assertThat(p.arg1().tojstring()).isEqualTo("c");
    assertThat(p.arg(2).isnil()).isTrue();
    // Writes stay in the child's environment.
    run("chat", "rootVar = 'shadow'");
    assertThat(run("", "return rootVar").arg1().tojstring()).isEqualTo("r");
  }

  @Test
  void hotReloadRunsOnStopThenFreshEnvThenOnStart() throws Exception {
    script("", "events = (events or '') .. 'load1'\nfunction onStart(p) started = 'start:' .. p end\n"
        + "function onStop(p) _G_stop = true end\nold = true");
    assertThat(run("", "return started, old").arg1().tojstring()).isEqualTo("start:");
    script("", "function onStart(p) started = 'again' end\nversion = 2");
    Varargs r = run("", "return started, old, version, events");
    assertThat(r.arg(1).tojstring()).isEqualTo("again");
    assertThat(r.arg(2).isnil()).as("fresh environment").isTrue();
    assertThat(r.arg(3).toint()).isEqualTo(2);
    assertThat(r.arg(4).isnil()).isTrue();
  }

  @Test
  void scriptErrorIsSavedUntilFixed() throws Exception {
    script("bad", "this is not lua");
    assertThat(lua(() -> {
      LuaApplication a = host.app("bad");
      a.refresh();
      return a.lastError();
    })).contains("bad/main.lua");
    script("bad", "ok = true");
    assertThat(lua(() -> {
      LuaApplication a = host.app("bad");
      a.refresh();
      return a.lastError();
    })).isNull();
  }

  @Test
  void configsAsNestedTablesWithTypes() throws Exception {
    script("", "x = 1");
    Varargs r = run("", "local c = cumulus.configs; return c.a.b, c.a.flag, c.a.n, c.off");
    assertThat(r.arg(1).tojstring()).isEqualTo("x");
    assertThat(r.arg(2)).isEqualTo(LuaValue.TRUE);
    assertThat(r.arg(3).todouble()).isEqualTo(42.0);
    assertThat(r.arg(4)).isEqualTo(LuaValue.FALSE);
  }

  @Test
  void md5Sha256Split() throws Exception {
    script("", "x = 1");
    Varargs r = run("", "return cumulus:md5('abc'), cumulus:sha256('abc')");
    assertThat(bytes(r.arg(1))).isEqualTo(MessageDigest.getInstance("MD5").digest("abc".getBytes()));
    assertThat(bytes(r.arg(1))).hasSize(16);
    assertThat(HexFormat.of().formatHex(bytes(r.arg(2))))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Varargs s = run("", "return cumulus:split('a, b,,c', ',', 3)");
    assertThat(s.narg()).isEqualTo(3);
    assertThat(s.arg(2).tojstring()).isEqualTo("b");
    Varargs all = run("", "return cumulus:split('a,,b', ',')");
    assertThat(all.narg()).isEqualTo(3);
    assertThat(all.arg(2).tojstring()).isEmpty();
  }

  @Test
  void methodsNeedColon() throws Exception {
    script("", "x = 1");
    assertThatThrownBy(() -> run("", "return cumulus.md5('abc')")).hasMessageContaining("':'");
  }

  @Test
  void blacklistFromLua() throws Exception {
    script("", "x = 1");
    run("", "cumulus:addToBlacklist('10.1.2.3', '10.1.2.4')");
    assertThat(blacklist.drop(InetAddress.getByName("10.1.2.3"))).isTrue();
    run("", "cumulus:removeFromBlacklist('10.1.2.3')");
    assertThat(blacklist.drop(InetAddress.getByName("10.1.2.3"))).isFalse();
    assertThat(blacklist.drop(InetAddress.getByName("10.1.2.4"))).isTrue();
    assertThat(blacklist.dropped()).isEqualTo(2);
  }

  @Test
  void amfMappingRoundTrips() throws Exception {
    script("", "x = 1");
    Varargs r = run("", "local shared = {k = 1}; return cumulus:fromAMF(cumulus:toAMF("
        + " {__time = 1000}, {__raw = 'ab\\0c'}, {__size = 1, x = 2}, {1, 2, n = 'v'}, {__type = 'T', a = 1},"
        + " 268435455, 268435456, 1.5, 'str', true, {a = shared, b = shared}, {}))");
    assertThat(r.narg()).isEqualTo(12);
    assertThat(r.arg(1).get("__time").todouble()).isEqualTo(1000.0);
    assertThat(r.arg(1).get("year").toint()).isGreaterThanOrEqualTo(1969);
    assertThat(bytes(r.arg(2).get("__raw"))).containsExactly('a', 'b', 0, 'c');
    assertThat(r.arg(3).get("x").toint()).isEqualTo(2);
    assertThat(r.arg(3).get("__size").toint()).isEqualTo(1);
    assertThat(r.arg(4).get(2).toint()).isEqualTo(2);
    assertThat(r.arg(4).get("n").tojstring()).isEqualTo("v");
    assertThat(r.arg(5).get("__type").tojstring()).isEqualTo("T");
    assertThat(r.arg(6).toint()).isEqualTo(268435455);
    assertThat(r.arg(7).todouble()).isEqualTo(268435456.0);
    assertThat(r.arg(9).tojstring()).isEqualTo("str");
    // A table seen twice is an AMF3 reference: one table after the round trip.
    assertThat(r.arg(11).get("a")).isSameAs(r.arg(11).get("b"));
    assertThat(r.arg(12).istable()).isTrue();
    // Java side: the types of §5.17.
    Object[] j = lua(() -> {
      Varargs v = host.app("").env().get("load").call(LuaValue.valueOf(
          "return {__time = 5}, {__raw = 'x'}, {__size = 0}, {1, 2}, {__type = 'T'}, 7, 2.5, {a = 1}")).invoke();
      Object[] out = new Object[v.narg()];
      for (int i = 0; i < out.length; i++) {
        out[i] = host.fromLua(v.arg(i + 1));
      }
      return out;
    });
    assertThat(j[0]).isEqualTo(new AmfDate(5));
    assertThat((byte[]) j[1]).containsExactly('x');
    assertThat(j[2]).isInstanceOf(AmfDictionary.class);
    assertThat(((AmfArray) j[3]).dense()).containsExactly(1, 2);
    assertThat(((AmfObject) j[4]).className()).isEqualTo("T");
    assertThat(j[5]).isEqualTo(7);
    assertThat(j[6]).isEqualTo(2.5);
    assertThat(((AmfObject) j[7]).get("a")).isEqualTo(1);
    // AMF → Lua: undefined is nil, Integer is a number.
    assertThat(lua(() -> host.toLua(Amf.UNDEFINED)).isnil()).isTrue();
  }

  @Test
  void externalizableWritesThroughWriteExternal() throws Exception {
    script("", "function onTypedObject(t, o) if t == 'Pt' then o.__readExternal = function(self, r) self.x = r:readInt(); self.s = r:readUTF() end end end");
    Varargs r = run("", "local p = {__type = 'Pt', x = 7, s = 'hey'}\n"
        + "p.__writeExternal = function(self, w) w:writeInt(self.x); w:writeUTF(self.s) end\n"
        + "local back = cumulus:fromAMF(cumulus:toAMF(p)); return back.x, back.s, back.__type");
    assertThat(r.arg(1).toint()).isEqualTo(7);
    assertThat(r.arg(2).tojstring()).isEqualTo("hey");
    assertThat(r.arg(3).tojstring()).isEqualTo("Pt");
  }

  @Test
  void registeredEventsAreOnlyTheAssigningApp() throws Exception {
    script("", "function onManage() end\nfunction onRendezVousUnknown(id) return '127.0.0.1:1935' end");
    script("child", "x = 1");
    lua(() -> {
      host.app("").refresh();
      host.app("child").refresh();
      return null;
    });
    assertThat(host.handlesRendezVousUnknown()).isTrue();
    assertThat(lua(() -> host.registeredFor("onManage"))).extracting(LuaApplication::path).containsExactly("");
    assertThat(host.onRendezVousUnknown(new byte[32]).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .hasSize(1).first().extracting(a -> a.getPort()).isEqualTo(1935);
  }

  @Test
  void loggingToString() {
    assertThat(LuaLog.join(LuaValue.varargsOf(new LuaValue[] {LuaValue.NIL, LuaValue.TRUE, LuaValue.valueOf(3), LuaValue.valueOf("s")})))
        .isEqualTo("(null)(true)3s");
    assertThat(LuaLog.toString(new LuaTable())).startsWith("table_");
  }

  static byte[] bytes(LuaValue v) {
    byte[] b = new byte[v.checkstring().rawlen()];
    v.checkstring().copyInto(0, b, 0, b.length);
    return b;
  }
}
