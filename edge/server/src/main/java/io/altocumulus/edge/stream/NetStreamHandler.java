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
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.app.ServerApplication.Decision;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfOutput;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NetStream of a client (RTMFP-WIRE §8.6): its commands (publish, play, closeStream,
 * receiveAudio, receiveVideo), and while publishing its audio, video and data messages. Answers
 * on a status/data flow with the stream's TC metadata (REAL-CLIENTS.md §10), a return flow of the
 * client's NetConnection flow as every server flow (RTMFP-WIRE §7.3). Runs on the session's loop.
 */
public final class NetStreamHandler implements FlowHandler {
  private static final Logger LOG = LoggerFactory.getLogger(NetStreamHandler.class);

  final Client client;
  final Session session;
  final int streamId;
  final long controlFlowId;
  private final StreamRegistry registry;
  private final DropCounters drops;
  private SendFlow statusFlow;
  private Publication publishing;
  private Player playing;
  private final IdentityHashMap<RecvFlow, FlowLoss> flowLoss = new IdentityHashMap<>(4);
  private int op; // bumped on every stop: tells a late onPublish/onSubscribe answer it is stale

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
    Publication p = registry.reserve(name);
    if (p.isPublished()) {
      p.unreserve();
      sendStatus("error", "NetStream.Publish.BadName", name + " is already published");
      return;
    }
    // onPublish before the name is granted (CUMULUS-FEATURES §4); the publication is held meanwhile.
    ServerApplication app = client.application();
    CompletableFuture<Decision> answer = ask(app == null ? null : () -> app.onPublish(client, p), "onPublish");
    int myOp = op;
    if (answer.isDone()) {
      publishAnswered(myOp, p, answer);
    } else {
      answer.whenComplete((d, e) -> session.loop().execute(() -> publishAnswered(myOp, p, answer)));
    }
  }

  private void publishAnswered(int myOp, Publication p, CompletableFuture<Decision> answer) {
    if (myOp != op || !session.isOpen()) {
      p.unreserve(); // the stream moved on (closeStream, another play/publish, gone) meanwhile
      return;
    }
    Decision d = decision(answer);
    String name = p.name;
    if (!d.accepted()) {
      p.unreserve();
      sendStatus("error", "NetStream.Publish.BadName",
          d.description() == null || d.description().isEmpty() ? "Not allowed to publish " + name : d.description());
      return;
    }
    Boolean ok = p.startPublishing(this, streamId);
    p.unreserve();
    if (!Boolean.TRUE.equals(ok)) {
      sendStatus("error", "NetStream.Publish.BadName", name + " is already published");
      return;
    }
    publishing = p;
    flowLoss.clear();
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
    Publication p = registry.reserve(name);
    Player pl = new Player(this, p, reliable, registry.relay());
    // onSubscribe before the play starts (CUMULUS-FEATURES §4).
    ServerApplication app = client.application();
    CompletableFuture<Decision> answer = ask(app == null ? null : () -> app.onSubscribe(client, pl), "onSubscribe");
    int myOp = op;
    if (answer.isDone()) {
      playAnswered(myOp, pl, answer);
    } else {
      answer.whenComplete((d, e) -> session.loop().execute(() -> playAnswered(myOp, pl, answer)));
    }
  }

  private void playAnswered(int myOp, Player pl, CompletableFuture<Decision> answer) {
    Publication p = pl.publication;
    if (myOp != op || !session.isOpen()) {
      pl.stop();
      p.unreserve();
      registry.released(pl);
      return;
    }
    Decision d = decision(answer);
    String name = p.name;
    if (!d.accepted()) {
      pl.stop();
      p.unreserve();
      registry.released(pl);
      sendStatus("error", "NetStream.Play.Failed",
          d.description() == null || d.description().isEmpty() ? "Not authorized to play " + name : d.description());
      return;
    }
    LoopGroup group = p.group(session.loopIndex(), session.loop()); // never null: reserved
    playing = pl;
    sendStatus("status", "NetStream.Play.Reset", "Playing and resetting " + name);
    sendStatus("status", "NetStream.Play.Start", "Started playing " + name);
    sendStatusFlow(sampleAccess());
    pl.start(group);
    group.add(pl);
    p.addListener(pl);
    p.unreserve();
  }

  /** Calls an application event that decides, turning a throw into a refusal. */
  private CompletableFuture<Decision> ask(java.util.function.Supplier<CompletionStage<Decision>> event, String what) {
    if (event == null) {
      return ServerApplication.ACCEPT;
    }
    try {
      return event.get().toCompletableFuture();
    } catch (RuntimeException e) {
      LOG.warn("application {} failed in {}", client.path(), what, e);
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The answer; a failure is a refusal with its message (Lua {@code error("m")}). */
  private static Decision decision(CompletableFuture<Decision> answer) {
    try {
      Decision d = answer.join();
      return d == null ? Decision.ACCEPTED : d;
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return Decision.refuse(cause.getMessage());
    }
  }

  /** {@code |RtmpSampleAccess(false, false)}: no raw access to the media for the client's code. */
  private byte[] sampleAccess() {
    return TcCommand.encodeData(client.amfMode(), "|RtmpSampleAccess", Boolean.FALSE, Boolean.FALSE);
  }

  private void closeStream() {
    op++; // also cancels a publish or play still waiting for the application's answer
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
    // Fragments lost on this flow since its last message (a publisher may use one flow per track).
    FlowLoss fl = flowLoss.get(flow);
    if (fl == null) {
      fl = new FlowLoss(flow.lostFragments());
      flowLoss.put(flow, fl);
    }
    long lost = flow.lostFragments() - fl.seen;
    fl.seen = flow.lostFragments();
    if (lost > 0) {
      fl.sinceVideo = true;
    }
    if (type == TcMessage.VIDEO && fl.sinceVideo) {
      // Fragments lost on the video's flow (maybe before an audio message, when the publisher uses
      // one flow for both): the publication waits for a keyframe (RTMFP-WIRE §8.8).
      fl.sinceVideo = false;
      p.waitKeyframe();
    }
    int time = TcMessage.getInt(buf, off + 1);
    MediaMessage m = p.ingest(type, time, buf, off + TcMessage.HEADER, len - TcMessage.HEADER, lost,
        session.rttMillis(), now);
    if (m == null) {
      return; // held back: no event either (CUMULUS-FEATURES §4 onVideoPacket)
    }
    p.forEachGroup(session.loopIndex(), g -> g.onMedia(m));
    ServerApplication app = client.application();
    if (app != null) {
      int events = app.mediaEvents();
      if (events != 0) {
        try {
          if (type == TcMessage.AUDIO) {
            if ((events & ServerApplication.AUDIO) != 0) {
              app.onAudioPacket(client, p, time & 0xFFFFFFFFL, m.payload);
            }
          } else if ((events & ServerApplication.VIDEO) != 0) {
            app.onVideoPacket(client, p, time & 0xFFFFFFFFL, m.payload);
          }
        } catch (RuntimeException e) {
          LOG.warn("application {} failed in a media event", client.path(), e);
        }
      }
    }
  }

  private void onDataMessage(byte[] buf, int off, int len) {
    Publication p = publishing;
    if (p == null) {
      return;
    }
    TcData msg = TcData.parse(buf, off, len, AmfContext.DEFAULT);
    p.dataMessage(msg.handler(), msg.values(), session.loopIndex());
    ServerApplication app = client.application();
    if (app != null && (app.mediaEvents() & ServerApplication.DATA) != 0) {
      try {
        app.onDataPacket(client, p, msg.handler(), rawValues(buf, off, len, msg));
      } catch (RuntimeException e) {
        LOG.warn("application {} failed in onDataPacket", client.path(), e);
      }
    }
  }

  /** The raw AMF after the handler name (onDataPacket's packet), re-encoded if the name was not plain AMF0. */
  private static byte[] rawValues(byte[] buf, int off, int len, TcData msg) {
    int start = off + TcMessage.HEADER + ((buf[off] & 0xFF) == TcMessage.AMF3_DATA ? 1 : 0);
    int end = off + len;
    if (start + 3 <= end && buf[start] == 0x02) { // AMF0 string marker, u16 length
      int nameEnd = start + 3 + TcMessage.getShort(buf, start + 1);
      if (nameEnd <= end) {
        return Arrays.copyOfRange(buf, nameEnd, end);
      }
    }
    AmfOutput out = new AmfOutput(64);
    Amf0Writer w = new Amf0Writer(out, Amf0Writer.Mode.AMF3_SWITCH);
    for (Object v : msg.values()) {
      w.writeValue(v);
    }
    return out.toByteArray();
  }

  /** Per publisher flow: lost fragments seen so far, and whether some came since its last video. */
  private static final class FlowLoss {
    long seen;
    boolean sinceVideo;

    FlowLoss(long seen) {
      this.seen = seen;
    }
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
      ServerApplication app = client.application();
      if (app != null) {
        try {
          app.onUnpublish(client, p);
        } catch (RuntimeException e) {
          LOG.warn("application {} failed in onUnpublish", client.path(), e);
        }
      }
      p.maybeRelease(); // after the event: bindings are told of the release last
    }
  }

  private void stopPlaying() {
    Player pl = playing;
    playing = null;
    if (pl != null) {
      pl.stop();
      ServerApplication app = client.application();
      if (app != null) {
        try {
          app.onUnsubscribe(client, pl);
        } catch (RuntimeException e) {
          LOG.warn("application {} failed in onUnsubscribe", client.path(), e);
        }
      }
      registry.released(pl);
    }
  }

  private void stopAll() {
    op++; // answers still awaited for an earlier publish/play are now stale
    stopPublishing();
    stopPlaying();
  }

  /**
   * On this stream's loop, for {@link Publication#close}: onStatus NetStream.{@code code} if given,
   * then the {@code close} command, and the publication is released.
   */
  void closeByServer(Publication p, String code, String description) {
    if (publishing != p || !session.isOpen()) {
      return;
    }
    if (code != null && !code.isEmpty()) {
      sendStatus("status", "NetStream." + code, description == null ? "" : description);
    }
    sendStatusFlow(TcCommand.encode("close", 0, client.amfMode()));
    op++;
    stopPublishing();
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
