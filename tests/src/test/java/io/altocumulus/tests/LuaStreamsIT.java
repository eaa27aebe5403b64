package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.ClientNetStream.StatusEvent;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream side of the Lua API (CUMULUS-FEATURES §4 stream events, §5.8-5.11) with a real main.lua. */
class LuaStreamsIT {
  static final String MAIN_LUA = """
      events = {}
      local function log(s) events[#events + 1] = s end

      function onPublish(client, publication)
        log("publish " .. publication.name .. " " .. publication.publisherId)
        if publication.name == "forbidden" then error("no cameras here") end
        if publication.name == "nope" then return false end
      end
      function onUnpublish(client, publication) log("unpublish " .. publication.name) end
      function onSubscribe(client, listener)
        log("subscribe " .. listener.publication.name .. " " .. listener.id)
        if listener.publication.name == "private" then error("members only") end
      end
      function onUnsubscribe(client, listener)
        log("unsubscribe " .. listener.publication.name .. " " .. listener.id)
      end
      function onAudioPacket(client, publication, time, packet)
        log("audio " .. publication.name .. " " .. time .. " " .. #packet)
      end
      function onVideoPacket(client, publication, time, packet)
        log("video " .. publication.name .. " " .. time .. " " .. string.format("%02x", packet:byte(1)))
      end
      function onDataPacket(client, publication, name, packet)
        log("data " .. publication.name .. " " .. name .. " " .. #packet)
      end

      function onConnection(client)
        function client:events() return table.concat(events, "|") end
        function client:serverPublish(name)
          srv = cumulus:publish(name)
          return srv ~= nil and cumulus:publish(name) == nil
        end
        function client:serverPush()
          srv:pushDataPacket("@setDataFrame", cumulus:toAMF0("onMetaData"))
          srv:pushAudioPacket(5000, string.char(0xAF, 0x00, 0x12, 0x10))
          srv:pushVideoPacket(5000, "xx" .. string.char(0x17, 0x00, 0, 0, 0, 1), 2)
          srv:pushVideoPacket(5000, string.char(0x27, 0x01, 0, 0, 0x55)) -- dropped: no keyframe yet
          for i = 1, 5 do
            srv:pushVideoPacket(5000 + i * 40, string.char(i == 1 and 0x17 or 0x27, 0x01, i, 0, 0x55))
            srv:pushAudioPacket(5000 + i * 40, string.char(0xAF, 0x01, i, 0, 0x55))
          end
          srv:pushDataPacket("onText", cumulus:toAMF0("hello"))
          srv:flush()
          return srv.videoQOS.droppedFrames
        end
        function client:serverClose() srv:close() return true end
        function client:pushToClientPublication(name)
          local ok, err = pcall(function() cumulus.publications(name):pushAudioPacket(0, "x") end)
          return tostring(err)
        end
        function client:describe(name)
          local p = cumulus.publications(name)
          if p == nil then return "none" end
          local ids = {}
          for id, l in p.listeners:pairs() do ids[#ids + 1] = id .. "/" .. tostring(l.receiveVideo) end
          local byId = p.listeners(ids[1] and tonumber(ids[1]:match("%d+")) or -1)
          return table.concat({p.name, p.publisherId, p.listeners.count, table.concat(ids, ","),
            tostring(p.audioQOS.byteRate > 0), tostring(p.audioQOS.lostRate), tostring(p.audioQOS.latency >= 0),
            tostring(p.videoQOS.droppedFrames), tostring(p.videoQOS.congestionRate >= -1),
            tostring(byId ~= nil and byId.publication == p),
            tostring(byId ~= nil and byId.audioQOS.byteRate > 0)}, ";")
        end
        function client:names()
          local names = {}
          for name, p in cumulus.publications:pairs() do names[#names + 1] = name .. "=" .. p.name end
          return cumulus.publications.count .. ":" .. table.concat(names, ",")
        end
        function client:kick(name) cumulus.publications(name):close("Publish.Kicked", "bye") return true end
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
    Files.createDirectories(www.resolve("live"));
    Files.writeString(www.resolve("live/main.lua"), MAIN_LUA);
    node = EdgeNode.start(EdgeLoopbackIT.config(www, ""));
    client = RtmfpClient.open();
    url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/live";
  }

  @AfterEach
  void stop() {
    client.close();
    node.close();
  }

  ClientNetConnection connect() throws Exception {
    return client.connect(url).get(10, TimeUnit.SECONDS);
  }

  static Object call(ClientNetConnection nc, String method, Object... args) throws Exception {
    return nc.call(method, args).get(10, TimeUnit.SECONDS);
  }

  static List<StatusEvent> statuses(ClientNetStream s) {
    List<StatusEvent> events = new CopyOnWriteArrayList<>();
    s.onStatus(events::add);
    return events;
  }

  static StatusEvent awaitStatus(List<StatusEvent> events, String code) {
    await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e -> e.code().equals(code)));
    return events.stream().filter(e -> e.code().equals(code)).findFirst().orElseThrow();
  }

  List<String> events(ClientNetConnection nc) throws Exception {
    return Arrays.asList(String.valueOf(call(nc, "events")).split("\\|"));
  }

  @Test
  void luaRefusesPublishAndPlayAndSeesEveryStreamEvent() throws Exception {
    ClientNetConnection nc = connect();
    ClientNetStream s = nc.createStream().get(5, TimeUnit.SECONDS);
    List<StatusEvent> ev = statuses(s);
    s.publish("forbidden");
    assertThat(awaitStatus(ev, "NetStream.Publish.BadName").description()).isEqualTo("no cameras here");
    ev.clear();
    s.publish("nope");
    assertThat(awaitStatus(ev, "NetStream.Publish.BadName").description()).isEqualTo("Not allowed to publish nope");
    ev.clear();
    s.play("private");
    assertThat(awaitStatus(ev, "NetStream.Play.Failed").description()).isEqualTo("members only");

    ClientNetStream player = nc.createStream().get(5, TimeUnit.SECONDS);
    StreamsIT.Seen seen = new StreamsIT.Seen();
    seen.attach(player);
    player.play("ev");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
    ClientNetStream publisher = nc.createStream().get(5, TimeUnit.SECONDS);
    List<StatusEvent> pubEv = statuses(publisher);
    publisher.publish("ev");
    awaitStatus(pubEv, "NetStream.Publish.Start");
    publisher.sendVideo(100, StreamsIT.frame(0x2701, 0)); // dropped before the first keyframe: no onVideoPacket
    publisher.sendVideo(140, StreamsIT.frame(0x1701, 1));
    publisher.sendAudio(140, StreamsIT.frame(0xAF01, 2));
    publisher.send("onChat", "hi");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.media.size() == 2 && seen.data.contains("onChat"));
    await().atMost(Duration.ofSeconds(5)).until(() -> events(nc).stream().anyMatch(e -> e.startsWith("data")));
    List<String> log = events(nc);
    assertThat(log).containsSubsequence("publish forbidden 0", "publish nope 0", "subscribe private " + s.streamId(),
        "subscribe ev " + player.streamId(), "publish ev 0", "video ev 140 17", "audio ev 140 5", "data ev onChat 5");
    assertThat(log.stream().filter(e -> e.startsWith("video"))).hasSize(1);

    // The publication and its QoS as Lua reads them.
    String[] d = String.valueOf(call(nc, "describe", "ev")).split(";");
    assertThat(d[0]).isEqualTo("ev");
    assertThat(Double.parseDouble(d[1])).isEqualTo(publisher.streamId());
    assertThat(Double.parseDouble(d[2])).isEqualTo(1);
    assertThat(d[3]).isEqualTo(player.streamId() + "/true");
    assertThat(d[4]).isEqualTo("true"); // audio byte rate
    assertThat(Double.parseDouble(d[5])).isZero(); // lost rate
    assertThat(d[6]).isEqualTo("true");
    assertThat(Double.parseDouble(d[7])).isEqualTo(1); // the inter frame held back
    assertThat(d[8]).isEqualTo("true");
    assertThat(d[9]).isEqualTo("true"); // listeners(id).publication is the same table
    assertThat(d[10]).isEqualTo("true"); // the listener's outgoing QoS
    assertThat(String.valueOf(call(nc, "pushToClientPublication", "ev"))).contains("not published by the server");

    player.closeStream();
    publisher.closeStream();
    await().atMost(Duration.ofSeconds(5)).until(() -> events(nc).contains("unpublish ev"));
    assertThat(events(nc)).containsSubsequence("unsubscribe ev " + player.streamId(), "unpublish ev");
  }

  @Test
  void aPublicationPushedFromLuaIsPlayedByARealClient() throws Exception {
    ClientNetConnection nc = connect();
    assertThat(call(nc, "serverPublish", "srv")).isEqualTo(true);
    ClientNetStream player = nc.createStream().get(5, TimeUnit.SECONDS);
    StreamsIT.Seen seen = new StreamsIT.Seen();
    seen.attach(player);
    player.play("srv");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
    // A client may not take a name the server publishes.
    ClientNetStream thief = nc.createStream().get(5, TimeUnit.SECONDS);
    List<StatusEvent> thiefEv = statuses(thief);
    thief.publish("srv");
    awaitStatus(thiefEv, "NetStream.Publish.BadName");

    assertThat(((Number) call(nc, "serverPush")).intValue()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.media.size() == 12 && seen.data.contains("onText"));
    assertThat(seen.data).containsSubsequence("onMetaData", "onText");
    List<String> video = seen.media.stream().filter(m -> m.startsWith("V")).toList();
    assertThat(video).first().isEqualTo("V170000"); // the offset skipped the two leading bytes
    assertThat(video.get(1)).isEqualTo("V170101");
    assertThat(java.util.Collections.min(seen.times)).isZero();
    assertThat(String.valueOf(call(nc, "names"))).isEqualTo("1:srv=srv");
    assertThat(events(nc)).noneMatch(e -> e.startsWith("publish srv") || e.startsWith("audio srv"));

    call(nc, "serverClose");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.UnpublishNotify"));
    assertThat(node.streams().find("srv").isPublished()).isFalse();
    player.closeStream();
    await().atMost(Duration.ofSeconds(5)).until(() -> node.streams().count() == 0);
    assertThat(String.valueOf(call(nc, "names"))).isEqualTo("0:");
    // The name is free for the server again.
    assertThat(call(nc, "serverPublish", "srv")).isEqualTo(true);
  }

  @Test
  void luaClosesAClientPublication() throws Exception {
    ClientNetConnection nc = connect();
    ClientNetStream publisher = nc.createStream().get(5, TimeUnit.SECONDS);
    List<StatusEvent> ev = statuses(publisher);
    publisher.publish("kick");
    awaitStatus(ev, "NetStream.Publish.Start");
    call(nc, "kick", "kick");
    assertThat(awaitStatus(ev, "NetStream.Publish.Kicked").description()).isEqualTo("bye");
    await().atMost(Duration.ofSeconds(5)).until(() -> events(nc).contains("unpublish kick"));
  }
}
