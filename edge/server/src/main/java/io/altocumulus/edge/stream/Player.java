package io.altocumulus.edge.stream;

import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.tc.TcMetadata;

/**
 * One client playing a publication (RTMFP-WIRE §8.8), on its session's loop. Media goes on two
 * flows of its own, audio and video, tied to the NetStream's status/data flow by Flow Sync.
 * Timestamps are rebased so the player starts at 0 and stays continuous across a republish;
 * sequence headers and metadata come first; video waits for a keyframe. Media carries a deadline
 * and each media flow's queue is bounded, so a slow player only ever loses its own frames.
 */
public final class Player {
  private static final byte[] DATA_HEADER_AMF3 = {TcMessage.AMF3_DATA, 0, 0, 0, 0, 0};
  private static final byte[] DATA_HEADER_AMF0 = {TcMessage.AMF0_DATA, 0, 0, 0, 0};

  final NetStreamHandler stream;
  final Session session;
  LoopGroup group; // set when the play is accepted
  final Publication publication;
  private final RelayConfig relay;
  private final boolean reliable;
  private SendFlow audioFlow;
  private SendFlow videoFlow;
  private int syncId = -1;
  volatile boolean receiveAudio = true;
  volatile boolean receiveVideo = true;
  private volatile boolean audioSampleAccess;
  private volatile boolean videoSampleAccess;
  private boolean waitingKeyframe = true;
  private boolean audioConfigSent;
  private boolean videoConfigSent;
  private boolean metadataSent;
  // Timestamp rebasing: out = in - offset; a new base is taken after each (re)publish.
  private boolean based;
  private int offset;
  private int nextTime;
  private volatile boolean closed;
  // Outgoing quality toward this player, over 5 s (Lua listener QoS).
  final StreamQos audioQos;
  final StreamQos videoQos;

  Player(NetStreamHandler stream, Publication publication, boolean reliable, RelayConfig relay) {
    this.stream = stream;
    this.session = stream.session;
    this.publication = publication;
    this.reliable = reliable;
    this.relay = relay;
    this.audioQos = new StreamQos(session::now);
    this.videoQos = new StreamQos(session::now);
  }

  // ---- what applications see (CUMULUS-FEATURES §5.8) ----

  /** The player's NetStream id (the listener id). */
  public int id() {
    return stream.streamId;
  }

  public Publication publication() {
    return publication;
  }

  public io.altocumulus.edge.app.Client client() {
    return stream.client;
  }

  /** True once the player stopped (closeStream, another command, refused, session gone). */
  public boolean isClosed() {
    return closed;
  }

  public boolean receiveAudio() {
    return receiveAudio;
  }

  public boolean receiveVideo() {
    return receiveVideo;
  }

  /** True when the play is played with retransmission (not {@code play(name, -3000)}). */
  public boolean reliable() {
    return reliable;
  }

  /** Outgoing audio toward this player over 5 s. */
  public StreamQos audioQos() {
    return audioQos;
  }

  /** Outgoing video toward this player over 5 s. */
  public StreamQos videoQos() {
    return videoQos;
  }

  public boolean audioSampleAccess() {
    return audioSampleAccess;
  }

  public boolean videoSampleAccess() {
    return videoSampleAccess;
  }

  /**
   * Lua {@code listener.audioSampleAccess} / {@code videoSampleAccess}: sends the player
   * {@code |RtmpSampleAccess(audio, video)} (RTMFP-WIRE §8.8). Any thread.
   */
  public void setSampleAccess(boolean audio, boolean video) {
    audioSampleAccess = audio;
    videoSampleAccess = video;
    session.loop().execute(() -> {
      if (!closed && session.isOpen()) {
        stream.sendStatusFlow(TcCommand.encodeData(stream.client.amfMode(), "|RtmpSampleAccess",
            audioSampleAccess, videoSampleAccess));
      }
    });
  }

  /** Opens the media flows, syncs them with the status flow and sends what a late player needs first. */
  void start(LoopGroup group) {
    this.group = group;
    byte[] md = TcMetadata.encode(stream.streamId);
    audioFlow = session.openFlow(md, stream.controlFlowId);
    videoFlow = session.openFlow(md, stream.controlFlowId);
    audioFlow.setQueueLimit(relay.queueLimitBytes());
    videoFlow.setQueueLimit(relay.queueLimitBytes());
    resync();
    if (publication.isPublished()) {
      sendMetadata();
    }
  }

  /** Flow Sync on the three flows (RTMFP-WIRE §8.8): the player aligns them from here. */
  private void resync() {
    syncId++;
    byte[] sync = TcMessage.flowSync(syncId, 3);
    stream.sendStatusFlow(sync);
    session.write(audioFlow, sync, true);
    session.write(videoFlow, sync, true);
  }

  private void sendMetadata() {
    DataMessage meta = publication.metadata;
    if (meta != null && !metadataSent) {
      metadataSent = true;
      onData(meta);
    }
  }

  // ---- from the publication (this loop) ----

  void onPublishNotify() {
    based = false; // continue our timeline from where it stopped (RTMFP-WIRE §8.8)
    waitingKeyframe = true;
    audioConfigSent = false;
    videoConfigSent = false;
    metadataSent = false;
    stream.sendStatus("status", "NetStream.Play.PublishNotify", publication.name + " is now published");
  }

  void onUnpublishNotify() {
    stream.sendStatus("status", "NetStream.Play.UnpublishNotify", publication.name + " is now unpublished");
  }

  void onData(DataMessage d) {
    if (closed) {
      return;
    }
    if ("onMetaData".equals(d.handler)) {
      metadataSent = true;
    }
    Amf0Writer.Mode mode = stream.client.amfMode();
    byte[] header = mode == Amf0Writer.Mode.PURE ? DATA_HEADER_AMF0 : DATA_HEADER_AMF3;
    stream.sendStatusFlow(header, d.body(mode));
  }

  void onMedia(MediaMessage m) {
    if (closed) {
      return;
    }
    long now = session.now();
    if (!metadataSent) {
      sendMetadata();
    }
    if (m.isAudio()) {
      if (!receiveAudio) {
        return;
      }
      if (m.isAudioConfig()) {
        audioConfigSent = true;
      } else if (!audioConfigSent) {
        byte[] cfg = publication.audioConfig;
        if (cfg != null) {
          send(audioFlow, TcMessage.AUDIO, m.time, cfg, now, relay.audioDeadlineMillis());
        }
        audioConfigSent = true;
      }
      send(audioFlow, TcMessage.AUDIO, m.time, m.payload, now, relay.audioDeadlineMillis());
      return;
    }
    if (!receiveVideo) {
      return;
    }
    if (m.isVideoConfig()) {
      videoConfigSent = true;
      send(videoFlow, TcMessage.VIDEO, m.time, m.payload, now, relay.videoDeadlineMillis());
      return;
    }
    if (waitingKeyframe) {
      if (!m.isKeyframe()) {
        videoQos.dropped(now);
        return; // held back until a keyframe (RTMFP-WIRE §8.8)
      }
      waitingKeyframe = false;
    }
    if (!videoConfigSent) {
      byte[] cfg = publication.videoConfig;
      if (cfg != null) {
        send(videoFlow, TcMessage.VIDEO, m.time, cfg, now, relay.videoDeadlineMillis());
      }
      videoConfigSent = true;
    }
    if (!send(videoFlow, TcMessage.VIDEO, m.time, m.payload, now, relay.videoDeadlineMillis())) {
      waitingKeyframe = true; // a lost frame breaks decoding until the next keyframe
    }
  }

  /** Frames the message for this player (5-byte header) around the shared payload; false if refused. */
  private boolean send(SendFlow flow, int type, int time, byte[] payload, long now, long deadlineMillis) {
    int out = rebase(time);
    boolean ok = session.write(flow, TcMessage.header(type, out), payload, reliable,
        now + deadlineMillis * 1_000_000L);
    StreamQos q = type == TcMessage.AUDIO ? audioQos : videoQos;
    if (ok) {
      q.sent(payload.length + TcMessage.HEADER, session.rttMillis(), now);
      publication.registry.relayedBytes.add(payload.length + TcMessage.HEADER);
    } else {
      q.dropped(now);
    }
    return ok;
  }

  private int rebase(int time) {
    if (!based) {
      offset = time - nextTime;
      based = true;
    }
    int out = time - offset;
    if (out < 0) {
      out = 0; // a message older than the one we based on (audio/video interleaving): never before 0
    }
    nextTime = out + 1;
    return out;
  }

  void setReceiveVideo(boolean on) {
    if (on && !receiveVideo) {
      waitingKeyframe = true;
    }
    receiveVideo = on;
  }

  /** Leaves the publication and closes the media flows (FIN). */
  void stop() {
    if (closed) {
      return;
    }
    closed = true;
    if (group == null) {
      return; // never started (refused, or the answer came too late)
    }
    group.remove(this);
    publication.removeListener(this);
    if (audioFlow != null) {
      session.closeFlow(audioFlow);
      session.closeFlow(videoFlow);
    }
  }

  // ---- QoS (issue #3 §4), over the last 5 s ----

  public double byteRate(long now) {
    return audioQos.byteRate(now) + videoQos.byteRate(now);
  }

  public long droppedFrames(long now) {
    return audioQos.droppedFrames(now) + videoQos.droppedFrames(now);
  }

  /** Media abandoned after its deadline or refused by the bounded queue, since the start. */
  public long expiredMessages() {
    return audioFlow == null ? 0 : audioFlow.expiredMessages() + videoFlow.expiredMessages();
  }

  public long latencyMillis() {
    return session.rttMillis() / 2;
  }

  /** Share of the congestion window in use (1.0 = the player's path is saturated). */
  public double congestion() {
    long cwnd = session.congestion().cwnd();
    return cwnd <= 0 ? 0 : (double) session.congestion().bytesInFlight() / cwnd;
  }
}
