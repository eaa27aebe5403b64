package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetGroupView;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.group.NetGroup;
import io.altocumulus.edge.group.VirtualMember;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetGroup;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.tc.NetGroupMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NetGroup bootstrap, ring repair, departures and limits on a real node over loopback (issue 5). */
class NetGroupIT {
  static final String SPEC = "G:010121050e0c617070";
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  String url;
  final GroupApp app = new GroupApp();

  /** Records who is who (connect argument → peer id) and the group events, in order. */
  static final class GroupApp implements ServerApplication {
    final Map<String, String> idOf = new ConcurrentHashMap<>();
    final Map<String, String> nameOf = new ConcurrentHashMap<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Map<String, Object>> onConnection(Client c, List<Object> args) {
      String name = String.valueOf(args.get(0));
      idOf.put(name, c.id());
      nameOf.put(c.id(), name);
      return NO_EXTRA;
    }

    @Override
    public void onJoinGroup(Client c, NetGroupView group) {
      events.add("join " + nameOf.get(c.id()) + " " + group.size());
    }

    @Override
    public void onUnjoinGroup(Client c, NetGroupView group) {
      events.add("unjoin " + nameOf.get(c.id()));
    }
  }

  void start(String ini) throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("app"));
    Applications apps = new Applications(www).register("app", app);
    node = EdgeNode.start(EdgeLoopbackIT.config(www, ini), new EdgeNode.Options().applications(apps)
        .endpointConfig(c -> c.keepAliveServerSeconds = 1));
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

  ClientNetConnection connect(String name) throws Exception {
    return client.connect(url, new RtmfpClient.ConnectOptions().args(name)).get(10, TimeUnit.SECONDS);
  }

  static List<String> hex(List<byte[]> ids) {
    List<String> out = new ArrayList<>();
    for (byte[] id : ids) {
      out.add(HexFormat.of().formatHex(id));
    }
    return out;
  }

  @Test
  void twentyMembersBootstrapRingRepairAndDepartures() throws Exception {
    start("");
    int n = 20;
    List<ClientNetConnection> ncs = new ArrayList<>();
    List<ClientNetGroup> gs = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ncs.add(connect("c" + i));
      ids.add(app.idOf.get("c" + i));
    }
    for (int i = 0; i < n; i++) {
      ClientNetGroup g = ncs.get(i).joinGroup(SPEC);
      gs.add(g);
      int expected = Math.min(i, 5) + (i > 5 ? 1 : 0);
      int joined = i + 1;
      await().atMost(WAIT).until(() -> app.events.contains("join c" + (joined - 1) + " " + joined)
          && g.peers().size() >= expected);
      List<String> got = hex(g.peers());
      assertThat(got).as("bootstrap of c%d", i).hasSize(expected);
      for (int k = 0; k < Math.min(i, 5); k++) {
        assertThat(got.get(k)).as("c%d's neighbour %d", i, k).isEqualTo(ids.get(i - 1 - k));
      }
      if (i > 5) {
        assertThat(ids.subList(0, i - 5)).as("c%d's random older member", i).contains(got.get(5));
      }
    }
    NetGroup group = node.groups().find(NetGroupMessage.groupIdOfSpecifier(SPEC.getBytes(StandardCharsets.UTF_8)));
    assertThat(group).isNotNull();
    assertThat(group.size()).isEqualTo(n);
    assertThat(node.groups().count()).isEqualTo(1);
    assertThat(group.members()).extracting(Client::id).containsExactlyElementsOf(ids);

    // c10 leaves: c11, right after it, is given the member 5 before c10 (c5); the server ends its flow.
    gs.get(10).close();
    await().atMost(WAIT).until(() -> gs.get(11).peers().size() == 7);
    assertThat(hex(gs.get(11).peers()).get(6)).isEqualTo(ids.get(5));
    await().atMost(WAIT).until(() -> gs.get(10).serverFinished());
    assertThat(app.events).contains("unjoin c10");
    // c2 leaves: nobody is 5 before it, so c3 hears nothing.
    gs.get(2).close();
    await().atMost(WAIT).until(() -> app.events.contains("unjoin c2"));
    // c13 leaves (now c0 c1 c3 c4 c5 c6 c7 c8 c9 c11 c12 c13 ...): 5 before it is c7.
    gs.get(13).close();
    await().atMost(WAIT).until(() -> gs.get(14).peers().size() == 7);
    assertThat(hex(gs.get(14).peers()).get(6)).isEqualTo(ids.get(7));
    // The last member leaves: nobody after it.
    gs.get(19).close();
    await().atMost(WAIT).until(() -> app.events.contains("unjoin c19"));
    Thread.sleep(300); // let any stray repair arrive before checking there was none
    assertThat(gs.get(3).peers()).hasSize(3);
    assertThat(gs.get(12).peers()).hasSize(6);
    assertThat(group.size()).isEqualTo(16);

    // c15's session is closed: it leaves its group before onDisconnection; c16 gets c8
    // (c0 c1 c3 c4 c5 c6 c7 c8 c9 c11 c12 c14 c15 ...: 5 before c15 is c8).
    ncs.get(15).close().get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> app.events.contains("unjoin c15"));
    await().atMost(WAIT).until(() -> gs.get(16).peers().size() == 7);
    assertThat(hex(gs.get(16).peers()).get(6)).isEqualTo(ids.get(8));
    assertThat(group.size()).isEqualTo(15);

    // A member whose client dies without a word (every datagram lost): its session times out, it leaves.
    try (LossyProxy proxy = new LossyProxy(node.localAddress(), 0, 0, 0)) {
      ClientNetConnection ghost = client.connect(url, new RtmfpClient.ConnectOptions().args("ghost")
          .server(proxy.address())).get(10, TimeUnit.SECONDS);
      ClientNetGroup gg = ghost.joinGroup(SPEC);
      await().atMost(WAIT).until(() -> gg.peers().size() == 6);
      assertThat(hex(gg.peers()).get(0)).isEqualTo(ids.get(18));
      assertThat(group.size()).isEqualTo(16);
      proxy.setLoss(1.0);
      await().atMost(Duration.ofSeconds(30)).until(() -> app.events.contains("unjoin ghost"));
      assertThat(group.size()).isEqualTo(15);
    }
    // Everyone leaves: the group is gone.
    for (int i : new int[] {0, 1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 16, 17, 18}) {
      gs.get(i).close();
    }
    await().atMost(WAIT).until(() -> node.groups().count() == 0);
    assertThat(node.groups().joins()).isEqualTo(21);
    assertThat(node.groups().leaves()).isEqualTo(21);
  }

  @Test
  void virtualMembersAreAnnouncedToNewcomers() throws Exception {
    start("");
    byte[] gid = NetGroupMessage.groupIdOfSpecifier(SPEC.getBytes(StandardCharsets.UTF_8));
    Key remote = Key.ofHex("ab".repeat(32));
    VirtualMember vm = node.groups().join(remote.hex().getBytes(StandardCharsets.US_ASCII), gid);
    assertThat(vm).isNotNull();
    assertThat(vm.id()).isEqualTo(remote.hex());
    assertThat(node.groups().find(HexFormat.of().formatHex(gid)).size()).isEqualTo(1);
    assertThat(node.groups().find(HexFormat.of().formatHex(gid)).members()).isEmpty();
    ClientNetGroup g = connect("a").joinGroup(gid);
    await().atMost(WAIT).until(() -> g.peers().size() == 1);
    assertThat(hex(g.peers())).containsExactly(remote.hex());
    vm.release();
    assertThat(node.groups().find(gid).size()).isEqualTo(1);
    ClientNetGroup g2 = connect("b").joinGroup(gid);
    await().atMost(WAIT).until(() -> g2.peers().size() == 1);
    assertThat(hex(g2.peers())).containsExactly(app.idOf.get("a"));
  }

  @Test
  void limitsRefuseAndCount() throws Exception {
    start("groups.max=2\ngroups.maxMembers=3\ngroups.perSession=2\n");
    assertThat(node.groups().limits().maxGroups()).isEqualTo(2);
    ClientNetConnection a = connect("a");
    ClientNetGroup a1 = a.joinGroup("g1");
    a.joinGroup("g2");
    await().atMost(WAIT).until(() -> app.events.size() == 2);
    a.joinGroup("g3"); // a third group for one session
    await().atMost(WAIT).until(() -> node.groups().refusedPerSession() == 1);
    ClientNetConnection b = connect("b");
    b.joinGroup("g3"); // a third group on the node
    await().atMost(WAIT).until(() -> node.groups().refusedGroups() == 1);
    b.joinGroup("g1");
    connect("c").joinGroup("g1");
    await().atMost(WAIT).until(() -> app.events.size() == 4);
    ClientNetGroup d1 = connect("d").joinGroup("g1"); // a fourth member
    await().atMost(WAIT).until(() -> node.groups().refusedMembers() == 1);
    Key g1 = Key.of(NetGroupMessage.groupIdOfSpecifier("g1".getBytes(StandardCharsets.UTF_8)));
    assertThat(node.groups().join(Key.ofHex("cd".repeat(32)), g1)).isNull(); // a virtual one too
    assertThat(node.groups().refusedMembers()).isEqualTo(2);
    assertThat(node.drops().count(DropCause.LIMIT_EXCEEDED)).isEqualTo(4);
    assertThat(node.groups().count()).isEqualTo(2);
    assertThat(d1.peers()).isEmpty();
    // Room again when a member leaves.
    a1.close();
    await().atMost(WAIT).until(() -> app.events.contains("unjoin a"));
    ClientNetGroup e1 = connect("e").joinGroup("g1");
    await().atMost(WAIT).until(() -> e1.peers().size() == 2);
    assertThat(hex(e1.peers())).containsExactly(app.idOf.get("c"), app.idOf.get("b"));
  }
}
