package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.amf.AmfObject;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cumulus.groups, group and member objects, onJoinGroup/onUnjoinGroup from a real main.lua (issue 4, §5.5-5.7). */
class LuaGroupsIT {
  static final String SPEC = "G:010121050e0c617070";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String MAIN = """
      events = {}
      function onConnection(client, name)
        client.name = name
        function client:events() return table.concat(events, ',') end
        function client:info(gid)
          local g = cumulus.groups(gid)
          if not g then return {count = cumulus.groups.count} end
          local ids = {}
          for i, c in g:ipairs() do ids[i] = c.name end
          local keys = {}
          for id, grp in cumulus.groups:pairs() do keys[#keys + 1] = id .. '=' .. grp.size end
          return {count = cumulus.groups.count, size = g.size, id = g.id, rawLen = #g.rawId,
            byRaw = cumulus.groups(g.rawId) == g, byUpper = cumulus.groups(string.upper(g.id)) == g,
            members = table.concat(ids, ' '), keys = table.concat(keys, ' ')}
        end
        function client:joinVirtual(peer, gid, raw)
          if raw then gid = cumulus.groups(gid).rawId end
          member = cumulus.groups:join(peer, gid)
          return {id = member.id, rawLen = #member.rawId}
        end
        function client:release() member:release() return 'released' end
      end
      function onJoinGroup(client, group)
        events[#events + 1] = 'join ' .. client.name .. ' ' .. group.size .. ' ' .. string.sub(group.id, 1, 8)
        lastGroup = group
      end
      function onUnjoinGroup(client, group)
        events[#events + 1] = 'unjoin ' .. client.name .. ' ' .. tostring(group == lastGroup)
      end
      """;

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  String url;

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), MAIN);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n", Map.of("www", www.toString())).withPort(0));
    client = RtmfpClient.open();
    url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/";
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

  static Object get(java.util.concurrent.CompletableFuture<Object> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  static List<String> hex(List<byte[]> ids) {
    List<String> out = new ArrayList<>();
    for (byte[] id : ids) {
      out.add(HexFormat.of().formatHex(id));
    }
    return out;
  }

  @Test
  void groupsSeenFromLuaAndVirtualMembers() throws Exception {
    String gid = HexFormat.of().formatHex(NetGroupMessage.groupIdOfSpecifier(SPEC.getBytes(StandardCharsets.UTF_8)));
    ClientNetConnection a = connect("a");
    ClientNetConnection b = connect("b");
    assertThat(((Number) ((AmfObject) get(a.call("info", gid))).get("count")).intValue()).isZero();
    ClientNetGroup ga = a.joinGroup(SPEC);
    await().atMost(WAIT).until(() -> get(a.call("events")).toString().contains("join a"));
    ClientNetGroup gb = b.joinGroup(SPEC);
    await().atMost(WAIT).until(() -> get(a.call("events")).toString().contains("join b"));
    assertThat(get(a.call("events"))).isEqualTo("join a 1 " + gid.substring(0, 8) + ",join b 2 " + gid.substring(0, 8));

    AmfObject info = (AmfObject) get(b.call("info", gid));
    assertThat(((Number) info.get("count")).intValue()).isEqualTo(1);
    assertThat(((Number) info.get("size")).intValue()).isEqualTo(2);
    assertThat(info.get("id")).isEqualTo(gid);
    assertThat(((Number) info.get("rawLen")).intValue()).isEqualTo(32);
    assertThat(info.get("byRaw")).isEqualTo(true);
    assertThat(info.get("byUpper")).isEqualTo(true);
    assertThat(info.get("members")).isEqualTo("a b");
    assertThat(info.get("keys")).isEqualTo(gid + "=2");

    // A virtual member (raw group id): counted in size, not in ipairs, and announced to newcomers.
    String remote = "ab".repeat(32);
    AmfObject m = (AmfObject) get(a.call("joinVirtual", remote, gid, true));
    assertThat(m.get("id")).isEqualTo(remote);
    assertThat(((Number) m.get("rawLen")).intValue()).isEqualTo(32);
    info = (AmfObject) get(b.call("info", gid));
    assertThat(((Number) info.get("size")).intValue()).isEqualTo(3);
    assertThat(info.get("members")).isEqualTo("a b");
    ClientNetConnection c = connect("c");
    ClientNetGroup gc = c.joinGroup(SPEC);
    await().atMost(WAIT).until(() -> gc.peers().size() == 3);
    assertThat(hex(gc.peers())).contains(remote);

    // Released: a later newcomer is not told about it.
    assertThat(get(a.call("release"))).isEqualTo("released");
    info = (AmfObject) get(b.call("info", gid));
    assertThat(((Number) info.get("size")).intValue()).isEqualTo(3);
    ClientNetConnection d = connect("d");
    ClientNetGroup gd = d.joinGroup(SPEC);
    await().atMost(WAIT).until(() -> gd.peers().size() == 3);
    assertThat(hex(gd.peers())).doesNotContain(remote);

    // Leaving, and a session dying, reach onUnjoinGroup with the same group table.
    ga.close();
    await().atMost(WAIT).until(() -> get(b.call("events")).toString().contains("unjoin a true"));
    d.close().get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> get(b.call("events")).toString().contains("unjoin d true"));
    info = (AmfObject) get(b.call("info", gid));
    assertThat(info.get("members")).isEqualTo("b c");
    gb.close();
    gc.close();
    await().atMost(WAIT).until(() -> ((Number) ((AmfObject) get(b.call("info", gid))).get("count")).intValue() == 0);
    assertThat(node.groups().count()).isZero();
  }
}
