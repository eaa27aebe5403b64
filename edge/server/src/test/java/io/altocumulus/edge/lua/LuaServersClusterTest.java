package io.altocumulus.edge.lua;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.cluster.ClusterConfig;
import io.altocumulus.cluster.ClusterNode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.luaj.vm2.LuaValue;

/**
 * Lua over real server links (issue 6 point 3): three {@link ClusterNode}s against a real
 * ZooKeeper server, each with its own {@link LuaHost} over its own www/. No RTMFP.
 * Tagged "zookeeper": runs in its own fork (edge/server pom, execution zookeeper-tests).
 */
@Tag("zookeeper")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LuaServersClusterTest {
  static final String MAIN = """
      ups, downs, got, bgot = {}, {}, {}, {}
      function onServerConnection(server)
        ups[#ups + 1] = server.publicAddress
        function server:seq(i, t) got[#got + 1] = i; lastTable = t end
        function server:bseq(i, from) bgot[#bgot + 1] = i; bfrom = from end
      end
      function onServerDisconnection(server)
        downs[#downs + 1] = server.publicAddress
      end
      function eval(code) return assert(load(code))() end
      function sendMany(addr, n)
        local s = cumulus.servers(addr)
        for i = 1, n do s:send("seq", i, {k = "v" .. i, list = {i, i + 1}}) end
      end
      function broadcastMany(n, from)
        for i = 1, n do cumulus.servers:broadcast("bseq", i, from) end
      end
      function inOrder(t, n)
        if #t ~= n then return false end
        for i = 1, n do if t[i] ~= i then return false end end
        return true
      end
      function onHandshake(address, path, properties, attempts)
        if properties.one then return cumulus.servers(properties.one) end
        if properties.all then return cumulus.servers end
      end
      """;
  /** App sync: counts its starts in the root app. */
  static final String ROOM = "function onStart(p) super.roomStarts = (super.roomStarts or 0) + 1 end\n";
  /** An app started while links exist: onServerConnection once per link; stopped: onServerDisconnection. */
  static final String LATE = """
      function onServerConnection(s) super.lateUps = (super.lateUps or 0) + 1 end
      function onServerDisconnection(s) super.lateDowns = (super.lateDowns or 0) + 1 end
      """;

  record Node(String id, String pub, LuaHost host, LuaServers servers, ClusterNode cluster) {
    String grpc() {
      return "127.0.0.1:" + cluster.grpcPort();
    }
  }

  Path root;
  TestingServer zk;
  Node a;
  Node b;
  Node c;

  @BeforeAll
  void cluster() throws Exception {
    root = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    Files.createDirectories(root);
    root = Files.createTempDirectory(root, "lua-servers");
    zk = new TestingServer(-1, Files.createDirectories(root.resolve("zk")).toFile());
    a = node("a", 11001, "room", "onlyA", "late");
    b = node("b", 11002, "room");
    await(Duration.ofSeconds(5), () -> lua(a, "return cumulus.servers.count").equals("1")
        && lua(b, "return cumulus.servers.count").equals("1"));
  }

  Node node(String id, int pubPort, String... apps) throws Exception {
    Path www = Files.createDirectories(root.resolve(id).resolve("www"));
    Files.writeString(www.resolve("main.lua"), MAIN);
    for (String app : apps) {
      Path d = Files.createDirectories(www.resolve(app));
      Files.writeString(d.resolve("main.lua"), app.equals("late") ? LATE : ROOM);
    }
    LuaHost host = new LuaHost(www, Map.of(), null).start();
    LuaServers servers = LuaServers.install(host);
    Map<String, String> ini = new HashMap<>();
    ini.put("cluster.zookeeper", zk.getConnectString());
    ini.put("cluster.name", "lua-servers");
    ini.put("node.id", id);
    ini.put("grpc.host", "127.0.0.1");
    ini.put("grpc.port", "0");
    ini.put("publicAddress", "127.0.0.1:" + pubPort);
    ini.put("node.property.region", "r-" + id);
    ClusterNode cluster = ClusterNode.start(ClusterConfig.fromIni(ini).orElseThrow(), zk.getConnectString(), servers);
    servers.attach(cluster.links());
    return new Node(id, "127.0.0.1:" + pubPort, host, servers, cluster);
  }

  @AfterAll
  void close() throws Exception {
    for (Node n : new Node[] {a, b, c}) {
      if (n != null) {
        n.cluster.close();
        n.host.close();
      }
    }
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  @Order(1)
  void onServerConnectionOnEveryNodeWithinTwoSeconds() throws Exception {
    long t0 = System.nanoTime();
    c = node("c", 11003);
    await(Duration.ofSeconds(2), () -> lua(a, "return #ups").equals("2") && lua(b, "return #ups").equals("2")
        && lua(c, "return #ups").equals("2"));
    System.out.printf("node c started -> onServerConnection on a, b, c: %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    assertThat(lua(a, "table.sort(ups) return table.concat(ups, ' ')")).isEqualTo(b.pub + " " + c.pub);
    assertThat(lua(b, "table.sort(ups) return table.concat(ups, ' ')")).isEqualTo(a.pub + " " + c.pub);
    assertThat(lua(c, "table.sort(ups) return table.concat(ups, ' ')")).isEqualTo(a.pub + " " + b.pub);
    assertThat(lua(c, "return cumulus.servers.count")).isEqualTo("2");
  }

  @Test
  @Order(2)
  void lookupByIndexAndAddress() throws Exception {
    assertThat(lua(a, "return cumulus.servers(1) ~= nil, cumulus.servers(2) ~= nil, cumulus.servers(3), "
        + "cumulus.servers(0), cumulus.servers(1.5), cumulus.servers('1'), cumulus.servers('127.0.0.1:9'), cumulus.servers()"))
        .isEqualTo("true true nil nil nil nil nil nil");
    assertThat(lua(a, "local s = cumulus.servers('" + b.pub + "') return s.publicAddress, s.nodeId, s.region, s.isTarget"))
        .isEqualTo(b.pub + " b r-b true");
    assertThat(lua(a, "local s = cumulus.servers('" + c.grpc() + "') return s.address, s.publicAddress"))
        .isEqualTo(c.grpc() + " " + c.pub);
    assertThat(lua(a, "return cumulus.servers('" + b.pub + "').nosuch"))
        .isEqualTo("nil");
    // The lower id opens the link: a opened both, c none.
    assertThat(lua(a, "return cumulus.servers.targets.count, cumulus.servers.initiators.count")).isEqualTo("2 0");
    assertThat(lua(b, "return cumulus.servers.targets.count, cumulus.servers.initiators.count")).isEqualTo("1 1");
    assertThat(lua(c, "return cumulus.servers.targets.count, cumulus.servers.initiators.count")).isEqualTo("0 2");
    assertThat(lua(b, "return cumulus.servers.targets(1).nodeId, cumulus.servers.initiators(1).nodeId, "
        + "cumulus.servers.targets(2), cumulus.servers.initiators('" + c.pub + "')"))
        .isEqualTo("c a nil nil");
    assertThat(lua(a, "local n, ids = 0, {} for i, s in cumulus.servers:ipairs() do n = n + i ids[#ids + 1] = s.nodeId end "
        + "table.sort(ids) return n, table.concat(ids, ',')")).isEqualTo("3 b,c");
    assertThat(lua(a, "local n = 0 for i, s in cumulus.servers.targets:ipairs() do n = n + 1 end "
        + "for i, s in cumulus.servers.initiators:ipairs() do n = n + 10 end return n")).isEqualTo("2");
    // Persistent objects: the same table every time, user fields stay; members are read-only.
    assertThat(lua(a, "local s = cumulus.servers(1) s.nick = 'x' "
        + "return cumulus.servers(s.publicAddress).nick, rawequal(s, cumulus.servers(s.address))")).isEqualTo("x true");
    assertThat(lua(a, "return pcall(function() cumulus.servers(1).publicAddress = 'y' end)")).startsWith("false");
    // Reserved handlers, and ':' calls.
    assertThat(lua(a, "return pcall(function() cumulus.servers:broadcast('.') end)")).startsWith("false");
    assertThat(lua(a, "return pcall(function() cumulus.servers:broadcast('') end)")).startsWith("false");
    assertThat(lua(a, "return pcall(function() cumulus.servers(1):send('.') end)")).startsWith("false");
    assertThat(lua(a, "return pcall(function() cumulus.servers(1).send('x') end)")).startsWith("false");
  }

  @Test
  @Order(3)
  void sendAndBroadcastArriveInOrder() throws Exception {
    call(a, "sendMany", LuaValue.valueOf(b.pub), LuaValue.valueOf(200));
    await(Duration.ofSeconds(5), () -> lua(b, "return #got").equals("200"));
    assertThat(lua(b, "return inOrder(got, 200), lastTable.k, lastTable.list[1], lastTable.list[2]"))
        .isEqualTo("true v200 200 201");
    assertThat(lua(c, "return #got")).isEqualTo("0");

    call(c, "broadcastMany", LuaValue.valueOf(200), LuaValue.valueOf("from-c"));
    await(Duration.ofSeconds(5), () -> lua(a, "return #bgot").equals("200") && lua(b, "return #bgot").equals("200"));
    assertThat(lua(a, "return inOrder(bgot, 200), bfrom")).isEqualTo("true from-c");
    assertThat(lua(b, "return inOrder(bgot, 200), bfrom")).isEqualTo("true from-c");
    assertThat(lua(c, "return #bgot")).isEqualTo("0");
    assertThat(lua(a, "return cumulus.servers.targets:broadcast('nobody')")).isEqualTo("2");
  }

  @Test
  @Order(4)
  void appSyncLoadsAppsWhoseFolderExists() throws Exception {
    assertThat(lua(b, "return roomStarts")).isEqualTo("nil");
    a.host.submit(() -> {
      a.host.app("room").refresh();
      a.host.app("onlyA").refresh();
      return null;
    }).get(5, TimeUnit.SECONDS);
    assertThat(lua(a, "return roomStarts")).isEqualTo("2"); // room and onlyA share the script
    await(Duration.ofSeconds(3), () -> lua(b, "return roomStarts").equals("1"));
    Thread.sleep(300);
    assertThat(b.host.submit(() -> b.host.existing("room").running() + " " + b.host.existing("onlyA")).get())
        .isEqualTo("true null");
    assertThat(c.host.submit(() -> c.host.existing("room") + " " + c.host.existing("onlyA")).get())
        .isEqualTo("null null");
  }

  @Test
  @Order(5)
  void appStartingWhileLinksExistGetsOnServerConnectionPerLink() throws Exception {
    a.host.submit(() -> {
      a.host.app("late").refresh();
      return null;
    }).get(5, TimeUnit.SECONDS);
    assertThat(lua(a, "return lateUps, lateDowns")).isEqualTo("2 nil");
    Files.delete(a.host.www().resolve("late").resolve("main.lua"));
    a.host.submit(() -> {
      a.host.app("late").refresh(); // script gone: the app stops
      return null;
    }).get(5, TimeUnit.SECONDS);
    assertThat(lua(a, "return lateUps, lateDowns")).isEqualTo("2 2");
    assertThat(lua(a, "return #ups, #downs")).isEqualTo("2 0");
  }

  @Test
  @Order(6)
  void handshakeRedirectsToPublicAddresses() throws Exception {
    LuaApplication app = a.host.app("");
    InetSocketAddress from = new InetSocketAddress("127.0.0.1", 40000);
    List<InetSocketAddress> all = app.onHandshake(from, "", Map.of("all", "1"), 1).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertThat(all).containsExactlyInAnyOrder(LuaHost.parseAddress(b.pub), LuaHost.parseAddress(c.pub));
    List<InetSocketAddress> one = app.onHandshake(from, "", Map.of("one", c.pub), 1).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertThat(one).containsExactly(LuaHost.parseAddress(c.pub));
    assertThat(app.onHandshake(from, "", Map.of(), 1).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  @Order(7)
  void onServerDisconnectionWhenANodeCloses() throws Exception {
    lua(a, "keptC = cumulus.servers('" + c.pub + "') return keptC.nodeId");
    c.cluster.close();
    // c's own links went down: c's scripts saw both go.
    await(Duration.ofSeconds(3), () -> lua(c, "return #downs").equals("2"));
    assertThat(lua(c, "return cumulus.servers.count")).isEqualTo("0");
    c.host.close();
    c = null;
    await(Duration.ofSeconds(3), () -> lua(a, "return #downs").equals("1") && lua(b, "return #downs").equals("1"));
    String cPub = "127.0.0.1:11003";
    assertThat(lua(a, "return downs[1], cumulus.servers.count, cumulus.servers('" + cPub + "')"))
        .isEqualTo(cPub + " 1 nil");
    assertThat(lua(b, "return downs[1], cumulus.servers.count")).isEqualTo(cPub + " 1");
    // The dead link's object: its fields stay readable, its methods fail.
    assertThat(lua(a, "return pcall(keptC.send, keptC, 'seq', 1)")).startsWith("false").contains("dead object");
    List<InetSocketAddress> all = a.host.app("").onHandshake(new InetSocketAddress("127.0.0.1", 40000), "",
        Map.of("all", "1"), 1).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(all).containsExactly(LuaHost.parseAddress(b.pub));
  }

  // ---- helpers ----

  /** Runs {@code code} in the node's root app and answers its results joined by spaces (tostring each). */
  static String lua(Node n, String code) {
    try {
      return n.host.submit(() -> {
        var r = n.host.invoke(n.host.app("").env().get("eval"), LuaValue.valueOf(code));
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= r.narg(); i++) {
          sb.append(i > 1 ? " " : "").append(r.arg(i).tojstring());
        }
        return sb.toString();
      }).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static void call(Node n, String fn, LuaValue... args) throws Exception {
    n.host.submit((Supplier<Object>) () -> n.host.invoke(n.host.app("").env().get(fn), LuaValue.varargsOf(args)))
        .get(10, TimeUnit.SECONDS);
  }

  static void await(Duration d, BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("not within " + d);
      }
      Thread.sleep(20);
    }
  }
}
