package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.tc.TcMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A stream published to direct connections, as Flash's {@code new NetStream(nc,
 * NetStream.DIRECT_CONNECTIONS)} then {@code publish(name)}: peers that opened a direct session to
 * this client (RTMFP-WIRE §6.3) play it by name, and the media goes to each of them over that
 * session, never through the server. Toward each player the layout is a server's (RTMFP-WIRE
 * §8.8): a status/data flow, an audio flow and a video flow, all associated with the player's
 * NetStream flow. Methods may be called from any thread; the work runs on the client's loop.
 */
public final class DirectNetStream {
  private final ClientTransport transport;
  private final Map<String, DirectNetStream> publications;
  /** On the loop only. */
  final List<DirectSubscriber> subscribers = new ArrayList<>();
  private String name;
  private volatile Predicate<PeerConnection> onPeerConnect = pc -> true;
  volatile boolean audioSampleAccess;
  volatile boolean videoSampleAccess;

  // Codec configuration, replayed to a player before its first audio / video (RTMFP-WIRE §8.8).
  byte[] audioConfig;
  byte[] videoConfig;

  private volatile int subscriberCount;
  private volatile long audioMessages;
  private volatile long videoMessages;
  private volatile long dataMessages;

  DirectNetStream(ClientTransport transport, Map<String, DirectNetStream> publications) {
    this.transport = transport;
    this.publications = publications;
  }

  /**
   * Publishes under {@code name} for direct connections. Completes when peers can play it; fails
   * if this client already publishes that name or this stream is already published.
   */
  public CompletableFuture<DirectNetStream> publish(String name) {
    CompletableFuture<DirectNetStream> out = new CompletableFuture<>();
    transport.execute(() -> {
      if (this.name != null) {
        out.completeExceptionally(new IllegalStateException("already published as " + this.name));
      } else if (publications.putIfAbsent(name, this) != null) {
        out.completeExceptionally(new IllegalStateException(name + " is already published"));
      } else {
        this.name = name;
        out.complete(this);
      }
    });
    return out;
  }

  /** The published name, null before publish completes or after close. */
  public String name() {
    return name;
  }

  /**
   * Flash's {@code onPeerConnect}: asked, on the loop, for every peer that plays this stream;
   * false refuses it ({@code NetStream.Play.Failed}). Default: everyone.
   */
  public void onPeerConnect(Predicate<PeerConnection> decision) {
    this.onPeerConnect = decision;
  }

  /** What {@code |RtmpSampleAccess} tells players (Flash's audioSampleAccess / videoSampleAccess). */
  public void sampleAccess(boolean audio, boolean video) {
    this.audioSampleAccess = audio;
    this.videoSampleAccess = video;
  }

  public void sendAudio(int timestamp, byte[] payload) {
    byte[] m = StreamMessages.media(TcMessage.AUDIO, timestamp, payload, 0, payload.length);
    transport.execute(() -> {
      if (isAudioConfig(m)) {
        audioConfig = m; // AAC sequence header
      }
      audioMessages++;
      for (DirectSubscriber s : subscribers) {
        s.audio(m);
      }
    });
  }

  public void sendVideo(int timestamp, byte[] payload) {
    byte[] m = StreamMessages.media(TcMessage.VIDEO, timestamp, payload, 0, payload.length);
    transport.execute(() -> {
      if (isVideoConfig(m)) {
        videoConfig = m; // AVC keyframe, sequence header
      }
      videoMessages++;
      for (DirectSubscriber s : subscribers) {
        s.video(m);
      }
    });
  }

  /** NetStream.send: a data message {@code handler(args...)} to every player. */
  public void send(String handler, Object... args) {
    sendData(0, handler, args);
  }

  /** A data message with a timestamp, e.g. {@code @setDataFrame onMetaData}. */
  public void sendData(int timestamp, String handler, Object... args) {
    byte[] m = StreamMessages.data(3, timestamp, handler, args);
    transport.execute(() -> {
      dataMessages++;
      for (DirectSubscriber s : subscribers) {
        s.data(m);
      }
    });
  }

  /** Unpublishes: players get {@code NetStream.Play.UnpublishNotify}, then their flows end. */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> out = new CompletableFuture<>();
    transport.execute(() -> {
      if (name != null) {
        publications.remove(name, this);
        name = null;
      }
      for (DirectSubscriber s : List.copyOf(subscribers)) {
        s.unpublished();
      }
      subscribers.clear();
      subscriberCount = 0;
      out.complete(null);
    });
    return out;
  }

  /** Peers playing this stream now. */
  public int subscriberCount() {
    return subscriberCount;
  }

  public long audioMessages() {
    return audioMessages;
  }

  public long videoMessages() {
    return videoMessages;
  }

  public long dataMessages() {
    return dataMessages;
  }

  /** An AAC sequence header: codec 10 in the high nibble, then packet type 0 (RTMFP-WIRE §8.8). */
  static boolean isAudioConfig(byte[] m) {
    int h = TcMessage.HEADER;
    return m.length >= h + 2 && (m[h] & 0xF0) == 0xA0 && m[h + 1] == 0;
  }

  /** An AVC sequence header: {@code 17 00} (RTMFP-WIRE §8.8). */
  static boolean isVideoConfig(byte[] m) {
    int h = TcMessage.HEADER;
    return m.length >= h + 2 && m[h] == 0x17 && m[h + 1] == 0;
  }

  /** A keyframe: frame type 1 in the high nibble. */
  static boolean isKeyframe(byte[] m) {
    int h = TcMessage.HEADER;
    return m.length > h && (m[h] & 0xF0) == 0x10;
  }

  // ---- on the loop, from DirectSubscriber ----

  boolean accept(PeerConnection pc) {
    try {
      return onPeerConnect.test(pc);
    } catch (RuntimeException e) {
      return false;
    }
  }

  void added(DirectSubscriber s) {
    subscribers.add(s);
    subscriberCount = subscribers.size();
  }

  void removed(DirectSubscriber s) {
    subscribers.remove(s);
    subscriberCount = subscribers.size();
  }
}
