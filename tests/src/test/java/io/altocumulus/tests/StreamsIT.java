package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.edge.stream.Player;
import io.altocumulus.edge.stream.Publication;
import io.altocumulus.edge.stream.ServerPublication;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.ClientNetStream.StatusEvent;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NetStream publish/play through a real node on loopback (issue #3), and the stream events of applications (issue #4). */
class StreamsIT {
  static final ServerApplication.Decision ACCEPTED = ServerApplication.Decision.ACCEPTED;

  static final byte[] AAC_CONFIG = {(byte) 0xAF, 0x00, 0x12, 0x10};
  static final byte[] AVC_CONFIG = {0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1f};

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  String url;

  /** What a player saw, in arrival order. */
  static final class Seen {
    final List<String> codes = new CopyOnWriteArrayList<>();
    final List<String> media = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> times = Collections.synchronizedList(new ArrayList<>());
    final List<String> data = new CopyOnWriteArrayList<>();

    void attach(ClientNetStream s) {
      s.onStatus(e -> codes.add(e.code()));
      s.onAudio((t, buf, off, len) -> {
        media.add("A" + tag(buf, off, len));
        times.add(t);
      });
      s.onVideo((t, buf, off, len) -> {
        media.add("V" + tag(buf, off, len));
        times.add(t);
      });
      s.onData((handler, values) -> data.add(handler));
    }

    static String tag(byte[] buf, int off, int len) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < Math.min(len, 3); i++) {
        sb.append(String.format("%02x", buf[off + i]));
      }
      return sb.toString();
    }
  }

  /** The "live" application: records the stream events; decisions and media events are set per test. */
  static final class Events implements ServerApplication {
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<byte[]> dataPackets = new CopyOnWriteArrayList<>();
    volatile int media;
    volatile Function<Publication, CompletionStage<Decision>> publish = p -> ACCEPT;
    volatile Function<Player, CompletionStage<Decision>> subscribe = l -> ACCEPT;

    @Override
    public CompletionStage<Decision> onPublish(Client client, Publication publication) {
      log.add("publish " + publication.name());
      return publish.apply(publication);
    }

    @Override
    public void onUnpublish(Client client, Publication publication) {
      log.add("unpublish " + publication.name());
    }

    @Override
    public CompletionStage<Decision> onSubscribe(Client client, Player listener) {
      log.add("subscribe " + listener.publication().name() + " " + listener.id());
      return subscribe.apply(listener);
    }

    @Override
    public void onUnsubscribe(Client client, Player listener) {
      log.add("unsubscribe " + listener.publication().name() + " " + listener.id());
    }

    @Override
    public void onDisconnection(Client client) {
      log.add("disconnection");
    }

    @Override
    public int mediaEvents() {
      return media;
    }

    @Override
    public void onAudioPacket(Client client, Publication publication, long time, byte[] packet) {
      log.add("audio " + publication.name() + " " + time + " " + Seen.tag(packet, 0, packet.length));
    }

    @Override
    public void onVideoPacket(Client client, Publication publication, long time, byte[] packet) {
      log.add("video " + publication.name() + " " + time + " " + Seen.tag(packet, 0, packet.length));
    }

    @Override
    public void onDataPacket(Client client, Publication publication, String name, byte[] packet) {
      log.add("data " + publication.name() + " " + name);
      dataPackets.add(packet);
    }

    List<String> starting(String prefix) {
      return log.stream().filter(e -> e.startsWith(prefix)).toList();
    }
  }

  final Events app = new Events();

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("live"));
    node = EdgeNode.start(EdgeLoopbackIT.config(www, ""),
        new EdgeNode.Options().applications(new Applications(www).register("live", app)));
    client = RtmfpClient.open();
    url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/live";
  }

  @AfterEach
  void stop() {
    client.close();
    node.close();
  }

  ClientNetStream stream(int objectEncoding) throws Exception {
    ClientNetConnection nc = client.connect(url, new RtmfpClient.ConnectOptions().objectEncoding(objectEncoding))
        .get(10, TimeUnit.SECONDS);
    return nc.createStream().get(5, TimeUnit.SECONDS);
  }

  static byte[] frame(int kind, int seq) {
    // kind: 0xAF01 AAC frame, 0x1701 keyframe, 0x2701 inter frame; then a sequence number.
    return new byte[] {(byte) (kind >> 8), (byte) kind, (byte) seq, (byte) (seq >> 8), 0x55};
  }

  @Test
  void publishToThreePlayersThenALatePlayerThenUnpublish() throws Exception {
    ClientNetStream publisher = stream(3);
    Seen pub = new Seen();
    pub.attach(publisher);
    publisher.publish("cam");
    await().atMost(Duration.ofSeconds(5)).until(() -> pub.codes.contains("NetStream.Publish.Start"));

    List<Seen> players = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ClientNetStream p = stream(3);
      Seen seen = new Seen();
      seen.attach(p);
      p.play("cam");
      players.add(seen);
    }
    for (Seen s : players) {
      await().atMost(Duration.ofSeconds(5)).until(() -> s.codes.contains("NetStream.Play.Start"));
      assertThat(s.codes).containsSubsequence("NetStream.Play.Reset", "NetStream.Play.Start");
    }
    Map<String, Object> md = new LinkedHashMap<>();
    md.put("width", 640.0);
    publisher.sendMetaData(md);
    publisher.sendAudio(1000, AAC_CONFIG);
    publisher.sendVideo(1000, AVC_CONFIG);
    int t = 1000;
    for (int seq = 0; seq < 40; seq++) {
      t += 40;
      publisher.sendVideo(t, frame(seq % 10 == 0 ? 0x1701 : 0x2701, seq));
      publisher.sendAudio(t, frame(0xAF01, seq));
    }
    for (Seen s : players) {
      await().atMost(Duration.ofSeconds(5)).until(() -> s.media.size() >= 82);
      // Sequence headers first, then every frame in order; time starts at 0.
      assertThat(s.media.get(0)).isIn("Aaf0012", "V170000");
      assertThat(java.util.Collections.min(s.times)).isZero();
      assertThat(s.data).contains("onMetaData");
    }
    assertThat(players.get(1).media).isEqualTo(players.get(0).media);
    assertThat(players.get(2).media).isEqualTo(players.get(0).media);

    // A late player: metadata and sequence headers first, then it starts on a keyframe.
    ClientNetStream late = stream(3);
    Seen lateSeen = new Seen();
    lateSeen.attach(late);
    late.play("cam");
    await().atMost(Duration.ofSeconds(5)).until(() -> lateSeen.codes.contains("NetStream.Play.Start"));
    for (int seq = 40; seq < 60; seq++) {
      t += 40;
      publisher.sendVideo(t, frame(seq % 10 == 5 ? 0x1701 : 0x2701, seq));
      publisher.sendAudio(t, frame(0xAF01, seq));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> lateSeen.media.stream().anyMatch(m -> m.startsWith("V17")));
    assertThat(lateSeen.data).contains("onMetaData");
    List<String> video = lateSeen.media.stream().filter(m -> m.startsWith("V")).toList();
    assertThat(video.get(0)).isEqualTo("V170000"); // the cached AVC sequence header
    assertThat(video.get(1)).startsWith("V1701"); // then a keyframe, never an inter frame first
    List<String> audio = lateSeen.media.stream().filter(m -> m.startsWith("A")).toList();
    assertThat(audio.get(0)).isEqualTo("Aaf0012"); // the cached AAC sequence header
    // Audio and video come on separate flows, so arrival order between them varies: the earliest
    // time the late player saw is 0.
    assertThat(java.util.Collections.min(lateSeen.times)).isZero();

    // A second publisher on the same name is refused.
    ClientNetStream second = stream(3);
    Seen secondSeen = new Seen();
    secondSeen.attach(second);
    second.publish("cam");
    await().atMost(Duration.ofSeconds(5)).until(() -> secondSeen.codes.contains("NetStream.Publish.BadName"));

    // The publication's QoS over the last 5 s, as Lua and metrics will read it.
    io.altocumulus.edge.stream.Publication pubQos = node.streams().find("cam");
    assertThat(pubQos.playerCount()).isEqualTo(4);
    assertThat(pubQos.byteRate(System.nanoTime())).isPositive();
    assertThat(pubQos.lostFragments(System.nanoTime())).isZero();

    // The publisher leaving: players get UnpublishNotify.
    publisher.closeStream();
    for (Seen s : players) {
      await().atMost(Duration.ofSeconds(5)).until(() -> s.codes.contains("NetStream.Play.UnpublishNotify"));
    }
  }

  @Test
  void timestampsStayContinuousAcrossARepublish() throws Exception {
    ClientNetStream publisher = stream(3);
    ClientNetStream player = stream(3);
    Seen seen = new Seen();
    seen.attach(player);
    player.play("show");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
    publisher.publish("show");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.PublishNotify"));
    for (int i = 0; i < 5; i++) {
      publisher.sendAudio(50_000 + i * 20, frame(0xAF01, i));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.times.size() >= 5);
    publisher.closeStream();
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.UnpublishNotify"));
    publisher.publish("show");
    await().atMost(Duration.ofSeconds(5)).until(() -> Collections.frequency(seen.codes, "NetStream.Play.PublishNotify") == 2);
    for (int i = 0; i < 5; i++) {
      publisher.sendAudio(7 + i * 20, frame(0xAF01, 10 + i)); // the publisher's clock restarted
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.times.size() >= 10);
    List<Integer> times = new ArrayList<>(seen.times);
    assertThat(times.subList(0, 5)).containsExactly(0, 20, 40, 60, 80);
    assertThat(times.get(5)).isEqualTo(81); // continues, never jumps back
    assertThat(times).isSorted();
  }

  @Test
  void aPlayerBehindALossyPathGetsEveryReliableMessageAndOnlyTimelyMedia() throws Exception {
    ClientNetStream publisher = stream(3);
    Seen pub = new Seen();
    pub.attach(publisher);
    publisher.publish("lossy");
    await().atMost(Duration.ofSeconds(5)).until(() -> pub.codes.contains("NetStream.Publish.Start"));
    try (LossyProxy proxy = new LossyProxy(node.localAddress(), 0.2, 0.05, 0.1);
        RtmfpClient far = RtmfpClient.open()) {
      String viaProxy = "rtmfp://127.0.0.1:" + proxy.address().getPort() + "/live";
      ClientNetConnection nc = far.connect(viaProxy).get(30, TimeUnit.SECONDS);
      ClientNetStream player = nc.createStream().get(30, TimeUnit.SECONDS);
      Seen seen = new Seen();
      seen.attach(player);
      List<Long> lateness = new CopyOnWriteArrayList<>();
      long[] sentAt = new long[300];
      player.onAudio((ts, buf, off, len) -> {
        int seq = (buf[off + 2] & 0xFF) | ((buf[off + 3] & 0xFF) << 8);
        if (len == 5 && seq < sentAt.length) {
          lateness.add((System.nanoTime() - sentAt[seq]) / 1_000_000);
        }
      });
      List<String> chat = new CopyOnWriteArrayList<>();
      player.onData((handler, values) -> {
        if (handler.equals("onChat")) {
          chat.add(String.valueOf(values.get(0)));
        }
      });
      player.play("lossy");
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.codes.contains("NetStream.Play.Start"));
      int t = 0;
      for (int seq = 0; seq < 300; seq++) {
        sentAt[seq] = System.nanoTime();
        publisher.sendAudio(t, frame(0xAF01, seq));
        if (seq % 10 == 0) {
          publisher.send("onChat", "m" + seq / 10); // reliable data: all of it, in order
        }
        t += 20;
        Thread.sleep(5);
      }
      // The stream goes on (unmeasured): later fragments tell the player which abandoned ones to
      // stop waiting for, as in any live stream.
      for (int seq = 300; seq < 600; seq++) {
        publisher.sendAudio(t, frame(0xAF01, seq));
        t += 20;
        Thread.sleep(5);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> chat.size() == 30);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        expected.add("m" + i);
      }
      assertThat(chat).containsExactlyElementsOf(expected);
      assertThat(proxy.dropped.get()).isPositive();
      // Audio that came was never older than its deadline (1 s) plus a path margin.
      assertThat(lateness).isNotEmpty();
      List<Long> sorted = lateness.stream().sorted().toList();
      long p95 = sorted.get((int) (sorted.size() * 0.95));
      System.out.println("lossy player: " + sorted.size() + " of 300 frames, p50 " + sorted.get(sorted.size() / 2)
          + " ms, p95 " + p95 + " ms, max " + sorted.get(sorted.size() - 1) + " ms");
      // Every frame that came did so within its 1 s deadline plus a margin for the lossy path.
      assertThat(sorted.get(sorted.size() - 1)).isLessThan(2_500);
      assertThat(seen.media).isNotEmpty();
    }
  }

  @Test
  void aSlowPlayerDoesNotSlowThePublisherOrTheOtherPlayers() throws Exception {
    ClientNetStream publisher = stream(3);
    Seen pub = new Seen();
    pub.attach(publisher);
    publisher.publish("busy");
    await().atMost(Duration.ofSeconds(5)).until(() -> pub.codes.contains("NetStream.Publish.Start"));
    List<Seen> good = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ClientNetStream p = stream(3);
      Seen seen = new Seen();
      seen.attach(p);
      p.play("busy");
      good.add(seen);
    }
    // The slow one sits behind a path that loses 60 % of its packets once it plays.
    try (LossyProxy proxy = new LossyProxy(node.localAddress(), 0.0, 0.0, 0.0);
        RtmfpClient far = RtmfpClient.open()) {
      String viaProxy = "rtmfp://127.0.0.1:" + proxy.address().getPort() + "/live";
      ClientNetConnection nc = far.connect(viaProxy).get(10, TimeUnit.SECONDS);
      ClientNetStream slow = nc.createStream().get(10, TimeUnit.SECONDS);
      Seen slowSeen = new Seen();
      slowSeen.attach(slow);
      slow.play("busy");
      await().atMost(Duration.ofSeconds(5)).until(() -> slowSeen.codes.contains("NetStream.Play.Start"));
      proxy.setLoss(0.6);
      for (Seen s : good) {
        await().atMost(Duration.ofSeconds(5)).until(() -> s.codes.contains("NetStream.Play.Start"));
      }
      byte[] big = new byte[8_000]; // about 2.5 Mbit/s of video at 40 ms a frame
      big[0] = 0x17;
      big[1] = 0x01;
      long t0 = System.nanoTime();
      for (int seq = 0; seq < 100; seq++) {
        big[2] = (byte) seq;
        publisher.sendVideo(seq * 40, big.clone());
        Thread.sleep(10);
      }
      long publishMillis = (System.nanoTime() - t0) / 1_000_000;
      for (Seen s : good) {
        await().atMost(Duration.ofSeconds(5)).until(() -> s.media.size() == 100);
      }
      // The publisher was never held back (sending is asynchronous, but its session stayed healthy).
      assertThat(publishMillis).isLessThan(5_000);
      assertThat(pub.codes).doesNotContain("NetStream.Publish.BadName");
    }
  }

  @Test
  void amf0OnlyClientsPublishAndPlay() throws Exception {
    ClientNetStream publisher = stream(0);
    Seen pub = new Seen();
    pub.attach(publisher);
    publisher.publish("amf0");
    await().atMost(Duration.ofSeconds(5)).until(() -> pub.codes.contains("NetStream.Publish.Start"));
    ClientNetStream player = stream(0);
    Seen seen = new Seen();
    seen.attach(player);
    player.play("amf0");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
    publisher.send("onChat", "hello", null, 3.0); // AMF null among the arguments
    publisher.sendVideo(0, frame(0x1701, 0));
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.data.contains("onChat") && !seen.media.isEmpty());
    assertThat(seen.media.get(0)).startsWith("V1701");
    // Set Buffer Length is answered with Stream Begin (RTMFP-WIRE §8.3).
    player.setBufferTime(500);
    await().atMost(Duration.ofSeconds(5)).until(() -> player.streamBegins() > 0);
    // receiveVideo(false): no more video; true again: it resumes on the next keyframe.
    player.receiveVideo(false);
    Thread.sleep(200);
    int before = seen.media.size();
    publisher.sendVideo(40, frame(0x1701, 1));
    publisher.sendAudio(40, frame(0xAF01, 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.media.size() == before + 1);
    assertThat(seen.media.get(before)).startsWith("A");
    player.receiveVideo(true);
    Thread.sleep(200);
    publisher.sendVideo(80, frame(0x2701, 2)); // held back: not a keyframe
    publisher.sendVideo(120, frame(0x1701, 3));
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.media.size() == before + 2);
    assertThat(seen.media.get(before + 1)).startsWith("V1701");
  }

  @Test
  void playMinus3000IsNeverRetransmitted() throws Exception {
    ClientNetStream publisher = stream(3);
    Seen pub = new Seen();
    pub.attach(publisher);
    publisher.publish("fast");
    await().atMost(Duration.ofSeconds(5)).until(() -> pub.codes.contains("NetStream.Publish.Start"));
    try (LossyProxy proxy = new LossyProxy(node.localAddress(), 0.0, 0.0, 0.0);
        RtmfpClient far = RtmfpClient.open()) {
      String viaProxy = "rtmfp://127.0.0.1:" + proxy.address().getPort() + "/live";
      ClientNetStream player = far.connect(viaProxy).get(10, TimeUnit.SECONDS).createStream().get(10, TimeUnit.SECONDS);
      Seen seen = new Seen();
      seen.attach(player);
      player.play("fast", -3000);
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
      proxy.setLoss(0.2);
      for (int seq = 0; seq < 200; seq++) {
        publisher.sendAudio(seq * 20, frame(0xAF01, seq));
        Thread.sleep(5);
      }
      Thread.sleep(2_000); // long enough for any retransmission to have come
      // Sent once and never again: about a fifth is missing (a reliable player gets all of it,
      // see the lossy-path test above), and what came is in order.
      assertThat(seen.media.size()).isBetween(100, 195);
      assertThat(seen.times).isSorted();
    }
  }

  // ---- application events (issue #4, CUMULUS-FEATURES §4) ----

  static <T> CompletionStage<T> later(T value) {
    return CompletableFuture.supplyAsync(() -> value, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
  }

  static StatusEvent awaitStatus(List<StatusEvent> events, String code) {
    await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e -> e.code().equals(code)));
    return events.stream().filter(e -> e.code().equals(code)).findFirst().orElseThrow();
  }

  static List<StatusEvent> statuses(ClientNetStream s) {
    List<StatusEvent> events = new CopyOnWriteArrayList<>();
    s.onStatus(events::add);
    return events;
  }

  @Test
  void applicationsRefusePublishAndPlayInlineOrLater() throws Exception {
    app.publish = p -> switch (p.name()) {
      case "forbidden" -> CompletableFuture.completedFuture(ServerApplication.Decision.refuse("no cameras here"));
      case "secret" -> later(ServerApplication.Decision.refuse(null)); // answered later, default description
      case "broken" -> CompletableFuture.failedFuture(new IllegalStateException("script error"));
      default -> later(ACCEPTED);
    };
    app.subscribe = l -> {
      if (l.publication().name().equals("private")) {
        throw new IllegalArgumentException("members only"); // an app that throws refuses
      }
      return later(ACCEPTED);
    };
    ClientNetStream s = stream(3);
    List<StatusEvent> events = statuses(s);
    s.publish("forbidden");
    StatusEvent e = awaitStatus(events, "NetStream.Publish.BadName");
    assertThat(e.description()).isEqualTo("no cameras here");
    events.clear();
    s.publish("secret");
    assertThat(awaitStatus(events, "NetStream.Publish.BadName").description()).isEqualTo("Not allowed to publish secret");
    events.clear();
    s.publish("broken");
    assertThat(awaitStatus(events, "NetStream.Publish.BadName").description()).isEqualTo("script error");
    events.clear();
    s.play("private");
    assertThat(awaitStatus(events, "NetStream.Play.Failed").description()).isEqualTo("members only");
    assertThat(events).noneMatch(x -> x.code().equals("NetStream.Play.Start"));
    // Refused names leave nothing behind in the registry.
    await().atMost(Duration.ofSeconds(5)).until(() -> node.streams().count() == 0);
    // An accepted publish, answered later.
    events.clear();
    s.publish("ok");
    awaitStatus(events, "NetStream.Publish.Start");
    assertThat(node.streams().find("ok").publisherId()).isEqualTo((int) s.streamId());
    assertThat(app.starting("publish")).containsExactly("publish forbidden", "publish secret", "publish broken", "publish ok");
    // A second publisher is refused before its application is asked.
    ClientNetStream other = stream(3);
    List<StatusEvent> otherEvents = statuses(other);
    other.publish("ok");
    assertThat(awaitStatus(otherEvents, "NetStream.Publish.BadName").description()).isEqualTo("ok is already published");
    assertThat(app.starting("publish")).hasSize(4);
    // Answers that come after the stream moved on are dropped: closeStream while onPublish is pending.
    app.publish = p -> later(ACCEPTED);
    other.publish("slow");
    other.closeStream();
    Thread.sleep(300);
    assertThat(node.streams().find("slow")).isNull();
    assertThat(otherEvents).noneMatch(x -> x.code().equals("NetStream.Publish.Start") && x.description().startsWith("slow"));
  }

  @Test
  void streamEventsAndMediaEventsReachTheApplication() throws Exception {
    app.media = ServerApplication.AUDIO | ServerApplication.VIDEO | ServerApplication.DATA;
    ClientNetStream publisher = stream(3);
    List<StatusEvent> pubEvents = statuses(publisher);
    ClientNetStream player = stream(3);
    Seen seen = new Seen();
    seen.attach(player);
    player.play("ev"); // before the publisher: a waiting player
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
    assertThat(app.log).containsExactly("subscribe ev " + player.streamId());
    Publication pub = node.streams().find("ev");
    assertThat(pub.publisherId()).isZero();
    assertThat(pub.listeners()).extracting(Player::id).containsExactly((int) player.streamId());
    publisher.publish("ev");
    awaitStatus(pubEvents, "NetStream.Publish.Start");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.PublishNotify"));
    publisher.sendVideo(100, frame(0x2701, 0)); // dropped waiting for the first keyframe: no event
    publisher.sendVideo(140, frame(0x1701, 1));
    publisher.sendAudio(140, frame(0xAF01, 2));
    publisher.send("onChat", "hi", 2.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> app.starting("data").size() == 1);
    assertThat(app.log).containsSubsequence("publish ev", "video ev 140 170101", "audio ev 140 af0102", "data ev onChat");
    assertThat(app.starting("video")).hasSize(1);
    // The raw AMF after the handler name: "hi", 2.0.
    assertThat(amfValues(app.dataPackets.get(0))).containsExactly("hi", 2.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.media.size() == 2 && seen.data.contains("onChat"));
    assertThat(pub.videoQos().droppedFrames()).isEqualTo(1);
    assertThat(pub.keyframeWaitDrops()).isEqualTo(1);
    assertThat(pub.audioQos().byteRate()).isPositive();
    assertThat(pub.audioQos().latency()).isBetween(0L, 1000L);
    Player listener = pub.listeners().get(0);
    assertThat(listener.client().path()).isEqualTo("live");
    assertThat(listener.audioQos().byteRate()).isPositive();
    assertThat(listener.receiveVideo()).isTrue();
    // Without media events the app hears nothing per message.
    app.media = 0;
    publisher.sendAudio(180, frame(0xAF01, 3));
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.media.size() == 3);
    assertThat(app.starting("audio")).hasSize(1);

    player.closeStream();
    await().atMost(Duration.ofSeconds(5)).until(() -> app.log.contains("unsubscribe ev " + player.streamId()));
    publisher.closeStream();
    await().atMost(Duration.ofSeconds(5)).until(() -> app.log.contains("unpublish ev"));
    // A publisher whose session dies: onUnpublish first, then onDisconnection.
    try (RtmfpClient other = RtmfpClient.open()) {
      ClientNetStream s = other.connect(url).get(10, TimeUnit.SECONDS).createStream().get(5, TimeUnit.SECONDS);
      List<StatusEvent> ev = statuses(s);
      s.publish("gone");
      awaitStatus(ev, "NetStream.Publish.Start");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> app.log.contains("disconnection"));
    assertThat(app.log).containsSubsequence("publish gone", "unpublish gone", "disconnection");
    await().atMost(Duration.ofSeconds(5)).until(() -> node.streams().find("gone") == null);
  }

  @Test
  void aServerPublicationIsPlayedByARealClient() throws Exception {
    app.media = ServerApplication.AUDIO | ServerApplication.VIDEO | ServerApplication.DATA;
    ClientNetStream early = stream(3);
    Seen earlySeen = new Seen();
    earlySeen.attach(early);
    early.play("srv"); // waiting before the server publishes
    await().atMost(Duration.ofSeconds(5)).until(() -> earlySeen.codes.contains("NetStream.Play.Start"));
    ServerPublication sp = node.streams().publish("srv");
    assertThat(sp).isNotNull();
    assertThat(node.streams().publish("srv")).isNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> earlySeen.codes.contains("NetStream.Play.PublishNotify"));
    // A client may not take the name.
    ClientNetStream thief = stream(3);
    List<StatusEvent> thiefEvents = statuses(thief);
    thief.publish("srv");
    awaitStatus(thiefEvents, "NetStream.Publish.BadName");

    // Pushed from another thread, as the Lua executor does; offsets skip leading bytes.
    Thread lua = new Thread(() -> {
      sp.pushDataPacket("@setDataFrame", amf0Strings("onMetaData"), 0);
      sp.pushAudioPacket(5000, prefixed(AAC_CONFIG), 1, 0);
      sp.pushVideoPacket(5000, prefixed(AVC_CONFIG), 1, 0);
      sp.pushVideoPacket(5000, frame(0x2701, 0), 0, 0); // dropped: no keyframe yet
      for (int i = 1; i <= 10; i++) {
        sp.pushVideoPacket(5000 + i * 40, frame(i == 1 ? 0x1701 : 0x2701, i), 0, 0);
        sp.pushAudioPacket(5000 + i * 40, frame(0xAF01, i), 0, 0);
      }
      sp.pushDataPacket("onText", amf0Strings("hello"), 0);
      sp.flush();
    });
    lua.start();
    lua.join();
    await().atMost(Duration.ofSeconds(5)).until(() -> earlySeen.media.size() == 22 && earlySeen.data.contains("onText"));
    assertThat(earlySeen.data).containsSubsequence("onMetaData", "onText");
    List<String> video = earlySeen.media.stream().filter(m -> m.startsWith("V")).toList();
    assertThat(video.get(0)).isEqualTo("V170000");
    assertThat(video.get(1)).isEqualTo("V170101");
    assertThat(Collections.min(earlySeen.times)).isZero();
    Publication pub = node.streams().find("srv");
    assertThat(pub.isServerPublication()).isTrue();
    assertThat(pub.publisherId()).isEqualTo(Publication.SERVER_PUBLISHER_ID);
    assertThat(pub.videoQos().droppedFrames()).isEqualTo(1);

    // A late player gets the cached headers and metadata first.
    ClientNetStream late = stream(0);
    Seen lateSeen = new Seen();
    lateSeen.attach(late);
    late.play("srv");
    await().atMost(Duration.ofSeconds(5)).until(() -> lateSeen.codes.contains("NetStream.Play.Start"));
    sp.pushVideoPacket(6000, frame(0x1701, 20), 0, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> lateSeen.media.size() == 2);
    assertThat(lateSeen.media).containsExactly("V170000", "V170114");
    assertThat(lateSeen.data).contains("onMetaData");
    // No application event for a server publication.
    assertThat(app.log).noneMatch(e -> e.startsWith("publish srv") || e.startsWith("audio srv") || e.startsWith("video srv"));

    sp.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> earlySeen.codes.contains("NetStream.Play.UnpublishNotify")
        && lateSeen.codes.contains("NetStream.Play.UnpublishNotify"));
    assertThat(node.streams().find("srv").isPublished()).isFalse();
  }

  @Test
  void closingAClientPublicationFromTheServer() throws Exception {
    ClientNetStream publisher = stream(3);
    List<StatusEvent> events = statuses(publisher);
    publisher.publish("kick");
    awaitStatus(events, "NetStream.Publish.Start");
    ClientNetStream player = stream(3);
    Seen seen = new Seen();
    seen.attach(player);
    player.play("kick");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.Start"));
    node.streams().find("kick").close("Publish.Kicked", "bye");
    StatusEvent e = awaitStatus(events, "NetStream.Publish.Kicked");
    assertThat(e.description()).isEqualTo("bye");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.codes.contains("NetStream.Play.UnpublishNotify"));
    assertThat(app.log).contains("unpublish kick");
    // The name is free again; what the old publisher still sends goes nowhere.
    publisher.sendAudio(0, frame(0xAF01, 1));
    ClientNetStream next = stream(3);
    List<StatusEvent> nextEvents = statuses(next);
    next.publish("kick");
    awaitStatus(nextEvents, "NetStream.Publish.Start");
    Thread.sleep(200);
    assertThat(seen.media).isEmpty();
  }

  static byte[] prefixed(byte[] b) {
    byte[] out = new byte[b.length + 1];
    out[0] = 0x77;
    System.arraycopy(b, 0, out, 1, b.length);
    return out;
  }

  static byte[] amf0Strings(String... values) {
    io.altocumulus.rtmfp.amf.AmfOutput out = new io.altocumulus.rtmfp.amf.AmfOutput(32);
    io.altocumulus.rtmfp.amf.Amf0Writer w = new io.altocumulus.rtmfp.amf.Amf0Writer(out,
        io.altocumulus.rtmfp.amf.Amf0Writer.Mode.PURE);
    for (String v : values) {
      w.writeString(v);
    }
    return out.toByteArray();
  }

  static List<Object> amfValues(byte[] amf) {
    io.altocumulus.rtmfp.amf.Amf0Reader in = new io.altocumulus.rtmfp.amf.Amf0Reader(java.nio.ByteBuffer.wrap(amf),
        io.altocumulus.rtmfp.amf.AmfContext.DEFAULT);
    List<Object> out = new ArrayList<>();
    while (in.hasRemaining()) {
      out.add(in.readValue());
    }
    return out;
  }
}
