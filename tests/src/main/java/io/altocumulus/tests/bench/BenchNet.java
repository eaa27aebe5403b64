package io.altocumulus.tests.bench;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.NetConnection;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfOutput;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.PacketSink;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.time.FakeClock;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;

/**
 * A server endpoint and a client endpoint joined in memory (after the core's own MemoryNetwork
 * test helper): datagrams are queued and delivered by {@link #pump}, time is a FakeClock, each
 * endpoint's crypto and loop executors are its own task queue, run by the pump outside
 * {@code receive}. Every call into the server endpoint can be timed on the thread CPU clock, so the
 * server's share of a handshake is measured apart from the client's.
 */
final class BenchNet {
  static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 1935);
  static final ServerIdentity IDENTITY = ServerIdentity.generate(new SecureRandom());
  static final String URL = "rtmfp://10.0.0.1/app";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {}

  final FakeClock clock = new FakeClock();
  final DropCounters serverDrops = new DropCounters();
  final DropCounters clientDrops = new DropCounters();
  /** Thread-safe: an application on another thread (the Lua host) continues a connect through it. */
  final java.util.Queue<Runnable> serverTasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
  final ArrayDeque<Runnable> clientTasks = new ArrayDeque<>();
  private final ArrayDeque<Datagram> toServer = new ArrayDeque<>();
  private final ArrayDeque<Datagram> toClient = new ArrayDeque<>();
  final RtmfpEndpoint server;
  RtmfpEndpoint client;
  /** Source address of the client's datagrams (changed per connection to make distinct peers). */
  InetSocketAddress clientAddress = new InetSocketAddress("10.1.0.1", 40000);
  /** Where the server's datagrams go; replace with a no-op sink to measure without the harness. */
  PacketSink serverOut;
  /** Client datagrams are kept here instead of delivered while {@link #captureClient} is set. */
  final ArrayDeque<Datagram> captured = new ArrayDeque<>();
  boolean captureClient;

  /** Time the server endpoint spent in the calls the pump made, thread CPU clock. */
  long serverCpuNanos;
  /** Same calls, wall clock. */
  long serverWallNanos;
  boolean timeServer;

  /**
   * @param serverHandler the server's session handler factory; null for the edge's real
   *     NetConnection with a registered application "app"
   */
  final io.altocumulus.edge.stream.StreamRegistry streams =
      new io.altocumulus.edge.stream.StreamRegistry(io.altocumulus.edge.stream.RelayConfig.DEFAULT);

  BenchNet(java.util.function.Function<Session, SessionHandler> serverHandler) {
    Applications apps = new Applications(Path.of("www")).register("app", new ServerApplication() {});
    java.util.function.Function<Session, SessionHandler> handlers = serverHandler != null ? serverHandler
        : s -> new NetConnection(s, apps, streams, serverDrops, 15_000, 10_000);
    ResponderPolicy policy = new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return HelloDecision.ACCEPT;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        return handlers.apply(session);
      }
    };
    serverOut = (buf, off, len, to) -> toClient.add(new Datagram(Arrays.copyOfRange(buf, off, off + len), SERVER, to));
    server = new RtmfpEndpoint(new EndpointConfig(), clock, (buf, off, len, to) -> serverOut.send(buf, off, len, to),
        serverTasks::add, serverTasks::add, serverDrops, 3, 4, IDENTITY, new ServerKeys(), policy);
    client = new RtmfpEndpoint(new EndpointConfig(), clock, (buf, off, len, to) -> {
      Datagram d = new Datagram(Arrays.copyOfRange(buf, off, off + len), clientAddress, to);
      (captureClient ? captured : toServer).add(d);
    }, clientTasks::add, clientTasks::add, clientDrops, 0, 1, null, null, null);
  }

  /** Forgets the client endpoint and everything queued for it (its sessions become garbage). */
  void dropClient() {
    client = null;
    clientTasks.clear();
    toClient.clear();
    toServer.clear();
    captured.clear();
  }

  /** Delivers datagrams and runs tasks until nothing is left. */
  void pump() {
    for (int rounds = 0; rounds < 10_000; rounds++) {
      boolean progress = false;
      while (!serverTasks.isEmpty()) {
        Runnable r = serverTasks.poll();
        onServer(r::run);
        progress = true;
      }
      while (!clientTasks.isEmpty()) {
        clientTasks.poll().run();
        progress = true;
      }
      onServer(server::flush);
      if (client != null) {
        client.flush();
      }
      while (!toServer.isEmpty()) {
        Datagram d = toServer.poll();
        byte[] b = d.bytes();
        onServer(() -> server.receive(b, 0, b.length, d.from()));
        progress = true;
      }
      onServer(server::flush);
      while (!toClient.isEmpty()) {
        Datagram d = toClient.poll();
        if (client != null) {
          client.receive(d.bytes(), 0, d.bytes().length, d.from());
        }
        progress = true;
      }
      if (client != null) {
        client.flush();
      }
      if (!progress) {
        return;
      }
    }
    throw new IllegalStateException("network did not settle");
  }

  private void onServer(Runnable r) {
    if (!timeServer) {
      r.run();
      return;
    }
    long c0 = THREADS.getCurrentThreadCpuTime();
    long w0 = System.nanoTime();
    r.run();
    serverWallNanos += System.nanoTime() - w0;
    serverCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
  }

  /** Advances time in steps, ticking both endpoints and pumping after each step. */
  void advance(long millis, long stepMillis) {
    for (long t = 0; t < millis; t += stepMillis) {
      clock.advanceMillis(stepMillis);
      onServer(server::tick);
      if (client != null) {
        client.tick();
      }
      pump();
    }
  }

  /** Opens an RTMFP session from the client (IHello..RIKeying) and returns the client's session. */
  Session handshake(DhGroup group) {
    Session[] out = new Session[1];
    String[] failure = new String[1];
    client.connect(SERVER, EndpointDiscriminator.forUrl(URL), group, new RtmfpEndpoint.ConnectListener() {
      @Override
      public void onConnected(Session session) {
        out[0] = session;
      }

      @Override
      public void onFailed(String reason) {
        failure[0] = reason;
      }
    });
    pump();
    if (out[0] == null) {
      throw new IllegalStateException("handshake failed: " + failure[0]);
    }
    return out[0];
  }

  /**
   * Handshake, then NetConnection connect on a TC flow, until the server's {@code _result} is
   * delivered (and acknowledged). Returns the client side of the connection.
   */
  MiniNetConnection connect(DhGroup group) {
    MiniNetConnection nc = new MiniNetConnection();
    client.connect(SERVER, EndpointDiscriminator.forUrl(URL), group, new RtmfpEndpoint.ConnectListener() {
      @Override
      public void onConnected(Session session) {
        nc.start(session);
      }

      @Override
      public void onFailed(String reason) {
        nc.failure = reason;
      }
    });
    pump();
    if (!"_result".equals(nc.answer)) {
      throw new IllegalStateException("connect failed: " + nc.failure + " / " + nc.answer);
    }
    return nc;
  }

  /** The same connect command for every connection (AMF0, as ClientNetConnection sends it). */
  static final byte[] CONNECT = connectCommand();

  private static byte[] connectCommand() {
    Map<String, Object> co = io.altocumulus.rtmfp.client.ClientNetConnection.connectCommandObject(URL, "WIN 32,0,0,465", 0);
    AmfOutput out = new AmfOutput(256);
    out.writeU8(TcMessage.AMF0_COMMAND).writeI32(0);
    Amf0Writer w = new Amf0Writer(out, Amf0Writer.Mode.PURE);
    w.writeString("connect");
    w.writeNumber(1);
    w.writeObject(co);
    return out.toByteArray();
  }

  /** The smallest client NetConnection: sends connect, records the name of the first answer. */
  static final class MiniNetConnection implements SessionHandler, FlowHandler {
    Session session;
    SendFlow flow;
    String answer;
    String failure;

    void start(Session s) {
      session = s;
      s.setHandler(this);
      flow = s.openFlow(TcMetadata.encode(0), -1);
      s.write(flow, CONNECT, true);
    }

    @Override
    public FlowHandler onFlowOpened(Session s, RecvFlow f) {
      return this;
    }

    @Override
    public void onClosed(Session s, String reason) {
      failure = reason;
    }

    @Override
    public void onMessage(RecvFlow f, byte[] buf, int off, int len) {
      int type = buf[off] & 0xFF;
      if (answer == null && (type == TcMessage.AMF0_COMMAND || type == TcMessage.AMF3_COMMAND)) {
        answer = TcCommand.parse(buf, off, len, AmfContext.DEFAULT).name();
      }
    }
  }
}
