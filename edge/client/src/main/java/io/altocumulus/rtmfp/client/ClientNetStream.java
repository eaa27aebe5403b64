package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The client side of a NetStream (RTMFP-WIRE §8.6): its own flow with TC metadata carrying the
 * stream id, associated with the NetConnection flow; and every flow the server opens for that
 * stream id (status/data, audio, video: RTMFP-WIRE §8.8, REAL-CLIENTS.md §10). Methods may be
 * called from any thread; the work runs on the transport's loop, and listeners are called there.
 */
public final class ClientNetStream {
  /** An onStatus command: level, code, description and the whole info object. */
  public record StatusEvent(String level, String code, String description, Object info) {}

  /** Audio or video: the message timestamp and the FLV tag body, valid only during the call. */
  @FunctionalInterface
  public interface MediaListener {
    void onMedia(int timestamp, byte[] buf, int off, int len);
  }

  private final StreamOwner nc;
  private final long streamId;
  private final int objectEncoding;
  private SendFlow flow;
  private boolean deleted;
  private final List<Consumer<StatusEvent>> statusListeners = new CopyOnWriteArrayList<>();
  private final List<MediaListener> audioListeners = new CopyOnWriteArrayList<>();
  private final List<MediaListener> videoListeners = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<String, List<Object>>> dataListeners = new CopyOnWriteArrayList<>();
  private final FlowHandler handler = this::onMessage;

  // Counters: written on the loop only, read from anywhere.
  private volatile long audioMessages;
  private volatile long audioBytes;
  private volatile long videoMessages;
  private volatile long videoBytes;
  private volatile long dataMessages;
  private volatile long flowSyncs;
  private volatile long streamBegins;
  private volatile long malformed;
  private volatile long serverFlows;
  private volatile long playSentNanos;
  private volatile long firstMediaNanos;

  ClientNetStream(StreamOwner nc, long streamId, int objectEncoding) {
    this.nc = nc;
    this.streamId = streamId;
    this.objectEncoding = objectEncoding;
  }

  /** On the loop: opens the stream's flow, a return flow of the NetConnection flow (RTMFP-WIRE §7.2, §8.1). */
  void open() {
    flow = nc.openStreamFlow(streamId);
  }

  FlowHandler handler() {
    return handler;
  }

  /** On the loop: the id of the stream's own flow, which the far end's flows for it name (RTMFP-WIRE §7.3). */
  long flowId() {
    return flow == null ? -1 : flow.flowId();
  }

  public long streamId() {
    return streamId;
  }

  // ---- commands (RTMFP-WIRE §8.6) ----

  public void publish(String name) {
    command("publish", name);
  }

  /** {@code type}: "live", "record" or "append", as NetStream.publish. */
  public void publish(String name, String type) {
    command("publish", name, type);
  }

  public void play(String name) {
    playSentNanos = System.nanoTime();
    command("play", name);
  }

  /** {@code start} in ms as Flash sends it: -2000 by default, -3000 for no retransmission of media. */
  public void play(String name, double start) {
    playSentNanos = System.nanoTime();
    command("play", name, start);
  }

  public void closeStream() {
    command("closeStream");
  }

  public void receiveAudio(boolean on) {
    command("receiveAudio", on);
  }

  public void receiveVideo(boolean on) {
    command("receiveVideo", on);
  }

  /** NetStream.send: a data message to every player of the stream. */
  public void send(String handler, Object... args) {
    write(StreamMessages.data(objectEncoding, 0, handler, args));
  }

  /** A data message with a timestamp, e.g. {@code sendData(0, "@setDataFrame", "onMetaData", map)}. */
  public void sendData(int timestamp, String handler, Object... args) {
    write(StreamMessages.data(objectEncoding, timestamp, handler, args));
  }

  /** {@code @setDataFrame onMetaData <metadata>}, as an encoder does before the first frame. */
  public void sendMetaData(Map<String, ?> metadata) {
    sendData(0, "@setDataFrame", "onMetaData", metadata);
  }

  public void sendAudio(int timestamp, byte[] payload) {
    write(StreamMessages.media(TcMessage.AUDIO, timestamp, payload, 0, payload.length));
  }

  public void sendVideo(int timestamp, byte[] payload) {
    write(StreamMessages.media(TcMessage.VIDEO, timestamp, payload, 0, payload.length));
  }

  /** Set Buffer Length for this stream, on the NetConnection flow (RTMFP-WIRE §8.3). */
  public void setBufferTime(int ms) {
    nc.writeOnNetConnection(StreamMessages.setBufferLength(streamId, ms));
  }

  /** deleteStream on the NetConnection flow; ends this stream's flow; later server flows are refused. */
  public void deleteStream() {
    nc.deleteStream(this);
  }

  /** On the loop, from the connection. */
  void onDeleted() {
    deleted = true;
    if (flow != null) {
      nc.session().closeFlow(flow);
    }
  }

  boolean deleted() {
    return deleted;
  }

  private void command(String name, Object... args) {
    write(StreamMessages.command(objectEncoding, name, 0, args));
  }

  private void write(byte[] message) {
    nc.execute(() -> {
      if (!deleted && flow != null) {
        nc.session().write(flow, message, true);
      }
    });
  }

  // ---- listeners and counters ----

  public void onStatus(Consumer<StatusEvent> l) {
    statusListeners.add(l);
  }

  public void onAudio(MediaListener l) {
    audioListeners.add(l);
  }

  public void onVideo(MediaListener l) {
    videoListeners.add(l);
  }

  public void onData(BiConsumer<String, List<Object>> l) {
    dataListeners.add(l);
  }

  public long audioMessages() {
    return audioMessages;
  }

  public long audioBytes() {
    return audioBytes;
  }

  public long videoMessages() {
    return videoMessages;
  }

  public long videoBytes() {
    return videoBytes;
  }

  public long dataMessages() {
    return dataMessages;
  }

  /** Flow Sync (0x22) user-control messages received on this stream's flows (RFC 7425 §5.2). */
  public long flowSyncs() {
    return flowSyncs;
  }

  /** Stream Begin (0x00) user-control messages received for this stream. */
  public long streamBegins() {
    return streamBegins;
  }

  /** Messages of this stream that could not be parsed (ignored). */
  public long malformed() {
    return malformed;
  }

  /** Flows the server opened for this stream (status/data, audio, video). */
  public long serverFlows() {
    return serverFlows;
  }

  /** System.nanoTime() when play was last sent, 0 if never. */
  public long playSentNanos() {
    return playSentNanos;
  }

  /** System.nanoTime() of the first audio or video message, 0 if none yet. */
  public long firstMediaNanos() {
    return firstMediaNanos;
  }

  /** Time from play to the first media message in ms, or -1 if either is missing. */
  public double lateJoinMillis() {
    long p = playSentNanos;
    long f = firstMediaNanos;
    return p == 0 || f == 0 ? -1 : (f - p) / 1e6;
  }

  // ---- incoming (on the loop) ----

  void onServerFlow(RecvFlow f) {
    serverFlows++;
  }

  /** Stream Begin for our id arrived on the NetConnection flow (answer to Set Buffer Length). */
  void onStreamBegin() {
    streamBegins++;
  }

  private void onMessage(RecvFlow f, byte[] buf, int off, int len) {
    if (len < 1) {
      malformed++;
      return;
    }
    int type = buf[off] & 0xFF;
    try {
      switch (type) {
        case TcMessage.AUDIO, TcMessage.VIDEO -> onMedia(type, buf, off, len);
        case TcMessage.AMF0_COMMAND, TcMessage.AMF3_COMMAND -> onCommand(TcCommand.parse(buf, off, len, AmfContext.DEFAULT));
        case TcMessage.AMF0_DATA, TcMessage.AMF3_DATA -> {
          StreamMessages.Data d = StreamMessages.parseData(buf, off, len);
          dataMessages++;
          dataListeners.forEach(l -> l.accept(d.handler(), d.values()));
        }
        case TcMessage.USER_CONTROL -> onUserControl(buf, off, len);
        default -> malformed++;
      }
    } catch (WireException e) {
      malformed++;
    }
  }

  private void onMedia(int type, byte[] buf, int off, int len) {
    if (len < TcMessage.HEADER) {
      malformed++;
      return;
    }
    if (firstMediaNanos == 0) {
      firstMediaNanos = System.nanoTime();
    }
    int ts = TcMessage.getInt(buf, off + 1);
    int body = len - TcMessage.HEADER;
    List<MediaListener> ls;
    if (type == TcMessage.AUDIO) {
      audioMessages++;
      audioBytes += body;
      ls = audioListeners;
    } else {
      videoMessages++;
      videoBytes += body;
      ls = videoListeners;
    }
    for (MediaListener l : ls) {
      l.onMedia(ts, buf, off + TcMessage.HEADER, body);
    }
  }

  private void onCommand(TcCommand cmd) {
    if (!"onStatus".equals(cmd.name())) {
      return;
    }
    Object info = cmd.args().isEmpty() ? null : cmd.args().get(0);
    StatusEvent e = new StatusEvent(str(ClientNetConnection.member(info, "level")),
        str(ClientNetConnection.member(info, "code")), str(ClientNetConnection.member(info, "description")), info);
    statusListeners.forEach(l -> l.accept(e));
  }

  private void onUserControl(byte[] buf, int off, int len) {
    if (len < TcMessage.HEADER + 2) {
      malformed++;
      return;
    }
    int event = TcMessage.getShort(buf, off + TcMessage.HEADER);
    if (event == TcMessage.UC_FLOW_SYNC) {
      flowSyncs++;
    } else if (event == TcMessage.UC_STREAM_BEGIN) {
      streamBegins++;
    }
    // Other events are tolerated (REAL-CLIENTS.md §9).
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
