package io.altocumulus.edge.lua;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.cluster.link.ServerLink;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** LuaServers without a cluster: links are fakes, events are fed as ServerLinks would. */
class LuaServersTest {
  @TempDir
  Path www;
  LuaHost host;
  LuaServers servers;

  /** A link that records what Lua sends on it. */
  static final class FakeLink implements ServerLink {
    final String id;
    final String pub;
    final boolean target;
    final List<String> sent = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();

    FakeLink(String id, String pub, boolean target) {
      this.id = id;
      this.pub = pub;
      this.target = target;
    }

    @Override public String nodeId() { return id; }
    @Override public String address() { return "10.0.0.1:" + id.hashCode() % 1000; }
    @Override public String publicAddress() { return pub; }
    @Override public Map<String, String> properties() { return Map.of("zone", "z-" + id, "send", "shadowed"); }
    @Override public boolean isTarget() { return target; }
    @Override public List<String> remoteApps() { return List.of(); }
    @Override public boolean isUp() { return true; }

    @Override
    public synchronized boolean send(String handler, byte[] amf) {
      sent.add(handler);
      payloads.add(amf);
      return true;
    }
  }

  @BeforeEach
  void start() throws Exception {
    Files.writeString(www.resolve("main.lua"), """
        ups, downs, calls = 0, 0, {}
        function onServerConnection(s)
          ups = ups + 1
          function s:hello(a, b) calls[#calls + 1] = tostring(a) .. '/' .. tostring(b) end
        end
        function onServerDisconnection(s) downs = downs + 1 end
        function onRendezVousUnknown(peerId) return cumulus.servers end
        function eval(code) return assert(load(code))() end
        """);
    // A child app inherits the handlers but did not assign them: not registered, not called.
    Files.createDirectories(www.resolve("child"));
    Files.writeString(www.resolve("child").resolve("main.lua"), "x = 1\n");
    host = new LuaHost(www, Map.of(), null);
    servers = LuaServers.install(host);
    host.start();
    lua(() -> {
      host.app("child").refresh();
      return null;
    });
  }

  @AfterEach
  void stop() {
    host.close();
  }

  <T> T lua(Supplier<T> s) throws Exception {
    return host.submit(s).get(10, TimeUnit.SECONDS);
  }

  String eval(String code) throws Exception {
    return lua(() -> {
      Varargs r = host.invoke(host.app("").env().get("eval"), LuaValue.valueOf(code));
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= r.narg(); i++) {
        sb.append(i > 1 ? " " : "").append(r.arg(i).tojstring());
      }
      return sb.toString();
    });
  }

  @Test
  void withoutLinksTheCollectionIsEmpty() throws Exception {
    assertThat(eval("return cumulus.servers.count, cumulus.servers(1), cumulus.servers('x:1'), "
        + "cumulus.servers:broadcast('h', 1), cumulus.servers.targets.count")).isEqualTo("0 nil nil 0 0");
  }

  @Test
  void eventsMessagesAndRedirects() throws Exception {
    FakeLink b = new FakeLink("b", "127.0.0.1:2002", true);
    FakeLink c = new FakeLink("c", "", false);
    servers.linkUp(b);
    servers.linkUp(c);
    assertThat(eval("return ups, cumulus.servers.count, cumulus.servers('b').zone, cumulus.servers('b').send ~= 'shadowed'"))
        .isEqualTo("2 2 z-b true");

    // Arguments go out AMF-encoded, and come back decoded into server:<handler>(...).
    eval("cumulus.servers('b'):send('hello', 7, 'x')");
    assertThat(b.sent).containsExactly("hello");
    servers.message(b, "hello", b.payloads.get(0));
    // A remote cannot reach the built-in members, bad AMF is dropped, later messages still arrive.
    servers.message(b, "send", b.payloads.get(0));
    servers.message(b, "hello", new byte[] {0x11, (byte) 0xFF});
    servers.message(b, "nosuch", b.payloads.get(0));
    servers.message(b, "hello", LuaAmf.encode(host, LuaValue.varargsOf(LuaValue.valueOf("y"), LuaValue.TRUE), false));
    assertThat(eval("return table.concat(calls, ' ')")).isEqualTo("7/x y/true");
    assertThat(b.sent).containsExactly("hello");

    // onRendezVousUnknown returning cumulus.servers: every publicAddress that is one (c has none).
    List<InetSocketAddress> to = host.onRendezVousUnknown(new byte[32]).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(to).containsExactly(new InetSocketAddress("127.0.0.1", 2002));

    eval("keptB = cumulus.servers('b')");
    servers.linkDown(b);
    servers.message(b, "hello", b.payloads.get(0)); // after down: nobody to call
    servers.linkDown(b);                           // twice: once only
    assertThat(eval("return downs, cumulus.servers.count, #calls, pcall(keptB.send, keptB, 'h')"))
        .startsWith("1 1 2 false");
    assertThat(host.onRendezVousUnknown(new byte[32]).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void appPathsFromOtherNodesStayInsideWww() {
    assertThat(LuaServers.appPath("")).isEqualTo("");
    assertThat(LuaServers.appPath("/")).isEqualTo("");
    assertThat(LuaServers.appPath("/a/b/")).isEqualTo("a/b");
    assertThat(LuaServers.appPath("a/b")).isEqualTo("a/b");
    assertThat(LuaServers.appPath("../x")).isNull();
    assertThat(LuaServers.appPath("a/../../x")).isNull();
    assertThat(LuaServers.appPath("a//b")).isNull();
    assertThat(LuaServers.appPath("a\\b")).isNull();
    assertThat(LuaServers.appPath("c:/x")).isNull();
  }
}
