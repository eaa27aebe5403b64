package io.altocumulus.rendezvous.grpc;

import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * A stand-alone rendezvous shard: a gRPC server (plaintext, netty-shaded) serving one
 * {@link RendezvousShardService} over a fresh {@link LocalRendezvous}. Each start has a new random
 * epoch, and starts empty: edges re-register on their own.
 */
public final class RendezvousShardServer implements AutoCloseable {
  private final Server server;
  private final RendezvousShardService service;

  private RendezvousShardServer(Server server, RendezvousShardService service) {
    this.server = server;
    this.service = service;
  }

  /** Binds {@code bind} (port 0 picks a free port) and serves at once. */
  public static RendezvousShardServer start(InetSocketAddress bind, LocalRendezvous.Limits limits) throws IOException {
    RendezvousShardService service = new RendezvousShardService(new LocalRendezvous(limits), new SecureRandom().nextLong());
    // Pings of its own: a hung edge host closes no socket, and only the end of its Subscribe
    // stream makes the shard forget that edge's peers (as ClusterNode's server).
    Server server = NettyServerBuilder.forAddress(bind).addService(service)
        .keepAliveTime(5, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS).build().start();
    return new RendezvousShardServer(server, service);
  }

  /** {@code host:port} with default limits. */
  public static RendezvousShardServer start(String host, int port) throws IOException {
    return start(new InetSocketAddress(host, port), LocalRendezvous.Limits.DEFAULT);
  }

  /** The bound port (useful after binding port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** {@code host:port} to give {@link ShardedRendezvous#setShards}, for a loopback bind. */
  public String target() {
    InetSocketAddress a = (InetSocketAddress) server.getListenSockets().get(0);
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  public long epoch() {
    return service.epoch();
  }

  public LocalRendezvous local() {
    return service.local();
  }

  public RendezvousShardService service() {
    return service;
  }

  /** Ends every call (edges see their streams fail) and releases the port; waits up to 5 s. */
  public void stop() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    service.local().close();
  }

  @Override
  public void close() {
    stop();
  }
}
