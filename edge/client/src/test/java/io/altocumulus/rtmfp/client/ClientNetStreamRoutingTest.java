package io.altocumulus.rtmfp.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.time.FakeClock;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A ClientNetConnection against a scripted server endpoint, both in memory (no sockets, fake
 * clock): createStream, the stream's flow and association, and the routing of server-opened flows
 * by stream id (RTMFP-WIRE §8.6–8.8, REAL-CLIENTS.md §10).
 */
class ClientNetStreamRoutingTest {
  static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 1935);
  static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.2", 50000);
  static final ServerIdentity IDENTITY = ServerIdentity.generate(new SecureRandom());

  final FakeClock clock = new FakeClock();
  final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
  RtmfpEndpoint server;
  RtmfpEndpoint client;
  FakeServer app;

  /** The server side as the lead's NetStream layer is expected to behave, reduced to a script. */
  final class FakeServer implements SessionHandler {
    Object createStreamResult = 1;
    Amf0Writer.Mode mode = Amf0Writer.Mode.AMF3_SWITCH;
    final List<byte[]> ncMessages = new ArrayList<>();
    final List<byte[]> streamMessages = new ArrayList<>();
    final List<Long> streamFlowAssociations = new ArrayList<>();
    final List<Long> rejectedFlows = new ArrayList<>();
    Session session;
    SendFlow ncReply;
    long ncFlowId;

    @Override
    public FlowHandler onFlowOpened(Session s, RecvFlow flow) {
      session = s;
      TcMetadata md = TcMetadata.parse(flow.metadata());
      if (md.isNetConnection()) {
        ncFlowId = flow.flowId();
        ncReply = s.openFlow(flow.metadata(), flow.flowId());
        return (f, buf, off, len) -> onNc(Arrays.copyOfRange(buf, off, off + len));
      }
      streamFlowAssociations.add(flow.associatedFlowId());
      return (f, buf, off, len) -> onStream(md.streamId(), Arrays.copyOfRange(buf, off, off + len));
    }

    void onNc(byte[] m) {
      ncMessages.add(m);
      if (m[0] == TcMessage.USER_CONTROL) {
        if (TcMessage.getShort(m, 5) == TcMessage.UC_SET_BUFFER_LENGTH) {
          session.write(ncReply, TcMessage.streamBegin(TcMessage.getInt(m, 7)), true);
        }
        return;
      }
      TcCommand c = TcCommand.parse(m, 0, m.length, AmfContext.DEFAULT);
      switch (c.name()) {
        case "connect" -> session.write(ncReply, TcCommand.encode("_result", c.transactionId(), mode,
            TcCommand.info("status", "NetConnection.Connect.Success", "", null)), true);
        case "createStream" -> session.write(ncReply, TcCommand.encode("_result", c.transactionId(), mode,
            createStreamResult), true);
        default -> { }
      }
    }

    void onStream(long streamId, byte[] m) {
      streamMessages.add(m);
      if (m[0] != TcMessage.AMF0_COMMAND && m[0] != TcMessage.AMF3_COMMAND) {
        return;
      }
      TcCommand c = TcCommand.parse(m, 0, m.length, AmfContext.DEFAULT);
      if (c.name().equals("play")) {
        byte[] md = TcMetadata.encode(streamId);
        SendFlow status = session.openFlow(md, ncFlowId);
        SendFlow audio = session.openFlow(md, ncFlowId);
        SendFlow video = session.openFlow(md, ncFlowId);
        byte[] sync = {4, 0, 0, 0, 0, 0, 0x22, 0, 0, 0, 0, 0, 0, 0, 3};
        for (SendFlow f : List.of(status, audio, video)) {
          session.write(f, sync.clone(), true);
        }
        session.write(status, TcCommand.encode("onStatus", 0, mode,
            TcCommand.info("status", "NetStream.Play.Start", "Started playing " + c.args().get(0), null)), true);
        session.write(status, StreamMessages.data(3, 0, "|RtmpSampleAccess", false, false), true);
        session.write(audio, StreamMessages.media(8, 0, new byte[] {(byte) 0xaf, 0, 0x12, 0x10}, 0, 4), true);
        session.write(audio, StreamMessages.media(8, 23, new byte[] {(byte) 0xaf, 1, 7}, 0, 3), true);
        session.write(video, StreamMessages.media(9, 0, new byte[] {0x17, 1, 0, 0, 0, 5}, 0, 6), true);
        // A flow for a stream the client never created: it must be refused.
        SendFlow stray = session.openFlow(TcMetadata.encode(99), ncFlowId);
        session.write(stray, StreamMessages.media(8, 0, new byte[] {(byte) 0xaf, 1}, 0, 2), true);
      }
    }

    @Override
    public void onFlowRejected(Session s, long flowId, long code) {
      rejectedFlows.add(flowId);
    }

    @Override
    public void onClosed(Session s, String reason) {}
  }

  RtmfpEndpoint endpoint(InetSocketAddress addr, ServerIdentity identity, ResponderPolicy policy, int loop) {
    return new RtmfpEndpoint(new EndpointConfig(), clock,
        (buf, off, len, to) -> inFlight.add(new Object[] {Arrays.copyOfRange(buf, off, off + len), addr, to}),
        tasks::add, tasks::add, new DropCounters(), loop, 4, identity,
        identity == null ? null : new ServerKeys(), policy);
  }

  void pump() {
    for (int i = 0; i < 10_000; i++) {
      boolean progress = false;
      while (!tasks.isEmpty()) {
        tasks.poll().run();
        progress = true;
      }
      server.flush();
      client.flush();
      while (!inFlight.isEmpty()) {
        Object[] d = inFlight.poll();
        byte[] b = (byte[]) d[0];
        RtmfpEndpoint target = d[2].equals(SERVER) ? server : client;
        target.receive(b, 0, b.length, (InetSocketAddress) d[1]);
        progress = true;
      }
      server.flush();
      client.flush();
      if (!progress) {
        return;
      }
    }
    throw new AssertionError("did not settle");
  }

  ClientNetConnection connect(int objectEncoding) throws Exception {
    app = new FakeServer();
    server = endpoint(SERVER, IDENTITY, new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return HelloDecision.ACCEPT;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        return app;
      }
    }, 3);
    client = endpoint(CLIENT, null, null, 0);
    String url = "rtmfp://10.0.0.1/live";
    ClientNetConnection nc = new ClientNetConnection(Runnable::run, url,
        new RtmfpClient.ConnectOptions().objectEncoding(objectEncoding));
    client.connect(SERVER, EndpointDiscriminator.forUrl(url), null, new RtmfpEndpoint.ConnectListener() {
      @Override
      public void onConnected(Session session) {
        nc.onSession(session);
      }

      @Override
      public void onFailed(String reason) {
        nc.onConnectFailed(reason);
      }
    });
    pump();
    assertThat(nc.connectedFuture()).isCompleted();
    return nc;
  }

  ClientNetStream createStream(ClientNetConnection nc) throws Exception {
    CompletableFuture<ClientNetStream> f = nc.createStream();
    pump();
    return f.get();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3})
  void createStreamAcceptsAmf3IntegerAndAmf0Number(int enc) throws Exception {
    ClientNetConnection nc = connect(enc);
    app.createStreamResult = 1; // AMF3 integer behind the switch
    assertThat(createStream(nc).streamId()).isEqualTo(1);
    app.createStreamResult = 2.0; // AMF0 number
    app.mode = Amf0Writer.Mode.PURE;
    assertThat(createStream(nc).streamId()).isEqualTo(2);
    byte[] cs = app.ncMessages.get(1);
    assertThat(cs[0]).isEqualTo((byte) (enc == 3 ? 0x11 : 0x14));
  }

  @Test
  void createStreamRefusesANonNumber() throws Exception {
    ClientNetConnection nc = connect(3);
    app.createStreamResult = "x";
    CompletableFuture<ClientNetStream> f = nc.createStream();
    pump();
    assertThat(f).isCompletedExceptionally();
  }

  @Test
  void publishGoesOnTheStreamFlowAssociatedWithTheNetConnectionFlow() throws Exception {
    ClientNetConnection nc = connect(3);
    ClientNetStream ns = createStream(nc);
    ns.publish("cam");
    ns.sendMetaData(Map.of("width", 320.0));
    ns.sendAudio(0, new byte[] {(byte) 0xaf, 0, 0x12, 0x10});
    ns.sendVideo(40, new byte[] {0x17, 0, 0, 0, 0});
    ns.send("chat", "hi");
    pump();
    assertThat(app.streamFlowAssociations).containsExactly(app.ncFlowId);
    assertThat(app.streamMessages).hasSize(5);
    TcCommand publish = TcCommand.parse(app.streamMessages.get(0), 0, app.streamMessages.get(0).length, AmfContext.DEFAULT);
    assertThat(publish.name()).isEqualTo("publish");
    assertThat(publish.args()).containsExactly("cam");
    assertThat(app.streamMessages.get(1)[0]).isEqualTo((byte) 0x0f);
    assertThat(StreamMessagesTest.hex(app.streamMessages.get(2))).isEqualTo("0800000000af001210");
    assertThat(StreamMessagesTest.hex(app.streamMessages.get(3))).isEqualTo("09000000281700000000");
  }

  @Test
  void serverFlowsAreRoutedByStreamIdAndUnknownIdsRefused() throws Exception {
    ClientNetConnection nc = connect(3);
    ClientNetStream ns = createStream(nc);
    List<String> codes = new ArrayList<>();
    List<String> audio = new ArrayList<>();
    List<String> video = new ArrayList<>();
    List<String> data = new ArrayList<>();
    ns.onStatus(e -> codes.add(e.level() + " " + e.code() + " " + e.description()));
    ns.onAudio((ts, buf, off, len) -> audio.add(ts + ":" + StreamMessagesTest.HEX.formatHex(buf, off, off + len)));
    ns.onVideo((ts, buf, off, len) -> video.add(ts + ":" + StreamMessagesTest.HEX.formatHex(buf, off, off + len)));
    ns.onData((name, values) -> data.add(name + values));
    ns.setBufferTime(100);
    ns.play("cam", -3000);
    pump();
    assertThat(StreamMessagesTest.hex(app.ncMessages.get(app.ncMessages.size() - 1)))
        .isEqualTo("04000000000003" + "00000001" + "00000064");
    assertThat(ns.streamBegins()).isEqualTo(1);
    assertThat(codes).containsExactly("status NetStream.Play.Start Started playing cam");
    assertThat(data).containsExactly("|RtmpSampleAccess[false, false]");
    assertThat(audio).containsExactly("0:af001210", "23:af0107");
    assertThat(video).containsExactly("0:170100000005");
    assertThat(ns.flowSyncs()).isEqualTo(3);
    assertThat(ns.serverFlows()).isEqualTo(3);
    assertThat(ns.audioMessages()).isEqualTo(2);
    assertThat(ns.audioBytes()).isEqualTo(7);
    assertThat(ns.videoMessages()).isEqualTo(1);
    assertThat(ns.lateJoinMillis()).isGreaterThanOrEqualTo(0);
    assertThat(ns.malformed()).isZero();
    assertThat(app.rejectedFlows).hasSize(1);
  }

  @Test
  void deleteStreamGoesOnTheNetConnectionFlowAndLaterFlowsAreRefused() throws Exception {
    ClientNetConnection nc = connect(0);
    ClientNetStream ns = createStream(nc);
    ns.deleteStream();
    pump();
    byte[] del = app.ncMessages.get(app.ncMessages.size() - 1);
    TcCommand c = TcCommand.parse(del, 0, del.length, AmfContext.DEFAULT);
    assertThat(c.name()).isEqualTo("deleteStream");
    assertThat(c.args()).containsExactly(1.0);
    SendFlow late = app.session.openFlow(TcMetadata.encode(1), app.ncFlowId);
    app.session.write(late, StreamMessages.media(8, 0, new byte[] {(byte) 0xaf, 1}, 0, 2), true);
    pump();
    assertThat(app.rejectedFlows).containsExactly(late.flowId());
    assertThat(ns.audioMessages()).isZero();
  }
}
