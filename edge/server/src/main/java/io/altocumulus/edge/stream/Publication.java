package io.altocumulus.edge.stream;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A named live stream (CUMULUS-FEATURES §7 "Live relay", §5.10): at most one publisher (a
 * client's NetStream or a server publication), any number of players on any event loop. The
 * publisher's thread does the publication's work; players are grouped per loop, and a message
 * reaches another loop's group with one task per group, not per player. Membership changes (rare)
 * take this object's lock; media never does.
 */
public final class Publication {
  /** {@link #publisherId()} of a publication owned by the server ({@code cumulus:publish}). */
  public static final int SERVER_PUBLISHER_ID = -1;

  final String name;
  final StreamRegistry registry;
  private Object publisher; // guarded by this: a NetStreamHandler or a ServerPublication
  private int pending; // guarded by this: onPublish/onSubscribe answers awaited on this publication
  private boolean removed; // guarded by this: out of the registry, must not be used again
  private volatile int publisherId;
  private volatile LoopGroup[] groups = new LoopGroup[0];
  private volatile Player[] listeners = new Player[0];

  // Caches for late players (RTMFP-WIRE §8.8): written on the publisher's thread, read anywhere.
  volatile byte[] audioConfig;
  volatile byte[] videoConfig;
  volatile DataMessage metadata;
  volatile boolean published;

  // Publisher side, on the publisher's thread.
  final StreamQos audioQos;
  final StreamQos videoQos;
  private boolean videoWaitingKeyframe = true;
  private volatile long keyframeWaitDrops;

  Publication(String name, StreamRegistry registry) {
    this.name = name;
    this.registry = registry;
    this.audioQos = new StreamQos(registry.clock());
    this.videoQos = new StreamQos(registry.clock());
  }

  public String name() {
    return name;
  }

  /**
   * The publishing NetStream's id, {@link #SERVER_PUBLISHER_ID} for a server publication, 0 while
   * nobody publishes (a publication also exists while it only has waiting players).
   */
  public int publisherId() {
    return publisherId;
  }

  public boolean isPublished() {
    return published;
  }

  /** True once the publication left the registry (no publisher, no player): it is never used again. */
  public synchronized boolean isReleased() {
    return removed;
  }

  /** True when the server publishes it ({@code cumulus:publish}). */
  public synchronized boolean isServerPublication() {
    return publisher instanceof ServerPublication;
  }

  /** The server publication that publishes it, or null (a client publishes it, or nobody). */
  public synchronized ServerPublication serverPublication() {
    return publisher instanceof ServerPublication sp ? sp : null;
  }

  /** The players (Lua {@code listeners}), in the order they started playing. */
  public List<Player> listeners() {
    return List.of(listeners);
  }

  /** Players across all loops, as of the groups' last change. */
  public int playerCount() {
    int n = 0;
    for (LoopGroup g : groups) {
      n += g.size;
    }
    return n;
  }

  /** Incoming audio quality over 5 s (Lua {@code audioQOS}). */
  public StreamQos audioQos() {
    return audioQos;
  }

  /** Incoming video quality over 5 s (Lua {@code videoQOS}). */
  public StreamQos videoQos() {
    return videoQos;
  }

  /** Bytes per second received from the publisher over the last 5 s (audio and video). */
  public double byteRate(long now) {
    return audioQos.byteRate(now) + videoQos.byteRate(now);
  }

  /** Fragments the publisher lost over the last 5 s (audio and video). */
  public long lostFragments(long now) {
    return audioQos.lostFragments(now) + videoQos.lostFragments(now);
  }

  /** Video frames dropped because the publication waited for a keyframe (start, or after loss), since creation. */
  public long keyframeWaitDrops() {
    return keyframeWaitDrops;
  }

  /**
   * Lua {@code publication:close([code[, description]])}. A client publication: the publisher is
   * sent {@code onStatus NetStream.<code>} if a code is given, then a {@code close} command on its
   * stream flow, and the name is unpublished. A server publication is unpublished. Any thread.
   */
  public void close(String code, String description) {
    Object p;
    synchronized (this) {
      p = publisher;
    }
    if (p instanceof NetStreamHandler h) {
      h.session.loop().execute(() -> h.closeByServer(this, code, description));
    } else if (p instanceof ServerPublication sp) {
      sp.close();
    }
  }

  // ---- media from the publisher (its thread) ----

  /**
   * Caches, QoS and the publication's keyframe gate for one audio or video message: the message
   * to relay, or null when video is held back until a keyframe, at the start and after the
   * publisher lost fragments of it (RTMFP-WIRE §8.8). Copies the payload only when relayed.
   */
  MediaMessage ingest(int type, int time, byte[] buf, int off, int len, long lost, long pingMillis, long now) {
    boolean audio = type == TcMessage.AUDIO;
    StreamQos q = audio ? audioQos : videoQos;
    q.received(len + TcMessage.HEADER, time, pingMillis, now);
    if (lost > 0) {
      q.lost(lost, now);
      registry.publisherLostFragments.add(lost);
      if (!audio) {
        videoWaitingKeyframe = true; // a hole in the video breaks decoding until a keyframe
      }
    }
    if (!audio) {
      boolean config = len >= 2 && (buf[off] & 0xFF) == 0x17 && buf[off + 1] == 0;
      if (!config) {
        boolean keyframe = len >= 1 && (buf[off] & 0xF0) == 0x10;
        if (videoWaitingKeyframe && !keyframe) {
          q.dropped(now);
          keyframeWaitDrops++;
          registry.keyframeWaitDrops.increment();
          return null;
        }
        if (keyframe) {
          videoWaitingKeyframe = false;
        }
      }
    }
    MediaMessage m = new MediaMessage(type, time, Arrays.copyOfRange(buf, off, off + len));
    if (m.isAudioConfig()) {
      audioConfig = m.payload;
    } else if (m.isVideoConfig()) {
      videoConfig = m.payload;
    }
    return m;
  }

  /**
   * A data message from the publisher: relayed to every player; {@code @setDataFrame onMetaData}
   * is relayed as onMetaData and kept for late players, {@code @clearDataFrame} forgets it.
   */
  void dataMessage(String handler, List<Object> values, int fromLoop) {
    if ("@setDataFrame".equals(handler) || "@clearDataFrame".equals(handler)) {
      // Metadata for late players (Cumulus does not keep it): relayed as onMetaData.
      if (handler.equals("@clearDataFrame")) {
        metadata = null;
        return;
      }
      if (values.isEmpty() || !(values.get(0) instanceof String inner)) {
        throw new WireException(DropCause.MALFORMED_MESSAGE, "@setDataFrame without a handler name");
      }
      DataMessage meta = new DataMessage(inner, values.subList(1, values.size()));
      if ("onMetaData".equals(inner)) {
        metadata = meta;
      }
      forEachGroup(fromLoop, g -> g.onData(meta));
      return;
    }
    DataMessage d = new DataMessage(handler, values);
    forEachGroup(fromLoop, g -> g.onData(d));
  }

  /** The publisher lost video fragments: video is held back until the next keyframe. */
  void waitKeyframe() {
    videoWaitingKeyframe = true;
  }

  // ---- membership ----

  /** Holds the publication in the registry while an application decides; false if it already left. */
  synchronized boolean reserve() {
    if (removed) {
      return false;
    }
    pending++;
    return true;
  }

  synchronized void unreserve() {
    pending--;
    maybeRelease();
  }

  /**
   * Claims the publication for {@code owner} (a NetStreamHandler or a ServerPublication): TRUE,
   * FALSE if someone else publishes it (NetStream.Publish.BadName), null if it left the registry
   * meanwhile (the caller looks it up again).
   */
  synchronized Boolean startPublishing(Object owner, int id) {
    if (removed) {
      return null;
    }
    if (publisher != null) {
      return Boolean.FALSE;
    }
    publisher = owner;
    publisherId = id;
    audioConfig = null;
    videoConfig = null;
    metadata = null;
    videoWaitingKeyframe = true;
    audioQos.rebase();
    videoQos.rebase();
    published = true;
    return Boolean.TRUE;
  }

  /** Releases the publication; true if {@code owner} was its publisher. */
  synchronized boolean stopPublishing(Object owner) {
    if (publisher != owner) {
      return false;
    }
    publisher = null;
    publisherId = 0;
    published = false;
    return true;
  }

  synchronized Object publisher() {
    return publisher;
  }

  /**
   * The group of the player's loop, created if needed (called on the player's loop); null if the
   * publication left the registry meanwhile.
   */
  synchronized LoopGroup group(int loopIndex, Executor loop) {
    if (removed) {
      return null;
    }
    for (LoopGroup g : groups) {
      if (g.loopIndex == loopIndex) {
        return g;
      }
    }
    LoopGroup g = new LoopGroup(this, loopIndex, loop);
    LoopGroup[] next = Arrays.copyOf(groups, groups.length + 1);
    next[groups.length] = g;
    groups = next;
    return g;
  }

  synchronized void addListener(Player p) {
    Player[] next = Arrays.copyOf(listeners, listeners.length + 1);
    next[listeners.length] = p;
    listeners = next;
  }

  synchronized void removeListener(Player p) {
    List<Player> keep = new ArrayList<>(Arrays.asList(listeners));
    if (keep.remove(p)) {
      listeners = keep.toArray(new Player[0]);
    }
  }

  /** Drops an empty group and, if nothing is left, the publication itself. */
  synchronized void groupEmptied(LoopGroup g) {
    if (g.size > 0) {
      return;
    }
    List<LoopGroup> keep = new ArrayList<>(Arrays.asList(groups));
    keep.remove(g);
    groups = keep.toArray(new LoopGroup[0]);
    maybeRelease();
  }

  synchronized void maybeRelease() {
    if (publisher == null && groups.length == 0 && pending == 0 && !removed) {
      removed = true;
      registry.remove(this);
    }
  }

  // ---- fan-out (publisher's thread) ----

  /**
   * Runs {@code action} for every loop group: directly for the publisher's own loop, as one task
   * per other loop ({@code fromLoop} -1: every group gets a task, for a publisher on no loop).
   * Tasks on one loop run in order, so notifications and media stay ordered.
   */
  void forEachGroup(int fromLoop, Consumer<LoopGroup> action) {
    for (LoopGroup g : groups) {
      if (g.loopIndex == fromLoop) {
        action.accept(g);
      } else {
        g.executor.execute(() -> action.accept(g));
      }
    }
  }
}
