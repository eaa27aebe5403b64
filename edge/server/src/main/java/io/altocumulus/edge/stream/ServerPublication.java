package io.altocumulus.edge.stream;

import io.altocumulus.rtmfp.amf.Amf0Reader;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.tc.TcMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A publication the server itself publishes (Lua {@code cumulus:publish(name)}, CUMULUS-FEATURES
 * §5.10): the application pushes audio, video and data, and they go to the players like a client
 * publisher's would (caches, keyframe gating, rebased timestamps). Callable from any thread (the
 * Lua executor): each push does the publication's work under this object's lock and hands the
 * message to every player loop at once, so pushes reach each player in the order they were made.
 * No application event (onPublish, onAudioPacket...) is raised for it.
 */
public final class ServerPublication {
  private final StreamRegistry registry;
  private Publication publication;
  private boolean closed;

  ServerPublication(StreamRegistry registry) {
    this.registry = registry;
  }

  void bind(Publication p) {
    this.publication = p;
  }

  public Publication publication() {
    return publication;
  }

  public String name() {
    return publication.name;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  /** An audio message: {@code data[offset..]} is the payload (first byte codec flags), {@code time} in ms. */
  public void pushAudioPacket(int time, byte[] data, int offset, int lostFragments) {
    push(TcMessage.AUDIO, time, data, offset, lostFragments);
  }

  /** A video message; video waits for a keyframe at the start and after lost fragments. */
  public void pushVideoPacket(int time, byte[] data, int offset, int lostFragments) {
    push(TcMessage.VIDEO, time, data, offset, lostFragments);
  }

  private synchronized void push(int type, int time, byte[] data, int offset, int lostFragments) {
    if (closed) {
      throw new IllegalStateException("publication " + publication.name + " is closed");
    }
    if (offset < 0 || offset > data.length) {
      throw new IllegalArgumentException("offset " + offset + " outside the " + data.length + " bytes of the packet");
    }
    long now = registry.clock().getAsLong();
    MediaMessage m = publication.ingest(type, time, data, offset, data.length - offset,
        Math.max(0, lostFragments), 0, now);
    if (m != null) {
      publication.forEachGroup(-1, g -> g.onMedia(m));
    }
  }

  /**
   * A data message {@code name(values...)}: {@code amf[offset..]} is raw AMF0 (AMF3 values behind
   * the 0x11 switch are read too). {@code @setDataFrame} / {@code onMetaData} behave as from a
   * client publisher. Throws IllegalArgumentException when the AMF is malformed.
   */
  public synchronized void pushDataPacket(String name, byte[] amf, int offset) {
    if (closed) {
      throw new IllegalStateException("publication " + publication.name + " is closed");
    }
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a data message needs a handler name");
    }
    if (offset < 0 || offset > amf.length) {
      throw new IllegalArgumentException("offset " + offset + " outside the " + amf.length + " bytes of the packet");
    }
    List<Object> values = new ArrayList<>();
    try {
      Amf0Reader in = new Amf0Reader(ByteBuffer.wrap(amf, offset, amf.length - offset), AmfContext.DEFAULT);
      while (in.hasRemaining()) {
        values.add(in.readValue());
      }
      publication.dataMessage(name, values, -1);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed AMF in data packet " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sends what was pushed. Each push is already handed to the player loops, which send it at the
   * end of the task, so there is nothing left to do; kept for Lua's {@code publication:flush()}.
   */
  public void flush() {}

  /** Unpublishes: players get NetStream.Play.UnpublishNotify; the name is free again. Idempotent. */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Publication p = publication;
    if (p.stopPublishing(this)) {
      p.forEachGroup(-1, LoopGroup::onUnpublish);
      p.maybeRelease();
    }
  }
}
