package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.tc.TcCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real main.lua files served by a real node over loopback to the project's client (issue 4). */
class LuaAppIT {
  static final String ROOT = """
      function onStart(path) started = 'start:' .. path end
      function onManage() manageCount = (manageCount or 0) + 1 end
      function onConnection(client, a)
        if a == 'reject' then error('go away') end
        if a == 'rejectEmpty' then error('') end
        if a == 'false' then return false end
        client.nick = a
        function client:add(x, y) return x + y end
        function client:nothing() end
        function client:fail() error('broken') end
        function client:spin() while true do end end
        function client:push(msg) self.writer:writeAMFMessage('onPush', msg, 42) end
        function client:two() return 'first', self.nick end
        function client:counts() return {manage = manageCount or 0, clients = cumulus.clients.count, started = started} end
        function client:whoLeft() return {id = disconnected, failed = failed} end
        function client:early() self.writer:writeAMFResult('early') end
        function client:onManage() self.managed = (self.managed or 0) + 1 end
        function client:getManaged() return self.managed or 0 end
        function client:info() return {id = self.id, path = self.path, address = self.address, q = self.q} end
        return {extra = 'hello ' .. tostring(a), n = 5}
      end
      function onDisconnection(client) disconnected = client.id end
      function onFailed(client, err) failed = err end
      """;

  @TempDir
  Path dir;
  Path www;
  EdgeNode node;
  RtmfpClient client;
  String base;

  @BeforeEach
  void start() throws Exception {
    www = dir.resolve("www");
    write("", ROOT);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n[lua]\nbudget=3000000\n",
        Map.of("www", www.toString())).withPort(0),
        new EdgeNode.Options().endpointConfig(c -> c.closedLingerNanos = 500_000_000L));
    client = RtmfpClient.open();
    base = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/";
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
  }

  void write(String app, String text) throws Exception {
    Path d = app.isEmpty() ? www : www.resolve(app);
    Files.createDirectories(d);
    Path f = d.resolve("main.lua");
    long before = Files.exists(f) ? Files.getLastModifiedTime(f).toMillis() : 0;
    Files.writeString(f, text);
    Files.setLastModifiedTime(f, FileTime.fromMillis(Math.max(System.currentTimeMillis(), before + 2000)));
  }

  ClientNetConnection connect(String path, Object... args) throws Exception {
    return client.connect(base + path, new RtmfpClient.ConnectOptions().args(args)).get(10, TimeUnit.SECONDS);
  }

  static Object get(CompletableFuture<Object> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void connectionResultRpcResultsErrorsAndNoResult() throws Exception {
    ClientNetConnection c = connect("?q=1", "bob");
    AmfObject info = (AmfObject) c.connectInfo();
    assertThat(info.get("code")).isEqualTo("NetConnection.Connect.Success");
    assertThat(info.get("extra")).isEqualTo("hello bob");
    assertThat(((Number) info.get("n")).intValue()).isEqualTo(5);
    assertThat(get(c.call("add", 2, 3))).isEqualTo(5);
    // The last returned value is the result.
    assertThat(get(c.call("two"))).isEqualTo("bob");
    assertThatThrownBy(() -> get(c.call("fail"))).cause()
        .hasMessageContaining("NetConnection.Call.Failed").hasMessageContaining("broken");
    assertThatThrownBy(() -> get(c.call("missing"))).cause().hasMessageContaining("Method 'missing' not found");
    // Nothing returned: no _result at all (§8.1); the call after it is answered, it never is.
    CompletableFuture<Object> nothing = c.call("nothing");
    assertThat(get(c.call("add", 1, 1))).isEqualTo(2);
    Thread.sleep(200);
    assertThat(nothing).isNotDone();
    // writeAMFResult answers the message being processed.
    assertThat(get(c.call("early"))).isEqualTo("early");
    AmfObject me = (AmfObject) get(c.call("info"));
    assertThat((String) me.get("id")).hasSize(64);
    assertThat(me.get("path")).isEqualTo("");
    assertThat((String) me.get("address")).startsWith("127.0.0.1:");
    assertThat(me.get("q")).isEqualTo("1");
  }

  @Test
  void rejectionByErrorButNotByFalse() throws Exception {
    assertThatThrownBy(() -> connect("", "reject")).cause()
        .hasMessageContaining("NetConnection.Connect.Rejected").hasMessageContaining("go away");
    assertThatThrownBy(() -> connect("", "rejectEmpty")).cause().hasMessageContaining("client rejected");
    assertThat(connect("", "false").connectInfo()).isNotNull();
  }

  @Test
  void writerMessageReachesTheClient() throws Exception {
    ClientNetConnection c = connect("", "w");
    List<TcCommand> commands = new CopyOnWriteArrayList<>();
    c.onCommand(commands::add);
    c.call("push", "hi");
    await().atMost(Duration.ofSeconds(5)).until(() -> commands.stream().anyMatch(m -> m.name().equals("onPush")));
    TcCommand push = commands.stream().filter(m -> m.name().equals("onPush")).findFirst().orElseThrow();
    assertThat(push.args()).containsExactly("hi", 42);
  }

  @Test
  void runawayRpcIsStoppedAndOthersAreServed() throws Exception {
    ClientNetConnection a = connect("", "a");
    ClientNetConnection b = connect("", "b");
    CompletableFuture<Object> spin = a.call("spin");
    CompletableFuture<Object> other = b.call("add", 20, 22);
    assertThat(get(other)).isEqualTo(42);
    assertThatThrownBy(() -> get(spin)).cause().hasMessageContaining("instructions");
    assertThat(node.lua().budgetStops()).isEqualTo(1);
    assertThat(get(a.call("add", 1, 2))).isEqualTo(3);
  }

  @Test
  void disconnectionFailedAndManage() throws Exception {
    ClientNetConnection a = connect("", "a");
    ClientNetConnection b = connect("", "b");
    AmfObject counts = (AmfObject) get(b.call("counts"));
    assertThat(((Number) counts.get("clients")).intValue()).isEqualTo(2);
    assertThat(counts.get("started")).isEqualTo("start:");
    a.close().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> ((AmfObject) get(b.call("whoLeft"))).get("id") != null);
    AmfObject left = (AmfObject) get(b.call("whoLeft"));
    assertThat((String) left.get("id")).hasSize(64);
    assertThat(left.get("failed")).isNotNull();
    // onManage every 2 s: global and per client.
    await().atMost(Duration.ofSeconds(8)).until(() -> ((Number) get(b.call("getManaged"))).intValue() >= 1);
    counts = (AmfObject) get(b.call("counts"));
    assertThat(((Number) counts.get("manage")).intValue()).isGreaterThanOrEqualTo(1);
    assertThat(((Number) counts.get("clients")).intValue()).isEqualTo(1);
  }

  @Test
  void hotReloadAndScriptErrorsUntilFixed() throws Exception {
    String v = """
        function onStart() super.starts = (super.starts or 0) + 1 end
        function onStop() super.stops = (super.stops or 0) + 1 end
        function onConnection(c) return {v = %d, starts = super.starts, stops = super.stops or 0} end
        """;
    write("re", v.formatted(1));
    AmfObject one = (AmfObject) connect("re").connectInfo();
    assertThat(((Number) one.get("v")).intValue()).isEqualTo(1);
    write("re", v.formatted(2));
    AmfObject two = (AmfObject) connect("re").connectInfo();
    assertThat(((Number) two.get("v")).intValue()).isEqualTo(2);
    assertThat(((Number) two.get("starts")).intValue()).isEqualTo(2);
    assertThat(((Number) two.get("stops")).intValue()).isEqualTo(1);
    // A broken script rejects with its error until fixed.
    write("re", "this is not lua");
    assertThatThrownBy(() -> connect("re")).cause()
        .hasMessageContaining("NetConnection.Connect.Rejected").hasMessageContaining("re/main.lua");
    assertThatThrownBy(() -> connect("re")).cause().hasMessageContaining("re/main.lua");
    write("re", v.formatted(3));
    AmfObject three = (AmfObject) connect("re").connectInfo();
    assertThat(((Number) three.get("v")).intValue()).isEqualTo(3);
  }
}
