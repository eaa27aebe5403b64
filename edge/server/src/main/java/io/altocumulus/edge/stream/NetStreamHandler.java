package io.altocumulus.edge.stream;

import io.altocumulus.edge.app.Client;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcData;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.Arrays;
import java.util.List;

/**
 * One NetStream of a client (RTMFP-WIRE §8.6): its commands (publish, play, closeStream,
 * receiveAudio, receiveVideo), and while publishing its audio, video and data messages. Answers
 * on a status/data flow with the stream's TC metadata (REAL-CLIENTS.md §10), a return flow of the
 * client's NetConnection flow as every server flow (RTMFP-WIRE §7.3). Runs on the session's loop.
 */
public final class NetStreamHandler implements FlowHandler {
  final Client client;
  final Session session;
  final int streamId;
  final long controlFlowId;
  private final StreamRegistry registry;
  private final DropCounters drops;
  private SendFlow statusFlow;
  private Publication publishing;
  private Player playing;
  private long lostSeen;

  public NetStreamHandler(Client client, int streamId, long controlFlowId, StreamRegistry registry, DropCounters drops) {
    this.client = client;
    this.session = client.session();
    this.streamId = streamId;
    this.controlFlowId = controlFlowId;
    this.registry = registry;
    this.drops = drops;
  }

  public int streamId() {
    return streamId;
  }

  public Publication publishing() {
    return publishing;
  }

  public Player playing() {
    return playing;
  }

  // ---- incoming messages ----

  @Override
  public void onMessage(RecvFlow flow, byte[] buf, int off, int len) {
    if (len < TcMessage.HEADER) {
      drops.drop(DropCause.MALFORMED_MESSAGE, session.now(), "NetStream message too short");
      return;
    }
    int type = buf[off] & 0xFF;
    try {
      switch (type) {
        case TcMessage.AMF0_COMMAND, TcMessage.AMF3_COMMAND -> onCommand(TcCommand.parse(buf, off, len, AmfContext.DEFAULT));
        case TcMessage.AUDIO, TcMessage.VIDEO -> onMedia(flow, type, buf, off, len);
        case TcMessage.AMF3_DATA, TcMessage.AMF0_DATA -> onDataMessage(buf, off, len);
        default -> {
          // Flow Sync and other user control events from a publisher are tolerated (RTMFP-WIRE §8.3).
        }
      }
    } catch (WireException e) {
      drops.drop(e.dropCause(), session.now(), e.getMessage());
    }
  }

  @Override
  public void onFinished(RecvFlow flow) {
    close();
  }

  private void onCommand(TcCommand cmd) {
    List<Object> args = cmd.args();
    switch (cmd.name()) {
      case "publish" -> publish(args.isEmpty() ? null : args.get(0));
      case "play" -> play(args.isEmpty() ? null : args.get(0), args.size() > 1 ? args.get(1) : null);
      case "closeStream" -> closeStream();
      case "receiveAudio" -> {
        if (playing != null && !args.isEmpty() && args.get(0) instanceof Boolean b) {
          playing.receiveAudio = b;
        }
      }
      case "receiveVideo" -> {
        if (playing != null && !args.isEmpty() && args.get(0) instanceof Boolean b) {
          playing.setReceiveVideo(b);
        }
      }
      default -> {
        // Other NetStream commands (pause, seek...) have no meaning for a live relay.
      }
    }
  }

  private void publish(Object nameArg) {
    if (nameArg == null || Boolean.FALSE.equals(nameArg)) {
      closeStream(); // NetStream.publish(null|false): stop publishing
      return;
    }
    stopAll();
    if (!(nameArg instanceof String name) || name.isEmpty()) {
      sendStatus("error", "NetStream.Publish.BadName", "Invalid stream name");
      return;
    }
    Publication p = registry.claim(name, this);
    if (p == null) {
      sendStatus("error", "NetStream.Publish.BadName", name + " is already published");
      return;
    }
    publishing = p;
    lostSeen = -1;
    sendStatus("status", "NetStream.Publish.Start", name + " is now published");
    p.forEachGroup(session.loopIndex(), LoopGroup::onPublish);
  }

  private void play(Object nameArg, Object startArg) {
    if (nameArg == null || Boolean.FALSE.equals(nameArg)) {
      closeStream(); // NetStream.play(null|false): stop playing
      return;
    }
    stopAll();
    if (!(nameArg instanceof String name) || name.isEmpty()) {
      sendStatus("error", "NetStream.Play.StreamNotFound", "Invalid stream name");
      return;
    }
    // play(name, -3000): sent once, never retransmitted (RTMFP-WIRE §8.6).
    boolean reliable = !(startArg instanceof Number n && n.doubleValue() == -3000);
    LoopGroup group = registry.join(name, session.loopIndex(), session.loop());
    playing = new Player(this, group, reliable, registry.relay());
    sendStatus("status", "NetStream.Play.Reset", "Playing and resetting " + name);
    sendStatus("status", "NetStream.Play.Start", "Started playing " + name);
    sendStatusFlow(sampleAccess());
    playing.start();
    group.add(playing);
  }

  /** {@code |RtmpSampleAccess(false, false)}: no raw access to the media for the client's code. */
  private byte[] sampleAccess() {
    return TcCommand.encodeData(client.amfMode(), "|RtmpSampleAccess", Boolean.FALSE, Boolean.FALSE);
  }

  private void closeStream() {
    if (publishing != null) {
      String name = publishing.name;
      stopPublishing();
      sendStatus("status", "NetStream.Unpublish.Success", name + " is now unpublished");
    } else if (playing != null) {
      String name = playing.publication.name;
      stopPlaying();
      sendStatus("status", "NetStream.Play.Stop", "Stopped playing " + name);
    }
  }

  // ---- publishing ----

  private void onMedia(RecvFlow flow, int type, byte[] buf, int off, int len) {
    Publication p = publishing;
    if (p == null) {
      return;
    }
    long now = session.now();
    long lost = flow.lostFragments();
    if (lostSeen >= 0 && lost > lostSeen) {
      p.qos.add(Publication.Q_LOST_FRAGMENTS, lost - lostSeen, now);
    }
    lostSeen = lost;
    int time = TcMessage.getInt(buf, off + 1);
    // The one copy of the payload; every player shares it (encode once, issue #3 §5).
    MediaMessage m = new MediaMessage(type, time, Arrays.copyOfRange(buf, off + TcMessage.HEADER, off + len));
    if (m.isAudioConfig()) {
      p.audioConfig = m.payload;
    } else if (m.isVideoConfig()) {
      p.videoConfig = m.payload;
    }
    p.qos.add(Publication.Q_BYTES, len, now);
    p.qos.add(Publication.Q_MESSAGES, 1, now);
    p.forEachGroup(session.loopIndex(), g -> g.onMedia(m));
  }

  private void onDataMessage(byte[] buf, int off, int len) {
    Publication p = publishing;
    if (p == null) {
      return;
    }
    TcData msg = TcData.parse(buf, off, len, AmfContext.DEFAULT);
    String handler = msg.handler();
    List<Object> values = msg.values();
    if ("@setDataFrame".equals(handler) || "@clearDataFrame".equals(handler)) {
      // Metadata for late players (Cumulus does not keep it): relayed as onMetaData.
      if (handler.equals("@clearDataFrame")) {
        p.metadata = null;
        return;
      }
      if (values.isEmpty() || !(values.get(0) instanceof String inner)) {
        throw new WireException(DropCause.MALFORMED_MESSAGE, "@setDataFrame without a handler name");
      }
      DataMessage meta = new DataMessage(inner, values.subList(1, values.size()));
      if ("onMetaData".equals(inner)) {
        p.metadata = meta;
      }
      p.forEachGroup(session.loopIndex(), g -> g.onData(meta));
      return;
    }
    DataMessage d = new DataMessage(handler, values);
    p.forEachGroup(session.loopIndex(), g -> g.onData(d));
  }

  // ---- status and data toward this client ----

  void sendStatus(String level, String code, String description) {
    sendStatusFlow(TcCommand.encode("onStatus", 0, client.amfMode(),
        TcCommand.info(level, code, description, null)));
  }

  void sendStatusFlow(byte[] message) {
    sendStatusFlow(null, message);
  }

  void sendStatusFlow(byte[] header, byte[] body) {
    if (statusFlow == null) {
      statusFlow = session.openFlow(TcMetadata.encode(streamId), controlFlowId);
    }
    session.write(statusFlow, header, body, true, Long.MAX_VALUE);
  }

  // ---- teardown ----

  private void stopPublishing() {
    Publication p = publishing;
    publishing = null;
    if (p != null && p.stopPublishing(this)) {
      p.forEachGroup(session.loopIndex(), LoopGroup::onUnpublish);
      p.maybeRelease();
    }
  }

  private void stopPlaying() {
    Player pl = playing;
    playing = null;
    if (pl != null) {
      pl.stop();
    }
  }

  private void stopAll() {
    stopPublishing();
    stopPlaying();
  }

  /** The stream ends: flow closed, deleteStream, or the session died (RTMFP-WIRE §8.6). */
  public void close() {
    stopAll();
    if (statusFlow != null && session.isOpen()) {
      session.closeFlow(statusFlow);
      statusFlow = null;
    }
  }
}
