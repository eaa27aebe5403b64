package io.altocumulus.cluster.link;

import io.altocumulus.cluster.membership.MembershipListener;
import io.altocumulus.proto.cluster.v1.AppSync;
import io.altocumulus.proto.cluster.v1.Hello;
import io.altocumulus.proto.cluster.v1.LinkFrame;
import io.altocumulus.proto.cluster.v1.LuaMessage;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.ServerLinkGrpc;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server links of one node (issue 6): one bidirectional gRPC stream per pair of registered
 * nodes, opened by the node with the lower id (string order), so each pair has exactly one link,
 * seen once on each side (as a target where it was opened, an initiator on the other side, as
 * Cumulus's {@code servers.targets} / {@code initiators}).
 *
 * <p>Driven by membership: feed it {@link MembershipListener} events. A link opens when a peer
 * registers, re-opens with backoff (0.1 s doubling to 5 s) while the peer stays registered, and
 * closes when the peer's registration has been gone for {@code grace} (so a peer re-registering
 * after a ZooKeeper outage keeps its link) or when the stream breaks.
 *
 * <p>All state changes and all {@link LinkListener} calls run on one thread, in order; {@link
 * ServerLink#send} and {@link #broadcast} may be called from any thread.
 */
public final class ServerLinks implements MembershipListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerLinks.class);
  public static final int PROTOCOL_VERSION = 1;
  /** RTMFP-WIRE §10: handler names are at most 255 bytes; "" and "." are reserved. */
  public static final int MAX_HANDLER_BYTES = 255;
  private static final long BACKOFF_MIN_MS = 100;
  private static final long BACKOFF_MAX_MS = 5_000;

  private final String clusterName;
  private final String selfId;
  private final Supplier<NodeInfo> self;
  private final LinkCredentials credentials;
  private final Duration grace;
  private final LinkListener listener;
  private final ScheduledExecutorService loop;
  // loop-confined state
  private final Map<String, NodeInfo> known = new HashMap<>();
  private final Map<String, Dialer> dialers = new HashMap<>();
  private final Map<String, ScheduledFuture<?>> pendingDrops = new HashMap<>();
  private final Set<String> localApps = new LinkedHashSet<>();
  // read from any thread
  private final Map<String, Link> up = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param selfId this node's id
   * @param self this node's current registration (its public address and properties go into hellos)
   * @param grace how long a link outlives its peer's registration
   */
  public ServerLinks(String clusterName, String selfId, Supplier<NodeInfo> self,
      LinkCredentials credentials, Duration grace, LinkListener listener) {
    this.clusterName = clusterName;
    this.selfId = selfId;
    this.self = self;
    this.credentials = credentials;
    this.grace = grace;
    this.listener = Objects.requireNonNull(listener);
    String id = selfId;
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cluster-links-" + id);
      t.setDaemon(true);
      return t;
    });
  }

  /** The gRPC service to add to the node's server. */
  public BindableService service() {
    return new Service();
  }

  /** The links that are up, by remote node id. */
  public List<ServerLink> links() {
    List<ServerLink> list = new ArrayList<>(up.values());
    list.sort(Comparator.comparing(ServerLink::nodeId));
    return list;
  }

  public Optional<ServerLink> link(String nodeId) {
    return Optional.ofNullable(up.get(nodeId));
  }

  /** Sends to every up link; returns how many links took it. */
  public int broadcast(String handler, byte[] amfPayload) {
    checkHandler(handler);
    int n = 0;
    for (Link l : up.values()) {
      if (l.send(handler, amfPayload)) {
        n++;
      }
    }
    return n;
  }

  /**
   * An app started on this node: its path goes to every link now and, with the others, to each
   * link that comes up later (CUMULUS-FEATURES §6 "App sync"; "" is the root app).
   */
  public void appStarted(String path) {
    loop.execute(() -> {
      if (localApps.add(path)) {
        LinkFrame f = LinkFrame.newBuilder().setAppSync(AppSync.newBuilder().addAppPaths(path)).build();
        up.values().forEach(l -> l.write(f));
      }
    });
  }

  /** Streams refused so far (wrong cluster, bad hello). TLS refusals never reach this class. */
  public long refusedStreams() {
    return refused.get();
  }

  // ---- membership

  @Override
  public void nodeUp(NodeInfo node) {
    loop.execute(() -> registered(node));
  }

  @Override
  public void nodeChanged(NodeInfo before, NodeInfo after) {
    loop.execute(() -> registered(after));
  }

  @Override
  public void nodeDown(NodeInfo node) {
    loop.execute(() -> {
      known.remove(node.getId());
      if (node.getId().equals(selfId()) || closed) {
        return;
      }
      ScheduledFuture<?> drop = loop.schedule(() -> {
        pendingDrops.remove(node.getId());
        if (!known.containsKey(node.getId())) {
          LOG.info("node {} deregistered for {}: closing its link", node.getId(), grace);
          Dialer d = dialers.remove(node.getId());
          if (d != null) {
            d.stop();
          }
          Link l = up.get(node.getId());
          if (l != null) {
            l.close("peer deregistered");
            down(l);
          }
        }
      }, grace.toMillis(), TimeUnit.MILLISECONDS);
      ScheduledFuture<?> old = pendingDrops.put(node.getId(), drop);
      if (old != null) {
        old.cancel(false);
      }
    });
  }

  private void registered(NodeInfo node) {
    String id = node.getId();
    known.put(id, node);
    ScheduledFuture<?> drop = pendingDrops.remove(id);
    if (drop != null) {
      drop.cancel(false);
    }
    if (closed || id.equals(selfId()) || selfId().compareTo(id) > 0) {
      return;  // the lower id dials
    }
    Dialer d = dialers.get(id);
    if (d != null && d.address.equals(node.getGrpcAddress())) {
      return;
    }
    if (d != null) {
      d.stop();
    }
    d = new Dialer(id, node.getGrpcAddress());
    dialers.put(id, d);
    d.open();
  }

  private String selfId() {
    return selfId;
  }

  private Hello hello() {
    NodeInfo me = self.get();
    return Hello.newBuilder()
        .setClusterName(clusterName)
        .setNodeId(me.getId())
        .setPublicAddress(me.getPublicAddress())
        .putAllProperties(me.getPropertiesMap())
        .setProtocolVersion(PROTOCOL_VERSION)
        .build();
  }

  private Optional<String> checkHello(Hello h) {
    if (!h.getClusterName().equals(clusterName)) {
      return Optional.of("cluster '" + h.getClusterName() + "' is not '" + clusterName + "'");
    }
    if (h.getNodeId().isEmpty() || h.getNodeId().equals(selfId())) {
      return Optional.of("bad node id '" + h.getNodeId() + "'");
    }
    return Optional.empty();
  }

  // ---- one stream, either side; all methods on the loop

  private final class Stream {
    final boolean target;
    final String expectedId;   // outbound: the peer we dialled
    StreamObserver<LinkFrame> out;
    Link link;
    boolean ended;

    Stream(boolean target, String expectedId) {
      this.target = target;
      this.expectedId = expectedId;
    }

    void received(LinkFrame f) {
      if (ended) {
        return;
      }
      if (link == null) {
        if (!f.hasHello()) {
          refuse(Status.INVALID_ARGUMENT.withDescription("first frame must be a hello"));
          return;
        }
        Hello h = f.getHello();
        Optional<String> bad = checkHello(h);
        if (bad.isEmpty() && expectedId != null && !expectedId.equals(h.getNodeId())) {
          bad = Optional.of("dialled " + expectedId + ", answered by " + h.getNodeId());
        }
        if (bad.isPresent()) {
          refuse(Status.PERMISSION_DENIED.withDescription(bad.get()));
          return;
        }
        if (!target) {
          writeRaw(LinkFrame.newBuilder().setHello(hello()).build());
        }
        NodeInfo reg = known.get(h.getNodeId());
        link = new Link(this, h, reg == null ? "" : reg.getGrpcAddress());
        Link old = up.put(h.getNodeId(), link);
        if (old != null) {
          old.close("replaced by a new stream");
          old.up = false;
          safely(() -> listener.linkDown(old));
        }
        if (target) {
          Dialer d = dialers.get(h.getNodeId());
          if (d != null) {
            d.attempts = 0;
          }
        }
        LOG.info("link {} {} {} up", selfId(), target ? "->" : "<-", h.getNodeId());
        safely(() -> listener.linkUp(link));
        if (!localApps.isEmpty()) {
          link.write(LinkFrame.newBuilder().setAppSync(AppSync.newBuilder().addAllAppPaths(localApps)).build());
        }
        return;
      }
      Link l = link;
      switch (f.getKindCase()) {
        case APP_SYNC:
          l.remoteApps.addAll(f.getAppSync().getAppPathsList());
          safely(() -> listener.appSync(l, f.getAppSync().getAppPathsList()));
          break;
        case MESSAGE:
          safely(() -> listener.message(l, f.getMessage().getHandler(), f.getMessage().getAmfPayload().toByteArray()));
          break;
        default:
          break;  // a second hello, or a frame kind from a newer version: ignored
      }
    }

    void refuse(Status status) {
      refused.incrementAndGet();
      LOG.warn("link stream refused: {}", status.getDescription());
      ended = true;
      try {
        if (target) {
          ((ClientCallStreamObserver<LinkFrame>) out).cancel(status.getDescription(), null);
        } else {
          out.onError(status.asRuntimeException());
        }
      } catch (RuntimeException ignored) {
        // already closed
      }
      terminated();
    }

    void writeRaw(LinkFrame f) {
      synchronized (this) {
        out.onNext(f);
      }
    }

    /** The stream ended (error, completion or our own close). */
    void terminated() {
      ended = true;
      if (link != null) {
        down(link);
      }
      if (target) {
        Dialer d = dialers.get(expectedId);
        if (d != null && d.current == this) {
          d.current = null;
          d.retryLater();
        }
      }
    }
  }

  private void down(Link l) {
    if (up.remove(l.nodeId(), l)) {
      l.up = false;
      LOG.info("link {} - {} down", selfId(), l.nodeId());
      safely(() -> listener.linkDown(l));
    }
  }

  private final class Link implements ServerLink {
    final Stream stream;
    final Hello hello;
    final String address;
    final List<String> remoteApps = new CopyOnWriteArrayList<>();
    volatile boolean up = true;

    Link(Stream stream, Hello hello, String address) {
      this.stream = stream;
      this.hello = hello;
      this.address = address;
    }

    @Override public String nodeId() { return hello.getNodeId(); }
    @Override public String address() { return address; }
    @Override public String publicAddress() { return hello.getPublicAddress(); }
    @Override public Map<String, String> properties() { return hello.getPropertiesMap(); }
    @Override public boolean isTarget() { return stream.target; }
    @Override public List<String> remoteApps() { return List.copyOf(remoteApps); }
    @Override public boolean isUp() { return up; }

    @Override
    public boolean send(String handler, byte[] amfPayload) {
      checkHandler(handler);
      return write(LinkFrame.newBuilder().setMessage(LuaMessage.newBuilder()
          .setHandler(handler)
          .setAmfPayload(com.google.protobuf.ByteString.copyFrom(amfPayload))).build());
    }

    boolean write(LinkFrame f) {
      if (!up) {
        return false;
      }
      try {
        stream.writeRaw(f);
        return true;
      } catch (RuntimeException e) {
        return false;  // the call ended under us; the loop will see it
      }
    }

    void close(String why) {
      up = false;
      stream.ended = true;
      try {
        if (stream.target) {
          ((ClientCallStreamObserver<LinkFrame>) stream.out).cancel(why, null);
        } else {
          synchronized (stream) {
            stream.out.onCompleted();
          }
        }
      } catch (RuntimeException ignored) {
        // already closed
      }
    }

    @Override
    public String toString() {
      return "ServerLink[" + nodeId() + (stream.target ? ", target" : ", initiator") + ", " + publicAddress() + "]";
    }
  }

  // ---- outbound

  private final class Dialer {
    final String peerId;
    final String address;
    final ManagedChannel channel;
    Stream current;
    int attempts;
    boolean stopped;
    ScheduledFuture<?> retry;

    Dialer(String peerId, String address) {
      this.peerId = peerId;
      this.address = address;
      this.channel = Grpc.newChannelBuilder(address, credentials.channel())
          .keepAliveTime(10, TimeUnit.SECONDS)
          .keepAliveTimeout(5, TimeUnit.SECONDS)
          .build();
    }

    void open() {
      if (stopped || closed) {
        return;
      }
      Stream s = new Stream(true, peerId);
      current = s;
      ClientResponseObserver<LinkFrame, LinkFrame> in = new ClientResponseObserver<>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<LinkFrame> requestStream) {
          s.out = requestStream;
        }

        @Override
        public void onNext(LinkFrame f) {
          loop.execute(() -> s.received(f));
        }

        @Override
        public void onError(Throwable t) {
          loop.execute(() -> {
            if (!s.ended) {
              LOG.debug("link stream to {} failed: {}", peerId, t.toString());
            }
            s.terminated();
          });
        }

        @Override
        public void onCompleted() {
          loop.execute(s::terminated);
        }
      };
      ServerLinkGrpc.newStub(channel).open(in);
      s.writeRaw(LinkFrame.newBuilder().setHello(hello()).build());
    }

    void retryLater() {
      if (stopped || closed) {
        return;
      }
      long delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS << Math.min(attempts, 10));
      delay += ThreadLocalRandom.current().nextLong(delay / 4 + 1);
      attempts++;
      retry = loop.schedule(this::open, delay, TimeUnit.MILLISECONDS);
    }

    void stop() {
      stopped = true;
      if (retry != null) {
        retry.cancel(false);
      }
      if (current != null && current.link == null) {
        try {
          ((ClientCallStreamObserver<LinkFrame>) current.out).cancel("stopped", null);
        } catch (RuntimeException ignored) {
          // not started
        }
      }
      channel.shutdown();
    }
  }

  // ---- inbound

  private final class Service extends ServerLinkGrpc.ServerLinkImplBase {
    @Override
    public StreamObserver<LinkFrame> open(StreamObserver<LinkFrame> responseObserver) {
      Stream s = new Stream(false, null);
      s.out = responseObserver;
      return new StreamObserver<>() {
        @Override
        public void onNext(LinkFrame f) {
          loop.execute(() -> s.received(f));
        }

        @Override
        public void onError(Throwable t) {
          loop.execute(s::terminated);
        }

        @Override
        public void onCompleted() {
          loop.execute(() -> {
            if (!s.ended) {
              try {
                synchronized (s) {
                  responseObserver.onCompleted();
                }
              } catch (RuntimeException ignored) {
                // cancelled
              }
            }
            s.terminated();
          });
        }
      };
    }
  }

  static void checkHandler(String handler) {
    if (handler == null || handler.isEmpty() || handler.equals(".")) {
      throw new IllegalArgumentException("handler must not be empty or \".\" (reserved)");
    }
    if (handler.getBytes(StandardCharsets.UTF_8).length > MAX_HANDLER_BYTES) {
      throw new IllegalArgumentException("handler longer than " + MAX_HANDLER_BYTES + " bytes");
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("link listener failed", e);
    }
  }

  /** Closes every link (each fires linkDown) and stops dialling. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      loop.submit(() -> {
        closed = true;
        for (Dialer d : dialers.values()) {
          d.stop();
        }
        dialers.clear();
        for (Link l : new ArrayList<>(up.values())) {
          l.close("node closing");
          down(l);
        }
        pendingDrops.values().forEach(f -> f.cancel(false));
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing links", e);
    }
    closed = true;
    loop.shutdown();
  }

  /** For the edge's Lua collection: up links in id order. */
  public Collection<ServerLink> targets() {
    return links().stream().filter(ServerLink::isTarget).toList();
  }

  public Collection<ServerLink> initiators() {
    return links().stream().filter(l -> !l.isTarget()).toList();
  }
}
