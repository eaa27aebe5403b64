package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.session.EndpointConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real node on loopback UDP, real clients of the project's own. */
class EdgeLoopbackIT {
  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  String url;

  /** An application with a few methods, as a Lua main.lua would have. */
  static final class TestApp implements ServerApplication {
    @Override
    public CompletionStage<Map<String, Object>> onConnection(Client client, List<Object> args) {
      if (!args.isEmpty() && "reject me".equals(args.get(0))) {
        throw new ConnectionRejected("not today");
      }
      if (!args.isEmpty() && "reject me later".equals(args.get(0))) {
        // Answered from another thread, as an app on its own executor does.
        return CompletableFuture.supplyAsync(() -> {
          throw new ConnectionRejected("not later either");
        });
      }
      return CompletableFuture.completedFuture(Map.of("greeting", "welcome"));
    }

    @Override
    public CompletionStage<CallResult> onCall(Client client, String method, List<Object> args) {
      if (method.equals("later")) {
        return CompletableFuture.supplyAsync(() -> CallResult.result("later " + args.get(0)));
      }
      return CompletableFuture.completedFuture(switch (method) {
        case "echo" -> CallResult.result(args.isEmpty() ? null : args.get(0));
        case "seven" -> CallResult.result(7);
        case "fail" -> CallResult.error("failed on purpose");
        default -> CallResult.notFound();
      });
    }
  }

  static NodeConfig config(Path www, String extraIni) {
    return NodeConfig.fromIni("host=127.0.0.1\nthreads=2\nudpBufferSize=8388608\n" + extraIni,
        Map.of("www", www.toString())).withPort(0);
  }

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("app"));
    Applications apps = new Applications(www).register("app", new TestApp());
    node = EdgeNode.start(config(www, ""), new EdgeNode.Options().applications(apps)
        .endpointConfig(c -> c.closedLingerNanos = 500_000_000L));
    client = RtmfpClient.open();
    url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/app";
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

  @Test
  void twoHundredSessionsConnectCallAndClose() throws Exception {
    List<CompletableFuture<ClientNetConnection>> conns = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      conns.add(client.connect(url));
    }
    List<ClientNetConnection> ok = new ArrayList<>();
    for (CompletableFuture<ClientNetConnection> f : conns) {
      ok.add(f.get(20, TimeUnit.SECONDS));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> node.sessionCount() == 200);
    List<CompletableFuture<Object>> calls = new ArrayList<>();
    for (int i = 0; i < ok.size(); i++) {
      calls.add(ok.get(i).call("echo", "hello " + i));
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("hello " + i);
    }
    List<CompletableFuture<String>> closes = new ArrayList<>();
    for (ClientNetConnection c : ok) {
      closes.add(c.close());
    }
    for (CompletableFuture<String> f : closes) {
      f.get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> node.sessionCount() == 0);
    assertThat(node.drops().total()).isZero();
  }

  @Test
  void connectSuccessInAmf3() throws Exception {
    ClientNetConnection c = client.connect(url).get(10, TimeUnit.SECONDS);
    AmfObject info = (AmfObject) c.connectInfo();
    assertThat(info.get("code")).isEqualTo("NetConnection.Connect.Success");
    assertThat(info.get("objectEncoding")).isEqualTo(3.0);
    assertThat(info.get("greeting")).isEqualTo("welcome");
    // AMF3 clients get Cumulus's encoding: an integer behind the AMF3 switch.
    assertThat(c.call("seven").get(5, TimeUnit.SECONDS)).isEqualTo(7);
  }

  @Test
  void objectEncodingZeroClientGetsPureAmf0() throws Exception {
    RtmfpClient.ConnectOptions opts = new RtmfpClient.ConnectOptions().objectEncoding(0);
    ClientNetConnection c = client.connect(url, opts).get(10, TimeUnit.SECONDS);
    List<byte[]> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    c.onMessage(messages::add);
    AmfObject info = (AmfObject) c.connectInfo();
    assertThat(info.get("objectEncoding")).isEqualTo(0.0);
    // The same integer result, as an AMF0 number: no AMF3 switch for this client.
    assertThat(c.call("seven").get(5, TimeUnit.SECONDS)).isEqualTo(7.0);
    assertThat(c.call("echo", "text").get(5, TimeUnit.SECONDS)).isEqualTo("text");
    assertThat(messages).isNotEmpty();
    for (byte[] m : messages) {
      assertThat(PureAmf0.isPure(m)).as("pure AMF0 message %s", java.util.HexFormat.of().formatHex(m)).isTrue();
    }
  }

  @Test
  void unknownMethodFailsAndErrorsCarryTheirInfo() throws Exception {
    ClientNetConnection c = client.connect(url).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> c.call("nope").get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ClientNetConnection.CallFailedException.class)
        .hasMessageContaining("NetConnection.Call.Failed").hasMessageContaining("Method 'nope' not found");
    assertThatThrownBy(() -> c.call("fail").get(5, TimeUnit.SECONDS))
        .cause().hasMessageContaining("failed on purpose");
    // An answer that arrives later from another thread still reaches the caller.
    assertThat(c.call("later", "x").get(5, TimeUnit.SECONDS)).isEqualTo("later x");
  }

  @Test
  void missingAppIsInvalidAppAndRejectionIsRejected() throws Exception {
    String missing = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/nothere";
    assertThatThrownBy(() -> client.connect(missing).get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(ClientNetConnection.CallFailedException.class)
        .hasMessageContaining("NetConnection.Connect.InvalidApp");
    RtmfpClient.ConnectOptions opts = new RtmfpClient.ConnectOptions().args("reject me");
    assertThatThrownBy(() -> client.connect(url, opts).get(10, TimeUnit.SECONDS))
        .cause().hasMessageContaining("NetConnection.Connect.Rejected").hasMessageContaining("not today");
    RtmfpClient.ConnectOptions later = new RtmfpClient.ConnectOptions().args("reject me later");
    assertThatThrownBy(() -> client.connect(url, later).get(10, TimeUnit.SECONDS))
        .cause().hasMessageContaining("NetConnection.Connect.Rejected").hasMessageContaining("not later either");
    // The root app exists because www/ does.
    String root = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/";
    assertThat(client.connect(root).get(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void setPeerInfoIsAnsweredWithSetKeepalive() throws Exception {
    ClientNetConnection c = client.connect(url).get(10, TimeUnit.SECONDS);
    int[] ka = c.setPeerInfo("192.168.1.20:50001", "[::1]:50002").get(5, TimeUnit.SECONDS);
    assertThat(ka).containsExactly(15_000, 10_000);
  }

  @Test
  void clientWithoutTimestampsWorks() throws Exception {
    EndpointConfig cfg = new EndpointConfig();
    cfg.omitUnchangedTimestamp = true;
    try (RtmfpClient quiet = RtmfpClient.open(new InetSocketAddress("127.0.0.1", 0), cfg)) {
      ClientNetConnection c = quiet.connect(url).get(10, TimeUnit.SECONDS);
      List<CompletableFuture<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        calls.add(c.call("echo", (double) i));
      }
      for (int i = 0; i < 50; i++) {
        assertThat(calls.get(i).get(5, TimeUnit.SECONDS)).isEqualTo((double) i);
      }
      assertThat(c.session().packetsWithoutTimestamp()).isZero(); // the server always sends them
    }
    assertThat(node.drops().total()).isZero();
  }

  @Test
  void everyDhGroupConnects() throws Exception {
    for (DhGroup g : DhGroup.values()) {
      ClientNetConnection c = client.connect(url, new RtmfpClient.ConnectOptions().group(g)).get(10, TimeUnit.SECONDS);
      assertThat(c.call("echo", g.name()).get(5, TimeUnit.SECONDS)).isEqualTo(g.name());
    }
  }

  @Test
  void redirectedClientFollowsTheRedirect() throws Exception {
    Path www2 = dir.resolve("www2");
    Files.createDirectories(www2.resolve("app"));
    int target = node.localAddress().getPort();
    try (EdgeNode redirector = EdgeNode.start(config(www2, "redirectTo=127.0.0.1:" + target + "\n"))) {
      String viaRedirector = "rtmfp://127.0.0.1:" + redirector.localAddress().getPort() + "/app";
      ClientNetConnection c = client.connect(viaRedirector).get(10, TimeUnit.SECONDS);
      assertThat(c.serverAddress().getPort()).isEqualTo(target);
      assertThat(c.call("echo", "moved").get(5, TimeUnit.SECONDS)).isEqualTo("moved");
      assertThat(redirector.sessionCount()).isZero();
    }
  }

  @Test
  void shutdownClosesClientsCleanly() throws Exception {
    ClientNetConnection c = client.connect(url).get(10, TimeUnit.SECONDS);
    node.close();
    node = null;
    assertThat(c.closed().get(5, TimeUnit.SECONDS)).isEqualTo("closed by peer");
  }
}
