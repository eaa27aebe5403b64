package io.altocumulus.edge.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.tc.TcMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PublicationTest {
  static final long S = 1_000_000_000L;
  static final long MS = 1_000_000L;

  final AtomicLong clock = new AtomicLong(1000 * S);
  final StreamRegistry registry = new StreamRegistry(RelayConfig.DEFAULT, clock::get);

  static byte[] video(int first) {
    return new byte[] {(byte) first, 0x01, 1, 2, 3};
  }

  MediaMessage push(Publication p, int type, int time, byte[] payload, long lost) {
    return p.ingest(type, time, payload, 0, payload.length, lost, 40, clock.get());
  }

  @Test
  void videoWaitsForAFirstKeyframeThenAgainAfterPublisherLoss() {
    ServerPublication sp = registry.publish("cam");
    Publication p = sp.publication();
    assertThat(push(p, TcMessage.VIDEO, 0, video(0x27), 0)).isNull(); // inter frame before any keyframe
    assertThat(push(p, TcMessage.VIDEO, 0, new byte[] {0x17, 0x00, 9}, 0)).isNotNull(); // sequence header passes
    assertThat(push(p, TcMessage.VIDEO, 10, video(0x27), 0)).isNull(); // ...but does not open the gate
    assertThat(push(p, TcMessage.VIDEO, 20, video(0x17), 0)).isNotNull();
    assertThat(push(p, TcMessage.VIDEO, 30, video(0x27), 0)).isNotNull();
    assertThat(push(p, TcMessage.AUDIO, 30, new byte[] {(byte) 0xAF, 1, 5}, 3)).isNotNull(); // audio loss: no gate
    assertThat(push(p, TcMessage.VIDEO, 40, video(0x27), 0)).isNotNull();
    // The publisher lost video fragments: inter frames are dropped until the next keyframe.
    assertThat(push(p, TcMessage.VIDEO, 50, video(0x27), 2)).isNull();
    assertThat(push(p, TcMessage.VIDEO, 60, video(0x27), 0)).isNull();
    assertThat(push(p, TcMessage.VIDEO, 70, video(0x17), 0)).isNotNull();
    assertThat(p.keyframeWaitDrops()).isEqualTo(4);
    assertThat(p.videoQos().droppedFrames()).isEqualTo(4);
    assertThat(p.videoQos().lostFragments(clock.get())).isEqualTo(2);
    assertThat(p.audioQos().lostFragments(clock.get())).isEqualTo(3);
    assertThat(p.lostFragments(clock.get())).isEqualTo(5);
    assertThat(p.videoConfig).containsExactly(0x17, 0x00, 9);
  }

  @Test
  void waitKeyframeGatesTheNextVideo() {
    Publication p = registry.publish("cam").publication();
    assertThat(push(p, TcMessage.VIDEO, 0, video(0x17), 0)).isNotNull();
    p.waitKeyframe();
    assertThat(push(p, TcMessage.VIDEO, 10, video(0x27), 0)).isNull();
    assertThat(push(p, TcMessage.VIDEO, 20, video(0x17), 0)).isNotNull();
  }

  @Test
  void qosOverFiveSeconds() {
    Publication p = registry.publish("q").publication();
    // 25 audio messages of 100 bytes (+5 header) per second for 6 s, arriving on time.
    for (int i = 0; i < 150; i++) {
      clock.set(1000 * S + i * 40 * MS);
      push(p, TcMessage.AUDIO, i * 40, new byte[100], i == 140 ? 50 : 0);
    }
    StreamQos a = p.audioQos();
    long now = clock.get();
    assertThat(a.byteRate(now)).isBetween(2400.0, 2700.0); // 25 * 105 B/s
    assertThat(a.lostRate(now)).isEqualTo(50.0 / (50 + a.messages(now)));
    assertThat(a.latency()).isEqualTo(20); // ping/2, no drift
    assertThat(a.congestionRate(now)).isBetween(0.2, 0.5);
    assertThat(p.videoQos().byteRate(now)).isZero();
    // Arrivals now lag the media clock by 300 ms: latency follows the drift, congestion rises.
    clock.addAndGet(300 * MS);
    push(p, TcMessage.AUDIO, 150 * 40 - 40, new byte[100], 0);
    assertThat(a.latency()).isEqualTo(20 + 300);
    // Long after: nothing in the window.
    long later = clock.get() + 10 * S;
    assertThat(a.byteRate(later)).isZero();
    assertThat(a.lostRate(later)).isZero();
  }

  @Test
  void congestionIsClampedAndFollowsLatencyGrowth() {
    StreamQos q = new StreamQos(clock::get);
    long t = clock.get();
    q.received(100, 0, 0, t);
    for (int s = 1; s <= 4; s++) {
      // Each second the messages arrive 500 ms later than the media clock says.
      q.received(100, s * 1000 - s * 500, 0, t + s * S);
    }
    assertThat(q.latency()).isEqualTo(2000);
    assertThat(q.congestionRate(t + 4 * S)).isEqualTo(1.0);
    StreamQos drain = new StreamQos(clock::get);
    drain.received(100, 0, 0, t);
    drain.received(100, 1000, 0, t + S); // on time
    assertThat(drain.congestionRate(t + S)).isZero();
  }

  @Test
  void serverPublicationClaimsTheNameUntilClosed() {
    ServerPublication sp = registry.publish("live1");
    assertThat(sp).isNotNull();
    assertThat(registry.publish("live1")).isNull();
    Publication p = registry.find("live1");
    assertThat(p.isPublished()).isTrue();
    assertThat(p.isServerPublication()).isTrue();
    assertThat(p.publisherId()).isEqualTo(Publication.SERVER_PUBLISHER_ID);
    assertThat(registry.count()).isEqualTo(1);
    assertThat(registry.all()).containsExactly(p);
    assertThat(p.listeners()).isEmpty();
    sp.pushAudioPacket(0, new byte[] {9, (byte) 0xAF, 0, 0x12}, 1, 0);
    assertThat(p.audioConfig).containsExactly(0xAF, 0, 0x12);
    sp.pushDataPacket("@setDataFrame", amf0("onMetaData"), 0);
    assertThat(p.metadata.handler).isEqualTo("onMetaData");
    assertThatThrownBy(() -> sp.pushDataPacket("x", new byte[] {0x02, 0x00}, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sp.pushVideoPacket(0, new byte[2], 3, 0)).isInstanceOf(IllegalArgumentException.class);
    sp.close();
    sp.close(); // idempotent
    assertThat(registry.find("live1")).isNull();
    assertThat(registry.count()).isZero();
    assertThatThrownBy(() -> sp.pushAudioPacket(0, new byte[1], 0, 0)).isInstanceOf(IllegalStateException.class);
    assertThat(registry.publish("live1")).isNotNull();
  }

  @Test
  void publicationCloseUnpublishesAServerPublication() {
    ServerPublication sp = registry.publish("c");
    registry.find("c").close("Closed", "bye");
    assertThat(sp.isClosed()).isTrue();
    assertThat(registry.find("c")).isNull();
  }

  @Test
  void aReservedPublicationStaysInTheRegistryUntilReleased() {
    Publication p = registry.reserve("wait");
    assertThat(registry.find("wait")).isSameAs(p);
    Publication again = registry.reserve("wait");
    assertThat(again).isSameAs(p);
    p.unreserve();
    assertThat(registry.find("wait")).isSameAs(p);
    p.unreserve();
    assertThat(registry.find("wait")).isNull();
    // A publication claimed while reserved survives the release.
    Publication q = registry.reserve("x");
    assertThat(q.startPublishing(this, 3)).isTrue();
    q.unreserve();
    assertThat(registry.find("x")).isSameAs(q);
    assertThat(q.publisherId()).isEqualTo(3);
    assertThat(q.stopPublishing(this)).isTrue();
    assertThat(q.publisherId()).isZero();
    q.maybeRelease();
    assertThat(registry.find("x")).isNull();
  }

  @Test
  void dataMessagesKeepMetadataForLatePlayers() {
    Publication p = registry.publish("d").publication();
    p.dataMessage("@setDataFrame", List.of("onMetaData", 1.0), -1);
    assertThat(p.metadata.args).containsExactly(1.0);
    p.dataMessage("@clearDataFrame", List.of(), -1);
    assertThat(p.metadata).isNull();
    assertThatThrownBy(() -> p.dataMessage("@setDataFrame", List.of(), -1))
        .isInstanceOf(io.altocumulus.rtmfp.wire.WireException.class);
  }

  /** AMF0 string values. */
  static byte[] amf0(String... values) {
    io.altocumulus.rtmfp.amf.AmfOutput out = new io.altocumulus.rtmfp.amf.AmfOutput(32);
    io.altocumulus.rtmfp.amf.Amf0Writer w = new io.altocumulus.rtmfp.amf.Amf0Writer(out,
        io.altocumulus.rtmfp.amf.Amf0Writer.Mode.PURE);
    for (String v : values) {
      w.writeString(v);
    }
    return out.toByteArray();
  }

  @Test
  void bindingsAreToldWhenAPublicationLeavesTheRegistry() {
    List<Object> released = new java.util.concurrent.CopyOnWriteArrayList<>();
    registry.addReleaseListener(released::add);
    registry.addReleaseListener(o -> {
      throw new IllegalStateException("a broken listener");
    });
    ServerPublication sp = registry.publish("r");
    Publication p = sp.publication();
    assertThat(p.isReleased()).isFalse();
    sp.close();
    assertThat(p.isReleased()).isTrue();
    assertThat(released).containsExactly(p);
  }
}
