package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.lua.LuaHost;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaValue;

/** cumulus:addToBlacklist / removeFromBlacklist over UDP (CUMULUS-FEATURES §5.1, §7 "Ban list"). */
class LuaBlacklistIT {
  static final String MAIN = """
      function onConnection(client)
        function client:ban() cumulus:addToBlacklist('127.0.0.1') return 'banned' end
        function client:add(x, y) return x + y end
      end
      function unban() cumulus:removeFromBlacklist('127.0.0.1:1935') end
      """;

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;

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
  void bannedAddressIsDroppedUntilRemoved() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), MAIN);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n", Map.of("www", www.toString())).withPort(0));
    client = RtmfpClient.open();
    String url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/";
    LuaHost lua = node.lua();
    ClientNetConnection a = client.connect(url, new RtmfpClient.ConnectOptions()).get(10, TimeUnit.SECONDS);
    assertThat(a.call("add", 1, 2).get(10, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(lua.blacklist().dropped()).isZero();

    // The answer leaves the server; everything the client sends from now on is dropped on arrival.
    assertThat(a.call("ban").get(10, TimeUnit.SECONDS)).isEqualTo("banned");
    assertThat(lua.blacklist().contains(InetAddress.getByName("127.0.0.1"))).isTrue();
    CompletableFuture<Object> unanswered = a.call("add", 2, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> lua.blacklist().dropped() >= 1);
    assertThatThrownBy(() -> unanswered.get(1500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    // A new connection is not served either.
    CompletableFuture<ClientNetConnection> refused = client.connect(url, new RtmfpClient.ConnectOptions());
    assertThatThrownBy(() -> refused.get(1500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    long dropped = lua.blacklist().dropped();
    assertThat(dropped).isGreaterThanOrEqualTo(2);

    // removeFromBlacklist (an ip:port is accepted, the port ignored): new connections are served again.
    lua.submit(() -> lua.call(lua.app("").handler("unban"), LuaValue.NONE, "test")).get(10, TimeUnit.SECONDS);
    assertThat(lua.blacklist().size()).isZero();
    ClientNetConnection b = client.connect(url, new RtmfpClient.ConnectOptions()).get(10, TimeUnit.SECONDS);
    assertThat(b.call("add", 20, 22).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    refused.cancel(true);
  }
}
