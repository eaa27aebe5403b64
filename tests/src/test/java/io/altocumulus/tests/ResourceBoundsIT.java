package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.ConfigException;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.LimitExceededException;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8 item 3: every resource bound is a config key with a range check, refuses what is over it
 * and counts the refusal (table in ops/OPERATOR-GUIDE.md, "Resource bounds"). NetGroups bounds
 * (groups.*) are in NetGroupIT, AMF limits in the core's AMF reader tests, the send-queue limit of a
 * relay flow in SendFlowDeadlineTest.
 */
class ResourceBoundsIT {
  @TempDir
  Path dir;
  EdgeNode node;
  final List<RtmfpClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(RtmfpClient::close);
    if (node != null) {
      node.close();
    }
  }

  EdgeNode start(String ini, String mainLua) throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), mainLua);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=1\n" + ini, Map.of("www", www.toString())).withPort(0));
    return node;
  }

  CompletableFuture<ClientNetConnection> connect(String path) throws Exception {
    RtmfpClient c = RtmfpClient.open();
    clients.add(c);
    return c.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/" + path);
  }

  static final String ECHO = "function onConnection(c) function c:len(s) return #s end end\n";

  @ParameterizedTest
  @ValueSource(strings = {"sessions.max=0", "session.maxFlows=0", "session.maxFlows=70000", "flow.maxBufferedBytes=100",
      "flow.maxMessageBytes=10", "flow.maxFragments=2", "relay.queueLimit=10", "lua.maxMemory=1000",
      "rendezvous.maxPeers=0", "rendezvous.maxGroups=x", "rendezvous.maxMembers=2000000", "groups.max=0",
      "handshake.perIpRate=-1", "handshake.perIpBurst=0"})
  void everyBoundIsRangeChecked(String line) {
    String key = line.substring(0, line.indexOf('='));
    assertThatThrownBy(() -> start(line + "\n", ECHO)).isInstanceOf(ConfigException.class).hasMessageContaining(key);
  }

  @Test
  void handshakesPerSourceIpAreRateLimitedAndCounted() throws Exception {
    start("handshake.perIpRate=1\nhandshake.perIpBurst=2\n", ECHO);
    // Two connects use the burst; IHellos beyond it (the third client's and its retries) are refused.
    connect("").get(10, TimeUnit.SECONDS);
    connect("").get(10, TimeUnit.SECONDS);
    connect("");
    await().atMost(Duration.ofSeconds(10)).until(() -> node.drops().count(DropCause.RATE_LIMITED) > 0);
  }

  @Test
  void sessionsPerNodeRefusedAndCounted() throws Exception {
    start("sessions.max=2\n", ECHO);
    connect("").get(10, TimeUnit.SECONDS);
    connect("").get(10, TimeUnit.SECONDS);
    CompletableFuture<ClientNetConnection> third = connect("");
    assertThatThrownBy(() -> third.get(3, TimeUnit.SECONDS)).isInstanceOfAny(TimeoutException.class, ExecutionException.class);
    assertThat(node.drops().count(DropCause.CAPACITY)).isPositive();
  }

  @Test
  void flowsPerSessionRefusedAndCounted() throws Exception {
    start("session.maxFlows=3\n", ECHO);
    ClientNetConnection c = connect("").get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 6; i++) {
      ClientNetStream ns = c.createStream().get(10, TimeUnit.SECONDS);
      ns.send("onData", i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> node.drops().count(DropCause.LIMIT_EXCEEDED) > 0);
    // The session itself stays: its NetConnection flow still answers.
    assertThat(c.call("len", "abc").get(10, TimeUnit.SECONDS)).isEqualTo(3);
  }

  @Test
  void reassemblyBytesPerFlowRefusedAndCounted() throws Exception {
    start("flow.maxMessageBytes=16384\n", ECHO);
    ClientNetConnection c = connect("").get(10, TimeUnit.SECONDS);
    assertThat(c.call("len", "x".repeat(8000)).get(10, TimeUnit.SECONDS)).isEqualTo(8000);
    assertThat(node.drops().count(DropCause.LIMIT_EXCEEDED)).isZero();
    CompletableFuture<Object> big = c.call("len", "x".repeat(100_000));
    await().atMost(Duration.ofSeconds(10)).until(() -> node.drops().count(DropCause.LIMIT_EXCEEDED) > 0);
    assertThat(big).isNotCompleted();
  }

  @Test
  void rendezvousEntriesFromConfigRefusedAndCounted() throws Exception {
    start("rendezvous.maxPeers=2\nrendezvous.maxGroups=1\nrendezvous.maxMembers=5\n", ECHO);
    LocalRendezvous r = (LocalRendezvous) node.rendezvous();
    assertThat(r.limits()).isEqualTo(new LocalRendezvous.Limits(2, 1, 5));
    // The same keys bound the cluster's shards (EdgeCluster builds its LocalRendezvous from them).
    assertThat(EdgeNode.rendezvousLimits(Map.of("rendezvous.maxPeers", "7"))).isEqualTo(
        new LocalRendezvous.Limits(7, LocalRendezvous.Limits.DEFAULT.maxGroups(), LocalRendezvous.Limits.DEFAULT.maxMembersPerGroup()));
    // Two peers register; a third is refused by the directory and counted.
    for (int i = 1; i <= 2; i++) {
      r.peers().register(new PeerRecord(key(i), "e", List.of())).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    CompletableFuture<?> f = r.peers().register(new PeerRecord(key(3), "e", List.of())).toCompletableFuture();
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LimitExceededException.class);
    assertThat(r.refusedPeers()).isPositive();
  }

  static Key key(int n) {
    byte[] id = new byte[32];
    id[0] = (byte) n;
    return Key.of(id);
  }

  @Test
  void luaAppOverMaxMemoryIsStoppedAndCounted() throws Exception {
    start("[lua]\nbudget=0\nmaxMemory=1048576\n",
        "big = {}\nfor i = 1, 40000 do big[i] = string.rep('x', 64) .. i end\n" + ECHO);
    await().atMost(Duration.ofSeconds(8)).until(() -> node.lua().memoryStops() == 1);
    assertThat(node.lua().app("").running()).isFalse();
    assertThat(node.lua().app("").lastError()).contains("lua.maxMemory");
    assertThatThrownBy(() -> connect("").get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  @Test
  void luaAppUnderMaxMemoryKeepsRunning() throws Exception {
    start("[lua]\nmaxMemory=1048576\n", "small = {}\nfor i = 1, 1000 do small[i] = 'v' .. i end\n" + ECHO);
    ClientNetConnection c = connect("").get(10, TimeUnit.SECONDS);
    Thread.sleep(2500); // past one check (every 2 s)
    assertThat(node.lua().memoryStops()).isZero();
    assertThat(c.call("len", "abcd").get(10, TimeUnit.SECONDS)).isEqualTo(4);
  }
}
