package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.Map;

/**
 * The publisher's end of one player's NetStream flow on a direct session: it waits for
 * {@code play(name)}, then answers as a server answers a player (RTMFP-WIRE §8.6, §8.8): Stream
 * Begin, {@code NetStream.Play.Reset}, {@code NetStream.Play.Start} and {@code |RtmpSampleAccess}
 * on a status/data flow, media on an audio and a video flow, all three carrying the player's
 * stream id and associated with its flow (RFC 7425 §5.1.1; the layout librtmfp and Flash use).
 * Loop-confined.
 */
final class DirectSubscriber implements FlowHandler {
  private final PeerConnection pc;
  private final long playerFlowId;
  private final long streamId;
  private final byte[] metadata;
  private DirectNetStream stream;
  private SendFlow dataFlow;
  private SendFlow audioFlow;
  private SendFlow videoFlow;
  private boolean receiveAudio = true;
  private boolean receiveVideo = true;
  private boolean audioStarted;
  private boolean videoStarted;
  /** Video waits for a keyframe: at the start and after receiveVideo(true) (RTMFP-WIRE §8.6, §8.8). */
  private boolean waitKeyframe = true;

  DirectSubscriber(PeerConnection pc, RecvFlow flow, long streamId) {
    this.pc = pc;
    this.playerFlowId = flow.flowId();
    this.streamId = streamId;
    this.metadata = TcMetadata.encode(streamId);
  }

  private Session session() {
    return pc.session();
  }

  @Override
  public void onMessage(RecvFlow f, byte[] buf, int off, int len) {
    int type = buf[off] & 0xFF;
    if (type != TcMessage.AMF0_COMMAND && type != TcMessage.AMF3_COMMAND) {
      return; // Flow Sync, Set Buffer Length...: tolerated (REAL-CLIENTS.md §9)
    }
    TcCommand cmd;
    try {
      cmd = TcCommand.parse(buf, off, len, AmfContext.DEFAULT);
    } catch (WireException e) {
      return;
    }
    Object arg = cmd.args().isEmpty() ? null : cmd.args().get(0);
    switch (cmd.name()) {
      case "play" -> play(arg instanceof String s ? s : null);
      case "closeStream" -> stop("NetStream.Play.Stop", "Stopped playing");
      case "receiveAudio" -> receiveAudio = !Boolean.FALSE.equals(arg);
      case "receiveVideo" -> {
        boolean on = !Boolean.FALSE.equals(arg);
        if (on && !receiveVideo) {
          waitKeyframe = true;
        }
        receiveVideo = on;
      }
      default -> { }
    }
  }

  @Override
  public void onFinished(RecvFlow f) {
    detach();
    closeFlows();
    pc.subscriberGone(this);
  }

  private void play(String name) {
    detach(); // a new play replaces the previous one (RTMFP-WIRE §8.6)
    if (dataFlow == null) {
      dataFlow = session().openFlow(metadata, playerFlowId);
    }
    DirectNetStream found = name == null ? null : pc.publication(name);
    if (found == null || !found.accept(pc)) {
      status("status", "NetStream.Play.Failed", "Not authorized to play " + name);
      return;
    }
    stream = found;
    audioStarted = false;
    videoStarted = false;
    waitKeyframe = true;
    session().write(dataFlow, TcMessage.streamBegin((int) streamId), true);
    status("status", "NetStream.Play.Reset", "Playing and resetting " + name);
    status("status", "NetStream.Play.Start", "Started playing " + name);
    session().write(dataFlow, StreamMessages.data(3, 0, "|RtmpSampleAccess",
        found.audioSampleAccess, found.videoSampleAccess), true);
    if (audioFlow == null) {
      audioFlow = session().openFlow(metadata, playerFlowId);
      videoFlow = session().openFlow(metadata, playerFlowId);
    }
    found.added(this);
  }

  void audio(byte[] m) {
    if (!receiveAudio || !session().isOpen()) {
      return;
    }
    if (!audioStarted) {
      audioStarted = true;
      byte[] config = stream.audioConfig;
      if (config != null && config != m) {
        session().write(audioFlow, retimed(config, m), true);
      }
    }
    session().write(audioFlow, m, true);
  }

  void video(byte[] m) {
    if (!receiveVideo || !session().isOpen()) {
      return;
    }
    if (waitKeyframe) {
      if (!DirectNetStream.isKeyframe(m)) {
        return;
      }
      waitKeyframe = false;
    }
    if (!videoStarted) {
      videoStarted = true;
      byte[] config = stream.videoConfig;
      if (config != null && config != m) {
        session().write(videoFlow, retimed(config, m), true);
      }
    }
    session().write(videoFlow, m, true);
  }

  void data(byte[] m) {
    if (session().isOpen()) {
      session().write(dataFlow, m, true);
    }
  }

  /** The publisher unpublished. */
  void unpublished() {
    String name = stream == null ? "" : stream.name();
    stream = null;
    if (session().isOpen() && dataFlow != null) {
      status("status", "NetStream.Play.UnpublishNotify", name + " is now unpublished");
    }
  }

  /** The session ended: leave the publication. */
  void sessionClosed() {
    detach();
  }

  private void stop(String code, String description) {
    if (stream != null) {
      String name = stream.name();
      detach();
      status("status", code, description + " " + name);
    }
  }

  private void detach() {
    if (stream != null) {
      stream.removed(this);
      stream = null;
    }
  }

  private void closeFlows() {
    Session s = session();
    for (SendFlow f : new SendFlow[] {dataFlow, audioFlow, videoFlow}) {
      if (f != null) {
        s.closeFlow(f);
      }
    }
    dataFlow = audioFlow = videoFlow = null;
  }

  private void status(String level, String code, String description) {
    if (dataFlow != null && session().isOpen()) {
      Map<String, Object> info = TcCommand.info(level, code, description, null);
      session().write(dataFlow, TcCommand.encode("onStatus", 0, Amf0Writer.Mode.PURE, info), true);
    }
  }

  /** The cached codec configuration with the timestamp of the message it precedes. */
  private static byte[] retimed(byte[] config, byte[] next) {
    byte[] c = config.clone();
    System.arraycopy(next, 1, c, 1, 4);
    return c;
  }
}
