package io.altocumulus.rendezvous.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Register and unregister are separate unary calls, and gRPC does not order them: the shard may
 * see the later one first. Whatever the order they arrive in, the shard must end up with the
 * edge's last word (found by ZooKeeperChurnIT: records left on the shard under churn).
 */
@Timeout(20)
class RegistrationRaceTest {
  /** Holds the calls of one method in the shard until released. */
  static final class Hold implements ServerInterceptor {
    volatile String method = "";
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch arrived = new CountDownLatch(1);
    final CountDownLatch subscribed = new CountDownLatch(1);

    @Override
    public <Q, S> ServerCall.Listener<Q> interceptCall(ServerCall<Q, S> call, Metadata headers, ServerCallHandler<Q, S> next) {
      if (call.getMethodDescriptor().getBareMethodName().equals("Subscribe")) {
        subscribed.countDown();
      }
      ServerCall.Listener<Q> l = next.startCall(call, headers);
      if (!call.getMethodDescriptor().getBareMethodName().equals(method)) {
        return l;
      }
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(l) {
        @Override
        public void onHalfClose() {
          arrived.countDown();
          try {
            release.await(10, TimeUnit.SECONDS); // a unary call is handled here: the shard sees it late
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          super.onHalfClose();
        }
      };
    }
  }

  final Hold hold = new Hold();
  LocalRendezvous shard;
  Server server;
  ShardedRendezvous edge;
  final Key peer = Key.of(new byte[32]);
  final PeerRecord record = new PeerRecord(peer, "edge-a", List.of(new InetSocketAddress("203.0.113.9", 1935)));

  @BeforeEach
  void start() throws Exception {
    shard = new LocalRendezvous(LocalRendezvous.Limits.DEFAULT);
    RendezvousShardService service = new RendezvousShardService(shard, 1);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, hold)).build().start();
    edge = new ShardedRendezvous(List.of("127.0.0.1:" + server.getPort()));
    edge.attach("edge-a", new EdgeCallbacks() {
      @Override
      public void onIntroduction(Introduction introduction) {}

      @Override
      public void onGroupNeighbour(Key group, Key member, Key neighbour) {}

      @Override
      public void onResyncNeeded() {}
    });
    // The edge replays its registrations when its subscription comes up: let that happen first
    // (with nothing registered yet), so the only calls raced below are the test's own.
    assertThat(hold.subscribed.await(5, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(300);
  }

  @AfterEach
  void stop() {
    hold.release.countDown();
    edge.close();
    server.shutdownNow();
  }

  boolean onShard() throws Exception {
    return shard.peers().lookup(peer).toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent();
  }

  @Test
  void aRegisterOvertakenByItsUnregisterIsUndone() throws Exception {
    hold.method = "RegisterPeer";
    CompletableFuture<Void> register = edge.peers().register(record).toCompletableFuture();
    assertThat(hold.arrived.await(5, TimeUnit.SECONDS)).isTrue();
    edge.peers().unregister(peer, "edge-a").toCompletableFuture().get(5, TimeUnit.SECONDS);
    hold.release.countDown(); // the register reaches the shard after the unregister
    register.get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !onShard());
    Thread.sleep(300); // and stays gone
    assertThat(onShard()).isFalse();
  }

  @Test
  void anUnregisterOvertakenByTheNextRegisterIsUndone() throws Exception {
    edge.peers().register(record).toCompletableFuture().get(5, TimeUnit.SECONDS);
    hold.method = "UnregisterPeer";
    CompletableFuture<Void> unregister = edge.peers().unregister(peer, "edge-a").toCompletableFuture();
    assertThat(hold.arrived.await(5, TimeUnit.SECONDS)).isTrue();
    edge.peers().register(record).toCompletableFuture().get(5, TimeUnit.SECONDS); // back on the same edge
    hold.release.countDown(); // the old unregister reaches the shard after the new register
    unregister.get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(this::onShard);
    Thread.sleep(300);
    assertThat(onShard()).isTrue();
  }
}
