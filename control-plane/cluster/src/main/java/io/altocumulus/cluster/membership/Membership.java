package io.altocumulus.cluster.membership;

import com.google.protobuf.InvalidProtocolBufferException;
import io.altocumulus.proto.cluster.v1.LoadSnapshot;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's place in the cluster (issue 6): its own ephemeral registration
 * {@code /<cluster>/nodes/<id>} holding {@link NodeInfo} bytes, and the view of everybody's,
 * read with a {@link CuratorCache}.
 *
 * <p>ZooKeeper trouble never stops the node: while disconnected the view stays as it was (a
 * partitioned node cannot tell dead peers from its own outage), and Curator's
 * {@link PersistentNode} re-creates the registration when a new session starts after the old one
 * expired. Drain and weight changes are written at once; load snapshots through
 * {@link LoadPublishPolicy} (at most one write per {@code loadInterval}).
 */
public final class Membership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  /** A load write even without a meaningful change, if anything changed. */
  private static final long LOAD_MAX_INTERVAL_MS = 60_000;

  private final CuratorFramework client;
  private final String nodesPath;
  private final PersistentNode registration;
  private final CuratorCache cache;
  private final Map<String, NodeInfo> view = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final LoadPublishPolicy loadPolicy;
  private final ScheduledExecutorService timer;
  private final AtomicLong writes = new AtomicLong();
  private final Object lock = new Object();
  private NodeInfo self;                 // guarded by lock: what we last asked ZooKeeper to hold
  private LoadSnapshot pendingLoad;      // guarded by lock
  private long loadWrittenAtMs;          // guarded by lock
  private volatile boolean connected;
  private volatile boolean closed;

  /**
   * @param client a Curator client, started or not; this membership owns it and closes it
   * @param clusterName root znode of the cluster
   * @param self this node's registration
   * @param loadInterval minimum time between two load writes
   */
  public Membership(CuratorFramework client, String clusterName, NodeInfo self, Duration loadInterval) {
    this.client = client;
    this.nodesPath = ZKPaths.makePath(clusterName, "nodes");
    this.self = self;
    this.pendingLoad = self.getLoad();
    this.loadPolicy = new LoadPublishPolicy(loadInterval.toMillis(), Math.max(loadInterval.toMillis(), LOAD_MAX_INTERVAL_MS));
    this.registration = new PersistentNode(client, CreateMode.EPHEMERAL, false,
        ZKPaths.makePath(nodesPath, self.getId()), self.toByteArray());
    this.cache = CuratorCache.build(client, nodesPath);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cluster-membership-" + self.getId());
      t.setDaemon(true);
      return t;
    });
  }

  /** Listeners see every change after they are added; add them before {@link #start()} to see all. */
  public void addListener(MembershipListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  public void removeListener(MembershipListener listener) {
    listeners.remove(listener);
  }

  /** Connects, registers and starts watching; returns at once (registration completes in the background). */
  public void start() {
    client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
    if (client.getState() == org.apache.curator.framework.imps.CuratorFrameworkState.LATENT) {
      client.start();
    }
    registration.getListenable().addListener(path -> {
      writes.incrementAndGet();
      LOG.info("node {} registered at {}", selfId(), path);
      synchronized (lock) {
        // an update before the first create was refused by PersistentNode: write it now
        if (!java.util.Arrays.equals(registration.getData(), self.toByteArray())) {
          write(self);
        }
      }
    });
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreates(this::created)
        .forChanges(this::changed)
        .forDeletes(this::deleted)
        .build());
    cache.start();
    registration.start();
    synchronized (lock) {
      loadWrittenAtMs = System.currentTimeMillis();  // the registration carries the first snapshot
    }
    timer.scheduleWithFixedDelay(this::maybeWriteLoad, 1, 1, TimeUnit.SECONDS);
  }

  /** Waits until this node's registration exists in ZooKeeper. */
  public boolean awaitRegistered(Duration timeout) throws InterruptedException {
    return registration.waitForInitialCreate(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The registered nodes as last seen (this node included once ZooKeeper confirmed it), by id. */
  public Map<String, NodeInfo> nodes() {
    return new TreeMap<>(view);
  }

  public Optional<NodeInfo> node(String id) {
    return Optional.ofNullable(view.get(id));
  }

  /** What this node publishes (the latest requested, possibly not yet written). */
  public NodeInfo self() {
    synchronized (lock) {
      return self;
    }
  }

  public String selfId() {
    return self().getId();
  }

  /** Whether the ZooKeeper connection is up now. */
  public boolean connected() {
    return connected;
  }

  /** ZooKeeper writes of this node's registration (creates and data updates) since start. */
  public long zooKeeperWrites() {
    return writes.get();
  }

  public void setDraining(boolean draining) {
    update(b -> b.setDraining(draining));
  }

  public void setWeight(int weight) {
    if (weight < 0 || weight > 10_000) {
      throw new IllegalArgumentException("weight " + weight + " out of range 0..10000");
    }
    update(b -> b.setWeight(weight));
  }

  /**
   * Records the current load; it reaches ZooKeeper when {@link LoadPublishPolicy} says so (checked
   * every second). Cheap: call it as often as you like.
   */
  public void updateLoad(LoadSnapshot load) {
    synchronized (lock) {
      pendingLoad = load;
    }
  }

  /** Applies {@code change} to this node's registration and writes it now. */
  public NodeInfo update(UnaryOperator<NodeInfo.Builder> change) {
    NodeInfo next;
    synchronized (lock) {
      next = change.apply(self.toBuilder()).build();
      if (!next.getId().equals(self.getId())) {
        throw new IllegalArgumentException("a node cannot change its id");
      }
      if (next.equals(self)) {
        return self;
      }
      self = next;
      write(next);
    }
    return next;
  }

  private void maybeWriteLoad() {
    try {
      synchronized (lock) {
        long now = System.currentTimeMillis();
        if (!connected || !loadPolicy.shouldPublish(now, self.getLoad(), loadWrittenAtMs, pendingLoad)) {
          return;
        }
        self = self.toBuilder().setLoad(pendingLoad).build();
        loadWrittenAtMs = now;
        write(self);
      }
    } catch (RuntimeException e) {
      LOG.warn("load snapshot write failed", e);
    }
  }

  // caller holds lock
  private void write(NodeInfo info) {
    try {
      registration.setData(info.toByteArray());
      writes.incrementAndGet();
    } catch (IllegalStateException notYetCreated) {
      // PersistentNode keeps the latest data and writes it when it creates the node
    } catch (Exception e) {
      LOG.warn("registration update of {} failed: {}", info.getId(), e.toString());
    }
  }

  private void onConnectionState(ConnectionState state) {
    connected = state.isConnected();
    switch (state) {
      case SUSPENDED:
        LOG.warn("ZooKeeper connection suspended: node {} keeps serving, its view may be stale", selfId());
        break;
      case LOST:
        LOG.warn("ZooKeeper session lost: node {} re-registers when a new session starts", selfId());
        break;
      case RECONNECTED:
        LOG.info("ZooKeeper connection back for node {}", selfId());
        break;
      default:
        break;
    }
  }

  private Optional<NodeInfo> parse(ChildData data) {
    if (data == null || !ZKPaths.getPathAndNode(data.getPath()).getPath().equals(nodesPath)) {
      return Optional.empty();  // the nodes folder itself, or something deeper
    }
    try {
      NodeInfo info = NodeInfo.parseFrom(data.getData() == null ? new byte[0] : data.getData());
      String id = ZKPaths.getNodeFromPath(data.getPath());
      if (!id.equals(info.getId())) {
        LOG.warn("ignoring registration {}: it names node '{}'", data.getPath(), info.getId());
        return Optional.empty();
      }
      return Optional.of(info);
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("ignoring unreadable registration {}: {}", data.getPath(), e.getMessage());
      return Optional.empty();
    }
  }

  private void created(ChildData data) {
    parse(data).ifPresent(info -> {
      NodeInfo before = view.put(info.getId(), info);
      for (MembershipListener l : listeners) {
        safely(() -> {
          if (before == null) {
            l.nodeUp(info);
          } else {
            l.nodeChanged(before, info);
          }
        });
      }
    });
  }

  private void changed(ChildData oldData, ChildData data) {
    parse(data).ifPresent(info -> {
      NodeInfo before = view.put(info.getId(), info);
      if (info.equals(before)) {
        return;
      }
      for (MembershipListener l : listeners) {
        safely(() -> {
          if (before == null) {
            l.nodeUp(info);
          } else {
            l.nodeChanged(before, info);
          }
        });
      }
    });
  }

  private void deleted(ChildData oldData) {
    if (oldData == null) {
      return;
    }
    String path = oldData.getPath();
    if (!ZKPaths.getPathAndNode(path).getPath().equals(nodesPath)) {
      return;
    }
    NodeInfo before = view.remove(ZKPaths.getNodeFromPath(path));
    if (before != null) {
      for (MembershipListener l : listeners) {
        safely(() -> l.nodeDown(before));
      }
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("membership listener failed", e);
    }
  }

  /** Deregisters (the ephemeral node goes at once) and closes the ZooKeeper session. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    try {
      registration.close();
    } catch (Exception e) {
      LOG.debug("registration close", e);
    }
    cache.close();
    client.close();
  }

  /** The Curator client, for tests and for other recipes on the same session. */
  public CuratorFramework curator() {
    return client;
  }
}
